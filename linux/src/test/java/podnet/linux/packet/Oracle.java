package podnet.linux.packet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.testing.Ip;

/** tcpdump and tshark as independent readers of pcap files. */
public final class Oracle {
    private Oracle() {}

    /** {@code tcpdump -n -S -t -r FILE [FILTER...]}: one summary line per frame. */
    public static List<String> tcpdump(Path pcap, String... filter) {
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-n", "-S", "-t", "-r", pcap.toString()));
        cmd.addAll(List.of(filter));
        return Ip.run(cmd.toArray(String[]::new)).ok().out().lines().toList();
    }

    /** How many frames {@code tshark -r FILE} lists. */
    public static long tsharkCount(Path pcap) {
        return Ip.run("tshark", "-n", "-r", pcap.toString()).ok().out().lines().filter(l -> !l.isBlank()).count();
    }
}
