package podnet.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import podnet.cni.install.NodeConflist;

/**
 * The pod network both engines are given: bridge {@code cni0} with gateway, masquerade and
 * hairpin, host-local IPAM over {@code 10.244.2.0/24} keeping its leases under the test's own
 * {@code dataDir}, then loopback. cniVersion 1.0.0 is the newest the reference 1.1.1 accepts.
 */
public record PodNetworkConf(String name, String bridge, String subnet, String prefix, Path confDir,
        Path dataDir) {
    public static final String CONFLIST = "10-podnet.conflist";

    public static PodNetworkConf in(Path workDir) {
        return new PodNetworkConf(NodeConflist.NAME, NodeConflist.BRIDGE, NodeConflist.DEFAULT.subnet(), "10.244.2.",
                workDir.resolve("net.d"), workDir.resolve("cni-ipam"));
    }

    public String json() {
        return new NodeConflist(subnet, 0, true, dataDir).conflist();
    }

    /** Writes the conflist into {@link #confDir()} and creates the IPAM data directory. */
    public PodNetworkConf write() throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(dataDir);
        Files.writeString(confDir.resolve(CONFLIST), json());
        return this;
    }

    /** True if {@code ip} is a host address of this network's /24. */
    public boolean contains(String ip) {
        if (!ip.startsWith(prefix)) {
            return false;
        }
        int last = Integer.parseInt(ip.substring(prefix.length()));
        return last > 0 && last < 255;
    }

    /** The addresses host-local holds a lease file for (its bookkeeping files left out). */
    public List<String> leases() {
        Path dir = dataDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
