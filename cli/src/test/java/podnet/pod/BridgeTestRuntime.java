package podnet.pod;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import podnet.cni.runtime.CniRuntime;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;

/**
 * A stand-in for the real in-process runtime in the CLI's tests: it really configures the
 * kernel with the Linux layer, like the bridge + host-local + loopback plugins would (bridge
 * with the gateway address, a veth from it to eth0 in the pod, address, lo up, default route),
 * in the namespace of the calling thread (the node). Leases are files like host-local's.
 * Counts its calls so tests can see ADD and DEL happened.
 */
public final class BridgeTestRuntime implements CniRuntime {
    public int adds;
    public int dels;

    @Override
    public synchronized String add(Path conflist, Attachment a) {
        adds++;
        Net net = Net.read(conflist);
        Cidr gateway = new Cidr(Cidr.add(net.subnet.network().address(), 1), net.subnet.prefixLength());
        Cidr ip = allocate(net, a.containerId());
        Netns pod = Netns.ofPath(a.netns());
        String hostVeth = "veth" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000000, Integer.MAX_VALUE));
        try (NetlinkHandle node = NetlinkHandle.open(); NetlinkHandle inPod = NetlinkHandle.open(pod)) {
            if (node.links().get(net.bridge).isEmpty()) {
                node.links().addBridge(net.bridge, 0, false);
            }
            node.links().setUp(net.bridge);
            boolean hasGw = node.addresses().list(net.bridge, 0).stream().anyMatch(x -> x.cidr().equals(gateway));
            if (!hasGw) {
                node.addresses().add(net.bridge, gateway);
            }
            node.links().addVeth(hostVeth, a.ifName(), pod, 0);
            node.links().setMaster(hostVeth, net.bridge);
            node.links().setUp(hostVeth);
            inPod.links().setUp("lo");
            inPod.addresses().add(a.ifName(), ip);
            inPod.links().setUp(a.ifName());
            int oif = inPod.links().require(a.ifName()).index();
            inPod.routes().add(Route.of(null, gateway.address(), oif));
            Link podEnd = inPod.links().require(a.ifName());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("cniVersion", "1.0.0");
            result.put("interfaces", List.of(Map.of("name", net.bridge), Map.of("name", hostVeth),
                    Map.of("name", a.ifName(), "mac", podEnd.mac().toString(), "sandbox", a.netns().toString())));
            result.put("ips", List.of(Map.of("address", ip.toString(), "gateway", Cidr.text(gateway.address()), "interface", 2)));
            return JSON.std.asString(result);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            del(conflist, a);
            throw e;
        }
    }

    @Override
    public synchronized void del(Path conflist, Attachment a) {
        dels++;
        Net net = Net.read(conflist);
        if (a.netns() != null && Files.exists(a.netns())) {
            try (NetlinkHandle inPod = NetlinkHandle.open(Netns.ofPath(a.netns()))) {
                inPod.links().deleteIfExists(a.ifName()); // takes the host end with it
            }
        }
        release(net, a.containerId());
    }

    @Override
    public void check(Path conflist, Attachment attachment) {
        throw new UnsupportedOperationException("CHECK");
    }

    @Override
    public List<Path> binDirs() {
        return List.of();
    }

    private static Cidr allocate(Net net, String id) {
        try {
            Files.createDirectories(net.leases);
            long size = 1L << (32 - net.subnet.prefixLength());
            for (long n = 2; n < size - 1; n++) {
                InetAddress addr = Cidr.add(net.subnet.network().address(), n);
                Path lease = net.leases.resolve(Cidr.text(addr));
                try {
                    Files.writeString(lease, id + "\r\neth0", java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE);
                    return new Cidr(addr, net.subnet.prefixLength());
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    // next
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no addresses left in " + net.subnet);
    }

    private static void release(Net net, String id) {
        if (!Files.isDirectory(net.leases)) {
            return;
        }
        try (var s = Files.list(net.leases)) {
            for (Path p : s.toList()) {
                if (Files.readString(p).startsWith(id + "\r\n")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What this stand-in reads from a conflist: the bridge, the subnet, the IPAM data dir. */
    private record Net(String bridge, Cidr subnet, Path leases) {
        @SuppressWarnings("unchecked")
        static Net read(Path conflist) {
            try {
                Map<String, Object> c = JSON.std.mapFrom(Files.readString(conflist));
                for (Object o : (List<Object>) c.get("plugins")) {
                    Map<String, Object> p = (Map<String, Object>) o;
                    if (!"bridge".equals(p.get("type"))) {
                        continue;
                    }
                    Map<String, Object> ipam = (Map<String, Object>) p.get("ipam");
                    String subnet = (String) ipam.get("subnet");
                    if (subnet == null) {
                        List<Object> ranges = (List<Object>) ipam.get("ranges");
                        subnet = (String) ((Map<String, Object>) ((List<Object>) ranges.get(0)).get(0)).get("subnet");
                    }
                    String dataDir = (String) ipam.getOrDefault("dataDir", "/var/lib/cni/networks");
                    return new Net((String) p.getOrDefault("bridge", "cni0"), Cidr.parse(subnet),
                            Path.of(dataDir, (String) c.get("name")));
                }
                throw new IllegalArgumentException(conflist + " has no bridge plugin");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
