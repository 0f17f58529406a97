package podnet.node.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.nftables.Masquerade;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsWorkers;

/**
 * One plugin set's throwaway node for a benchmark: a node netns with worker threads inside it
 * (the "runtime"), pod namespaces, an IPAM directory and the network config. Closing removes
 * all of it; {@link #leftovers} says what the plugins left behind before that.
 */
final class BenchNode implements AutoCloseable {
    static final String NETWORK = "benchnet";

    final PluginSet set;
    final String conf;
    final List<Netns> pods = new ArrayList<>();
    final NsWorkers workers;
    private final Netns node;
    private final Path dataDir;
    private final List<String> created = new ArrayList<>();

    /** What a run left in the node: veths (links other than lo and the bridge), pod interfaces, leases, masquerade elements. */
    record Leftovers(int links, int podLinks, int leases, int masqueradeElements) {
        boolean none() {
            return links == 0 && podLinks == 0 && leases == 0 && masqueradeElements == 0;
        }

        @Override
        public String toString() {
            return none() ? "none" : links + " links, " + podLinks + " pod links, " + leases + " leases, "
                    + masqueradeElements + " masquerade elements";
        }
    }

    BenchNode(PluginSet set, String tag, int podCount, int threads, boolean masq, String cniVersion) {
        this.set = set;
        try {
            dataDir = Files.createTempDirectory("podnet-bench-ipam");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NsWorkers w = null;
        try {
            node = NamedNetns.add(tag + "-node");
            created.add(node.name());
            for (int i = 0; i < podCount; i++) {
                Netns pod = NamedNetns.add(tag + "-p" + i);
                created.add(pod.name());
                pods.add(pod);
            }
            w = NsWorkers.start(node, threads, "bench-" + tag);
        } catch (RuntimeException e) {
            removeAll();
            throw e;
        }
        workers = w;
        conf = """
                {"cniVersion":"%s","name":"%s","type":"bridge","bridge":"cni0",
                 "isGateway":true,"ipMasq":%s,"hairpinMode":true,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.244.2.0/24"}]],
                         "routes":[{"dst":"0.0.0.0/0"}]}}
                """.formatted(cniVersion, NETWORK, masq, dataDir);
    }

    /** Runs one plugin call on a worker (inside the node netns) and waits for it. */
    PluginExec.Call call(String command, String containerId, int pod, String config) {
        return workers.call(() -> PluginExec.run(set, command, containerId, pods.get(pod).path(), config));
    }

    /** The same, on the calling thread, which must be one of {@link #workers}. */
    PluginExec.Call callHere(String command, String containerId, int pod) {
        return PluginExec.run(set, command, containerId, pods.get(pod).path(), conf);
    }

    Leftovers leftovers() {
        int links = 0, podLinks = 0, elements = 0;
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            for (Link l : h.links().list()) {
                if (!l.name().equals("lo") && !l.name().equals("cni0")) {
                    links++;
                }
            }
        }
        for (Netns pod : pods) {
            try (NetlinkHandle h = NetlinkHandle.open(pod)) {
                podLinks += (int) h.links().list().stream().filter(l -> !l.name().equals("lo")).count();
            }
        }
        try (Masquerade m = Masquerade.open(node)) {
            elements = m.members(NETWORK).size();
        }
        return new Leftovers(links, podLinks, leases(), elements);
    }

    private int leases() {
        Path dir = dataDir.resolve(NETWORK);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (!f.equals("lock") && !f.startsWith("last_reserved_ip.")) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
        removeAll();
    }

    private void removeAll() {
        for (String ns : created.reversed()) {
            try {
                NamedNetns.deleteIfExists(ns);
            } catch (RuntimeException e) {
                System.err.println("bench: cleanup of " + ns + " failed: " + e.getMessage());
            }
        }
        DirectoryTree.deleteQuietly(dataDir);
    }
}
