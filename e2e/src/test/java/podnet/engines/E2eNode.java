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
        cleanups.push(netns);
        netns.add("node");
        this.nodeNetns = netns.name("node");
        this.net = PodNetworkConf.in(work).write();
        this.rootfs = BusyboxRootfs.build(work.resolve("rootfs"));
        this.cniCache = Files.createDirectories(work.resolve("cni-cache"));
        this.cgroups = new CgroupTree("podnet-e2e-" + Long.toHexString(ProcessHandle.current().pid()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)));
        cleanups.push(cgroups::remove);
    }

    /** Starts the node sandbox with {@code mounts}; stopped on {@link #close()}. */
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
