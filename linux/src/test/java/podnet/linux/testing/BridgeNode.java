package podnet.linux.testing;

import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;

/**
 * The article's node built directly with the Linux layer, for tests that need pods without the
 * CNI plugins: a node namespace with {@code cni0} at 10.244.2.1/24 and pods, each a namespace
 * whose eth0 (10.244.2.2, .3, ...) is a veth to a port of cni0. Owned by a {@link TestNetns},
 * so it all goes away with it.
 */
public final class BridgeNode {
    public record Pod(Netns netns, String hostVeth, String ip) {}

    public final Netns node;
    public final List<Pod> pods = new ArrayList<>();

    private BridgeNode(Netns node) {
        this.node = node;
    }

    public static BridgeNode create(TestNetns namespaces, int podCount) {
        BridgeNode n = new BridgeNode(namespaces.add("node"));
        try (NetlinkHandle h = NetlinkHandle.open(n.node)) {
            h.links().setUp("lo");
            h.links().addBridge("cni0", 0, false);
            h.addresses().add("cni0", Cidr.parse("10.244.2.1/24"));
            h.links().setUp("cni0");
            for (int i = 0; i < podCount; i++) {
                Netns pod = namespaces.add("pod" + i);
                String host = String.format("veth%08x", 0x1000 + i);
                String ip = "10.244.2." + (2 + i);
                h.links().addVeth(host, "eth0", pod, 0);
                h.links().setMaster(host, "cni0");
                h.links().setUp(host);
                try (NetlinkHandle p = NetlinkHandle.open(pod)) {
                    p.links().setUp("lo");
                    p.addresses().add("eth0", Cidr.parse(ip + "/24"));
                    p.links().setUp("eth0");
                }
                n.pods.add(new Pod(pod, host, ip));
            }
        }
        return n;
    }
}
