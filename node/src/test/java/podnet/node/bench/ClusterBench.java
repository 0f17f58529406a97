package podnet.node.bench;

import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sys.Sockets;
import podnet.node.cluster.AgentOptions;
import podnet.node.cluster.BackendType;
import podnet.node.cluster.ClusterNode;
import podnet.node.cluster.NetworkConfig;
import podnet.node.cluster.NodeAgent;
import podnet.node.cluster.RegistrySpec;
import podnet.node.etcd.EtcdClient;
import podnet.node.testing.ClusterFabric;

/**
 * The cluster benchmarks (not part of the suite: run with
 * {@code mvn -pl node -am test -Dtest=ClusterBench -Dsurefire.failIfNoSpecifiedTests=false}):
 * convergence — a node joins, until both other nodes route to its subnet — over several
 * rounds at 3 nodes (p50, max); and 1,000 peers written straight into etcd, until one real node
 * has programmed them all, then deleted, until it has removed them all.
 */
class ClusterBench {
    static final int ROUNDS = 7;

    @Test
    void convergenceAtThreeNodes() throws Exception {
        try (ClusterFabric f = ClusterFabric.flat("clbench", 3)) {
            f.startAgent(1, BackendType.VXLAN);
            f.startAgent(2, BackendType.VXLAN);
            long[] ms = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long t0 = System.nanoTime();
                NodeAgent third = f.startAgent(3, BackendType.VXLAN);
                String subnet = third.lease().subnet().toString();
                while (!(routes(f.node(1), subnet) && routes(f.node(2), subnet))) {
                    Thread.sleep(2);
                }
                ms[round] = (System.nanoTime() - t0) / 1_000_000;
                third.close();
                ClusterNode.leave(f.node(3).stateDir(), System.err);
                while (routes(f.node(1), subnet) || routes(f.node(2), subnet)) {
                    Thread.sleep(5);
                }
            }
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            System.out.printf("cluster bench | convergence, 3 nodes, %d joins | ms %s | p50 %d ms | max %d ms%n", ROUNDS,
                    Arrays.toString(ms), sorted[ROUNDS / 2], sorted[ROUNDS - 1]);
        }
    }

    @Test
    void aThousandPeersProgrammedAndRemoved() throws Exception {
        try (ClusterFabric f = ClusterFabric.flat("clbenk", 1)) {
            ClusterFabric.Node n = f.node(1);
            AgentOptions o = new AgentOptions(n.name(), n.netns(), n.stateDir(),
                    new NetworkConfig(Cidr.parse("10.0.0.0/8"), 24, BackendType.VXLAN), "eth0", null,
                    new RegistrySpec.Etcd(List.of(URI.create(f.etcd().endpoint())), "/coreos.com/network"), null, true,
                    Duration.ofHours(24));
            f.startAgent(o, n);
            try (EtcdClient etcd = new EtcdClient(List.of(f.etcd().url()), () -> n.netns().call(SocketChannel::open),
                    Duration.ofSeconds(5))) {
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int a = 100 + i / 250, b = i % 250 + 1;
                    String key = "/coreos.com/network/subnets/10." + a + "." + b + ".0-24";
                    keys.add(key);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < keys.size(); i++) {
                    String mac = String.format("02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
                    etcd.put(keys.get(i), "{\"PublicIP\":\"172.16." + (i / 250) + "." + (i % 250 + 1)
                            + "\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}}", 0);
                }
                long written = System.nanoTime();
                while (count(n) < 1000) {
                    Thread.sleep(5);
                }
                long programmed = System.nanoTime();
                for (String k : keys) {
                    etcd.delete(k);
                }
                long deleted = System.nanoTime();
                while (count(n) > 0) {
                    Thread.sleep(5);
                }
                long removed = System.nanoTime();
                System.out.printf("cluster bench | 1000 peers | writing to etcd %d ms | programmed %d ms after the first write"
                        + " (%d ms after the last) | deleting %d ms | removed %d ms after the first delete (%d ms after the last)%n",
                        (written - t0) / 1_000_000, (programmed - t0) / 1_000_000, (programmed - written) / 1_000_000,
                        (deleted - programmed) / 1_000_000, (removed - programmed) / 1_000_000, (removed - deleted) / 1_000_000);
            }
        }
    }

    private static boolean routes(ClusterFabric.Node n, String subnet) {
        try (NetlinkHandle h = NetlinkHandle.open(n.netns())) {
            return h.routes().list(Sockets.AF_INET).stream().anyMatch(r -> subnet.equals(r.destinationText() + "/24")
                    || (r.destination() != null && subnet.equals(r.destination().toString())));
        }
    }

    private static long count(ClusterFabric.Node n) {
        try (NetlinkHandle h = NetlinkHandle.open(n.netns())) {
            int dev = h.links().require("flannel.1").index();
            return h.routes().list(Sockets.AF_INET).stream().filter(r -> r.oif() == dev && r.isOnlink()).count();
        }
    }

}
