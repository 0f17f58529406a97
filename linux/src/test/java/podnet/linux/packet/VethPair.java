package podnet.linux.packet;

import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.TestNetns;

/**
 * Two throwaway namespaces joined by a veth pair: {@code a} (10.244.2.207/24) on device
 * {@code devA} in {@code netA}, {@code b} (10.244.2.208/24) on {@code devB} in {@code netB}.
 */
public record VethPair(Netns netA, Netns netB, String devA, String devB) {
    public static final String A = "10.244.2.207", B = "10.244.2.208";

    public static VethPair create(TestNetns namespaces) {
        Netns netA = namespaces.add("capA");
        Netns netB = namespaces.add("capB");
        String a = TestNetns.ifname("cap");
        String b = "eth0";
        try (NetlinkHandle inA = NetlinkHandle.open(netA); NetlinkHandle inB = NetlinkHandle.open(netB)) {
            inA.links().addVeth(a, b, netB, 0);
            inA.addresses().add(a, Cidr.parse(A + "/24"));
            inB.addresses().add(b, Cidr.parse(B + "/24"));
            inA.links().setUp("lo");
            inB.links().setUp("lo");
            inA.links().setUp(a);
            inB.links().setUp(b);
        }
        return new VethPair(netA, netB, a, b);
    }
}
