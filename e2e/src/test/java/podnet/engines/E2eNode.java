package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;
import podnet.linux.testing.TestNetns;

/**
 * Everything one engine test creates, torn down in reverse order by {@link #close()} even when
 * the test failed half-way: the node netns, the conflist and IPAM directory, the busybox rootfs,
 * a test-unique cgroup subtree, the node sandbox, and the engine.
 */
public final class E2eNode implements AutoCloseable {
    static final Path PODNETD_SOCKET = Path.of("/run/podnet/podnetd.sock");

    private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();
    public final Path work;
    public final CniPlugins plugins;
    public final TestNetns netns;
    public final String nodeNetns;
    public final PodNetworkConf net;
    public final Path rootfs;
    public final Path cniCache;
    public final CgroupTree cgroups;

    public E2eNode(Path work, CniPlugins plugins) throws IOException {
        this.work = work;
        this.plugins = plugins;
        this.netns = new TestNetns("e2e");
        this.nodeNetns = netns.name("node");
        this.cgroups = new CgroupTree("podnet-e2e-" + Long.toHexString(ProcessHandle.current().pid()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)));
        try {
            cleanups.push(netns);
            netns.add("node");
            cleanups.push(cgroups::remove);
            this.net = PodNetworkConf.in(work).write();
            this.rootfs = BusyboxRootfs.build(work.resolve("rootfs"));
            this.cniCache = Files.createDirectories(work.resolve("cni-cache"));
        } catch (IOException | RuntimeException e) {
            // No caller holds this object yet: undo what was made before rethrowing.
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The private view both engines get: an empty /run (engine sockets, containerd's shim
     * sockets under /run/containerd/s whatever --state says, podman's netns files), an empty
     * /dev/shm (podman's locks), the CNI paths bound to the test's directories (ctr 1.6 only
     * reads /etc/cni/net.d and /opt/cni/bin, plus Debian's /usr/lib/cni; podman is configured,
     * and hiding the other copies makes a silent fallback to the reference impossible), and
     * libcni's result cache (/var/lib/cni) in the test's directory.
     */
    public PrivateMounts mounts() throws IOException {
        PrivateMounts m = new PrivateMounts();
        Path staging = null;
        if (Files.exists(PODNETD_SOCKET)) {
            // A running podnetd serves podnet's exec shims: carry its socket directory through
            // the private /run (staged first, since the tmpfs hides the original).
            staging = Files.createDirectories(work.resolve("host-run-podnet"));
            m.bind(PODNETD_SOCKET.getParent(), staging);
        }
        m.tmpfs(Path.of("/run")).tmpfs(Path.of("/dev/shm"))
                .bind(plugins.dir(), Path.of("/opt/cni/bin"))
                .bind(plugins.dir(), CniPlugins.REFERENCE_DIR)
                .bind(net.confDir(), Path.of("/etc/cni/net.d"))
                .bind(cniCache, Path.of("/var/lib/cni"));
        if (staging != null) {
            m.bind(staging, PODNETD_SOCKET.getParent());
        }
        return m;
    }

    /** Starts the node sandbox with {@link #mounts()}; stopped on {@link #close()}. */
    public NodeSandbox sandbox() throws IOException {
        return sandbox(mounts());
    }

    /** Starts the node sandbox with {@code mounts} (e.g. {@link #mounts()} plus more); stopped on {@link #close()}. */
    public NodeSandbox sandbox(PrivateMounts mounts) throws IOException {
        NodeSandbox node = NodeSandbox.start(nodeNetns, mounts, work.resolve("sandbox.log"));
        cleanups.push(node);
        return node;
    }

    /** Registers an engine to be closed before the sandbox it runs in. */
    public <E extends Engine> E engine(E engine) {
        cleanups.push(engine);
        return engine;
    }

    /** Registers anything else to be closed in reverse order with the rest. */
    public <C extends AutoCloseable> C onClose(C resource) {
        cleanups.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().close();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e instanceof Exception ex ? ex : new Exception(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
