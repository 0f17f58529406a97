package podnet.node.pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.cni.install.NodeConflist;

/**
 * The network pods join when {@code --network} is not given: the article's node, bridge
 * {@code cni0} with 10.244.2.0/24 (gateway .1 on the bridge), host-local IPAM and loopback.
 * Written once to {@code <state>/net.d/10-podnet.conflist} — not /etc/cni/net.d, so a real
 * kubelet/containerd on the machine never picks it up — with the IPAM leases under
 * {@code <state>/ipam} (the reference host-local layout). Edit the file to change the defaults.
 */
public final class DefaultNetwork {
    private DefaultNetwork() {}

    public static final String NAME = NodeConflist.NAME;
    public static final String SUBNET = NodeConflist.DEFAULT.subnet();
    public static final String BRIDGE = NodeConflist.BRIDGE;

    public static Path conflist(Path stateDir) {
        return stateDir.resolve("net.d").resolve("10-podnet.conflist");
    }

    /** The default conflist, written if missing; returns its path. */
    public static Path ensure(Path stateDir) {
        Path file = conflist(stateDir);
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            // A private temp file renamed into place: concurrent first runs all write the same text.
            Path tmp = Files.createTempFile(file.getParent(), ".10-podnet", ".tmp");
            Files.writeString(tmp, text(stateDir.resolve("ipam")));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + file, e);
        }
        return file;
    }

    /** podnet's conflist without masquerade (the demo's pods talk to each other, not out), leases under the state dir. */
    static String text(Path ipamDir) {
        return NodeConflist.DEFAULT.withIpMasq(false).withDataDir(ipamDir).conflist();
    }
}
