package podnet.node.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import podnet.linux.inet.Cidr;

/**
 * flannel's hand-over file, {@code subnet.env}: what a node's CNI setup needs from the agent.
 * <pre>
 * FLANNEL_NETWORK=10.244.0.0/16
 * FLANNEL_SUBNET=10.244.2.1/24
 * FLANNEL_MTU=1450
 * FLANNEL_IPMASQ=true
 * </pre>
 * FLANNEL_SUBNET is the pods' gateway with the subnet's length, as flannel writes it.
 */
public record SubnetEnv(Cidr network, Cidr subnet, int mtu, boolean ipMasq) {
    public static final String FILE = "subnet.env";

    public static Path path(Path stateDir) {
        return stateDir.resolve(FILE);
    }

    public String text() {
        return "FLANNEL_NETWORK=" + network + "\n"
                + "FLANNEL_SUBNET=" + Cidr.text(Cidr.add(subnet.address(), 1)) + "/" + subnet.prefixLength() + "\n"
                + "FLANNEL_MTU=" + mtu + "\n"
                + "FLANNEL_IPMASQ=" + ipMasq + "\n";
    }

    void write(Path stateDir) {
        StateFiles.write(path(stateDir), text());
    }

    /** The file under {@code stateDir}, when there is one. */
    public static Optional<SubnetEnv> read(Path stateDir) {
        Path f = path(stateDir);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(Files.readString(f)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** Parses flannel's format (KEY=VALUE lines; the file is data, never sourced). */
    public static SubnetEnv parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                kv.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        String net = kv.get("FLANNEL_NETWORK");
        String sub = kv.get("FLANNEL_SUBNET");
        if (net == null || sub == null) {
            throw new IllegalArgumentException("subnet.env needs FLANNEL_NETWORK and FLANNEL_SUBNET");
        }
        return new SubnetEnv(Cidr.parse(net), Cidr.parse(sub).network(),
                Integer.parseInt(kv.getOrDefault("FLANNEL_MTU", "1500")), Boolean.parseBoolean(kv.get("FLANNEL_IPMASQ")));
    }
}
