package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;

/** {@code podnet neigh}: the ARP/ND table, like {@code ip neigh}. */
@Command(name = "neigh", aliases = "neighbour", description = "The ARP/ND table: IP, DEV, MAC, STATE.")
final class NeighCommand extends CliCommand.InNetns {
    NeighCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
            for (Neighbour n : h.neighbours().list(0)) {
                if ((n.state() & Neighbour.NUD_NOARP) != 0) {
                    continue; // multicast/broadcast pseudo-entries
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dst", n.ip() == null ? null : Cidr.text(n.ip()));
                m.put("dev", h.links().get(n.index()).map(Link::name).orElse("#" + n.index()));
                m.put("lladdr", n.mac() == null ? null : n.mac().toString());
                m.put("state", n.stateName());
                rows.add(m);
            }
        }
        if (cli.json) {
            JsonOutput.print(cli.out, rows);
        } else {
            Table t = new Table("IP", "DEV", "MAC", "STATE");
            rows.forEach(m -> t.row(m.get("dst"), m.get("dev"), m.get("lladdr"), m.get("state")));
            t.print(cli.out);
        }
        return 0;
    }
}
