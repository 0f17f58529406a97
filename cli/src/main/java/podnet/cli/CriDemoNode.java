package podnet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import podnet.cni.daemon.Podnetd;
import podnet.cni.install.AutoStart;
import podnet.cni.install.Installer;
import podnet.cni.install.NodeConflist;
import podnet.linux.ns.Netns;
import podnet.node.cri.ContainerdConfig;
import podnet.node.cri.PrivateContainerd;

/**
 * The node side of {@code podnet demo --cri}, all under {@value #DIR_NAME} in the demo's state:
 * podnet's CNI executables and conflist (host-local's leases there too), a podnetd inside the
 * demo's JVM serving the executables, and a private containerd with CRI in the node namespace,
 * its pods' cgroups under {@value #CGROUP}. {@link #close()} (and {@link #cleanUp()} for what a
 * kept or killed demo left) removes it all.
 */
final class CriDemoNode implements AutoCloseable {
    static final String DIR_NAME = "cri";
    static final Path DIR = Demo.STATE.resolve(DIR_NAME);
    static final String CGROUP = "/podnet-demo";
    static final Path BIN = DIR.resolve("cni/bin"), CONF = DIR.resolve("cni/net.d"), IPAM = DIR.resolve("cni/ipam");
    static final Path CONTAINERD = DIR.resolve("containerd");
    static final Path PODNETD = DIR.resolve("podnetd/podnetd.sock");

    private Podnetd podnetd;
    private PrivateContainerd containerd;

    static Path socket() {
        return ContainerdConfig.socket(CONTAINERD);
    }

    /** podnet's executables (the exec shims) and the conflist bridge -> portmap -> loopback. */
    List<Path> installPlugins(PrintStream log) {
        NodeConflist network = NodeConflist.DEFAULT.withDataDir(IPAM);
        // No autostart: with the demo's podnetd gone (a kept demo), a call takes the one-shot path
        // and no daemon stays behind.
        return Installer.install(BIN, CONF, network, true, new AutoStart(false, AutoStart.DEFAULT.idleExitSeconds()), log);
    }

    /** podnetd on the demo's own socket, inside this JVM: the shims containerd runs forward to it. */
    void startPodnetd(PrintStream log) {
        try {
            Files.createDirectories(PODNETD.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        podnetd = Podnetd.start(PODNETD, log);
    }

    ContainerdConfig config() {
        return new ContainerdConfig(null, BIN, CONF, CONTAINERD);
    }

    /** containerd in the node namespace; the CNI executables it runs find the demo's podnetd. */
    PrivateContainerd startContainerd(Netns node) {
        containerd = PrivateContainerd.start(node, CONTAINERD, config(), CGROUP,
                Map.of("PODNET_SOCKET", PODNETD.toString(), "PODNET_AUTOSTART", "0"));
        return containerd;
    }

    @Override
    public void close() {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            if (podnetd != null) {
                podnetd.close();
            }
            cleanUp();
        }
    }

    /** What a kept or killed --cri demo left: containerd and its pods, mounts, cgroups, files. */
    static void cleanUp() {
        PrivateContainerd.cleanUp(CONTAINERD, CGROUP);
        podnet.linux.fs.DirectoryTree.delete(DIR);
    }
}
