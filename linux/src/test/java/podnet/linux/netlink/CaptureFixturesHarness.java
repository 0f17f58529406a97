package podnet.linux.netlink;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;
import podnet.linux.sys.ffm.SocketCalls;

/**
 * Regenerates the hex fixtures under {@code src/test/resources/netlink/} (raw datagrams as our
 * socket receives them, one per line) plus {@code ip -j} output to compare with. Not part of the
 * suite (its name does not end in Test); run it on purpose:
 * {@code mvn -pl linux test -Dtest=CaptureFixturesHarness -Dpodnet.capture=/tmp/capture}.
 */
class CaptureFixturesHarness {
    private static final String OUT = System.getProperty("podnet.capture", "");

    @Test
    void capture() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(OUT.isEmpty(), "set -Dpodnet.capture=DIR");
        Files.createDirectories(Path.of(OUT));
        try (TestNetns t = new TestNetns("cap")) {
            Netns node = t.add("node");
            Netns pod = t.add("pod");
            try (NetlinkHandle h = NetlinkHandle.open(node); NetlinkHandle p = NetlinkHandle.open(pod)) {
                h.links().addBridge("br0", 0, false);
                h.links().addVeth("veth0", "eth0", pod, 1400);
                h.links().setMac("br0", podnet.linux.inet.MacAddress.parse("02:00:00:00:00:b0"));
                h.links().setMac("veth0", podnet.linux.inet.MacAddress.parse("02:00:00:00:00:01"));
                h.links().setMaster("veth0", "br0");
                h.links().setBridgePort("veth0", new BridgePort.Change(true, false, true));
                h.links().setUp("lo");
                h.links().setUp("br0");
                h.links().setUp("veth0");
                h.addresses().add("br0", Cidr.parse("10.244.2.1/24"));
                h.addresses().add("br0", Cidr.parse("fd00:10::1/64"), Address.IFA_F_NODAD);
                p.links().setUp("eth0");
                p.addresses().add("eth0", Cidr.parse("10.244.2.7/24"));
                h.routes().add(Route.of(Cidr.parse("10.99.0.0/16"), Cidr.parseAddress("10.244.2.7"), 0));
                p.routes().add(Route.of(null, Cidr.parseAddress("10.244.2.1"), 0));
            }
            capture(node, "links.hex", Rtm.ifinfomsg(Rtm.GETLINK, NlMessage.NLM_F_DUMP, 0, 0, 0, 0));
            capture(node, "addresses.hex", new NlRequest(Rtm.GETADDR, NlMessage.NLM_F_DUMP).u8(0).u8(0).u8(0).u8(0).u32(0));
            capture(node, "routes.hex", new NlRequest(Rtm.GETROUTE, NlMessage.NLM_F_DUMP).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0));
            capture(pod, "routes-pod.hex", new NlRequest(Rtm.GETROUTE, NlMessage.NLM_F_DUMP).u8(2).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0));
            capture(pod, "links-pod.hex", Rtm.ifinfomsg(Rtm.GETLINK, NlMessage.NLM_F_DUMP, 0, 0, 0, 0));
            // An error: add 10.244.2.1/24 to br0 again (EEXIST with ext-ack text).
            int br;
            try (NetlinkHandle h = NetlinkHandle.open(node)) {
                br = h.links().require("br0").index();
            }
            NlRequest dup = new NlRequest(Rtm.NEWADDR, NlMessage.NLM_F_ACK | 0x400 | 0x200).u8(2).u8(24).u8(0).u8(0).u32(br)
                    .attrAddress(2, Cidr.parseAddress("10.244.2.1")).attrAddress(1, Cidr.parseAddress("10.244.2.1"));
            capture(node, "error-eexist.hex", dup);
            Ip.run("sh", "-c", "ip -n " + t.name("node") + " -d -j link show > " + OUT + "/links.json; ip -n "
                    + t.name("node") + " -j addr show > " + OUT + "/addr.json; ip -n " + t.name("node")
                    + " -j route show table all > " + OUT + "/routes.json; ip -n " + t.name("pod")
                    + " -d -j link > " + OUT + "/links-pod.json; ip -n " + t.name("pod") + " -j route show table all > " + OUT + "/routes-pod.json").ok();
        }
    }

    private static void capture(Netns ns, String file, NlRequest req) throws Exception {
        List<String> lines = new ArrayList<>();
        ns.run(() -> {
            int fd = SocketCalls.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW, 0);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment one = a.allocate(JAVA_INT);
                one.set(JAVA_INT, 0, 1);
                SocketCalls.setsockopt(fd, 270, 10, one);
                SocketCalls.setsockopt(fd, 270, 11, one);
                MemorySegment addr = a.allocate(12, 4);
                addr.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
                SocketCalls.bind(fd, addr);
                req.addFlags(NlMessage.NLM_F_REQUEST);
                ByteBuffer b = req.toBytes(0x1234, 0);
                MemorySegment out = a.allocate(b.remaining(), 8);
                MemorySegment.copy(MemorySegment.ofBuffer(b), 0, out, 0, b.remaining());
                MemorySegment kernel = a.allocate(12, 4);
                kernel.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
                SocketCalls.sendto(fd, out, b.remaining(), 0, kernel);
                MemorySegment buf = a.allocate(65536, 8);
                boolean done = false;
                while (!done) {
                    long n = SocketCalls.recvfrom(fd, buf, 0);
                    byte[] d = buf.asSlice(0, n).toArray(JAVA_BYTE);
                    lines.add(HexFormat.of().formatHex(d));
                    for (NlMessage m : NlMessage.parseAll(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()))) {
                        if (m.type() == NlMessage.NLMSG_DONE || m.type() == NlMessage.NLMSG_ERROR) {
                            done = true;
                        }
                    }
                }
            } finally {
                podnet.linux.sys.FileDescriptor.close(fd);
            }
        });
        try {
            Files.write(Path.of(OUT, file), lines);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
