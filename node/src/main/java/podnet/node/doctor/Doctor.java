package podnet.node.doctor;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.VethPeers;
import podnet.linux.nftables.Chains;
import podnet.linux.nftables.Masquerade;
import podnet.linux.nftables.NftChain;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;

/**
 * Checks a node's pod network for the faults that silently break it, each with its fix: the
 * bridge's address against the configured subnet, leases nobody holds, MTUs that disagree,
 * hairpin off, bridged traffic sent through a FORWARD chain that drops, forwarding off,
 * strict reverse-path filtering, masquerade set elements of pods that are gone, and a
 * conntrack table near full. Reads only; changes nothing.
 */
public final class Doctor {
    private Doctor() {}

    /** Conntrack use above this share of the maximum is reported. */
    static final double CONNTRACK_LIMIT = 0.9;
    static final int VXLAN_OVERHEAD = 50;

    /** A pod's end as the node sees it: host veth, the pod side's MTU and IPv4 addresses. */
    record PodEnd(Link hostVeth, int podMtu, List<InetAddress> addresses) {}

    public static List<Finding> examine(Netns node, Path conflist) {
        List<Finding> out = new ArrayList<>();
        NetworkConfig conf = conflist != null && Files.isReadable(conflist) ? NetworkConfig.read(conflist) : null;
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            List<Link> links = h.links().list();
            String bridgeName = conf != null ? conf.bridge() : links.stream().filter(Link::isBridge).map(Link::name)
                    .findFirst().orElse("cni0");
            Optional<Link> bridge = links.stream().filter(l -> l.name().equals(bridgeName)).findFirst();
            if (bridge.isEmpty()) {
                out.add(Finding.wrong("bridge", "no bridge " + bridgeName + " in " + node.label(),
                        "start a pod (the bridge plugin creates it), or check --network/-n"));
                return out;
            }
            Link br = bridge.get();
            List<Address> addrs = h.addresses().list(0);
            List<PodEnd> pods = podEnds(h, links, br);
            out.add(bridgeAddress(conf, br, addrs));
            out.add(leases(conf, pods));
            out.add(mtu(br, links, pods, conf));
            out.add(hairpin(conf, br, pods));
            out.add(brNetfilter(node, br));
            out.add(ipForward(node));
            out.add(rpFilter(node, br));
            out.add(masquerade(node, conf, pods));
            out.add(conntrack(node));
        }
        return out;
    }

    private static List<PodEnd> podEnds(NetlinkHandle h, List<Link> links, Link br) {
        List<PodEnd> out = new ArrayList<>();
        for (Link l : links) {
            if (l.masterIndex() != br.index() || !l.isVeth()) {
                continue;
            }
            int mtu = 0;
            List<InetAddress> ips = new ArrayList<>();
            Optional<VethPeers.Peer> peer = VethPeers.of(h, l);
            if (peer.isPresent() && peer.get().netns() != null && !peer.get().sameNetns()) {
                try (NetlinkHandle p = NetlinkHandle.open(peer.get().netns())) {
                    Optional<Link> end = p.links().get(peer.get().index());
                    mtu = end.map(Link::mtu).orElse(0);
                    for (Address a : p.addresses().list(0)) {
                        if (end.isPresent() && a.index() == end.get().index()) {
                            ips.add(a.cidr().address());
                        }
                    }
                } catch (RuntimeException e) {
                    // the pod's namespace went away while we looked
                }
            }
            out.add(new PodEnd(l, mtu, ips));
        }
        return out;
    }

    static Finding bridgeAddress(NetworkConfig conf, Link br, List<Address> addrs) {
        String check = "bridge address";
        List<Cidr> mine = addrs.stream().filter(a -> a.index() == br.index() && a.isIpv4()).map(Address::cidr).toList();
        if (conf == null || conf.subnet() == null) {
            return Finding.ok(check, br.name() + " has " + mine + " (no conflist to compare with)");
        }
        List<Cidr> stale = mine.stream().filter(c -> !conf.subnet().contains(c.address())).toList();
        if (!stale.isEmpty()) {
            return Finding.wrong(check, br.name() + " has " + stale + " outside the node subnet " + conf.subnet()
                    + " (left from an earlier subnet: pods get a gateway that is not on their link)",
                    "podnet -n NODE addr del " + stale.getFirst() + " dev " + br.name());
        }
        return Finding.ok(check, br.name() + " " + mine + " is inside " + conf.subnet());
    }

    static Finding leases(NetworkConfig conf, List<PodEnd> pods) {
        String check = "leases";
        if (conf == null || !Files.isDirectory(conf.leases())) {
            return Finding.ok(check, "no lease directory to check");
        }
        Set<String> used = new HashSet<>();
        pods.forEach(p -> p.addresses().forEach(a -> used.add(Cidr.text(a))));
        List<String> leaked = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(conf.leases())) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.equals("lock") || n.startsWith("last_reserved_ip")) {
                    continue;
                }
                if (!used.contains(n)) {
                    leaked.add(n);
                }
            }
        } catch (IOException e) {
            return Finding.wrong(check, "cannot read " + conf.leases() + ": " + e.getMessage(), "check its permissions");
        }
        leaked.sort(null);
        if (!leaked.isEmpty()) {
            return Finding.wrong(check, leaked.size() + " lease(s) held by no pod: " + leaked,
                    "remove them: rm " + conf.leases() + "/{" + String.join(",", leaked) + "} (or `podnet pod rm` the pod that lost its netns)");
        }
        return Finding.ok(check, "every lease in " + conf.leases() + " belongs to a pod");
    }

    static Finding mtu(Link br, List<Link> links, List<PodEnd> pods, NetworkConfig conf) {
        String check = "mtu";
        List<String> wrong = new ArrayList<>();
        for (PodEnd p : pods) {
            if (p.hostVeth().mtu() != br.mtu()) {
                wrong.add(p.hostVeth().name() + " " + p.hostVeth().mtu() + " vs bridge " + br.mtu());
            }
            if (p.podMtu() != 0 && p.podMtu() != p.hostVeth().mtu()) {
                wrong.add("pod side of " + p.hostVeth().name() + " " + p.podMtu() + " vs " + p.hostVeth().mtu());
            }
        }
        for (Link l : links) {
            if ("vxlan".equals(l.kind()) && l.linkIndex() != 0) {
                links.stream().filter(u -> u.index() == l.linkIndex()).findFirst().filter(u -> l.mtu() > u.mtu() - VXLAN_OVERHEAD)
                        .ifPresent(u -> wrong.add("tunnel " + l.name() + " " + l.mtu() + " > " + u.name() + " " + u.mtu()
                                + " - " + VXLAN_OVERHEAD));
            }
        }
        if (conf != null && conf.mtu() > 0 && br.mtu() != conf.mtu()) {
            wrong.add("bridge " + br.mtu() + " vs configured " + conf.mtu());
        }
        if (!wrong.isEmpty()) {
            return Finding.wrong(check, String.join("; ", wrong),
                    "give every link of the path the same MTU: podnet -n NODE link set DEV mtu " + br.mtu()
                            + " (and the pod's eth0 to match its host veth)");
        }
        return Finding.ok(check, "bridge, " + pods.size() + " veth(s) and their pod ends agree (" + br.mtu() + ")");
    }

    static Finding hairpin(NetworkConfig conf, Link br, List<PodEnd> pods) {
        String check = "hairpin";
        if (conf != null && !conf.hairpin()) {
            return Finding.ok(check, "hairpin not asked for by " + conf.file());
        }
        List<String> off = pods.stream().filter(p -> p.hostVeth().port() != null && !p.hostVeth().port().hairpin())
                .map(p -> p.hostVeth().name()).toList();
        if (!off.isEmpty()) {
            return Finding.wrong(check, "hairpin off on " + off + " (a pod cannot reach itself through a service IP)",
                    "bridge link set dev " + off.getFirst() + " hairpin on (for each)");
        }
        return Finding.ok(check, "hairpin on for " + pods.size() + " port(s) of " + br.name());
    }

    static Finding brNetfilter(Netns node, Link br) {
        String check = "br_netfilter";
        String calls;
        try {
            calls = Sysctl.get(node, "net/bridge/bridge-nf-call-iptables");
        } catch (RuntimeException e) {
            return Finding.ok(check, "br_netfilter not active (bridged frames skip the IP FORWARD chain)");
        }
        if (!"1".equals(calls)) {
            return Finding.ok(check, "bridge-nf-call-iptables is " + calls);
        }
        List<NftChain> dropping = Chains.list(node).stream().filter(c -> "forward".equals(c.hook()) && c.dropsByDefault()
                && (c.family().equals("ip") || c.family().equals("inet"))).toList();
        if (!dropping.isEmpty()) {
            return Finding.wrong(check, "br_netfilter sends bridged pod traffic through " + dropping
                    + ", which drops what no rule accepts: pods on " + br.name() + " cannot reach each other",
                    "accept the pod traffic: nft add rule " + dropping.getFirst().family() + " " + dropping.getFirst().table()
                            + " " + dropping.getFirst().name() + " iifname " + br.name() + " accept (or iptables -P FORWARD ACCEPT)");
        }
        return Finding.ok(check, "bridge-nf-call-iptables is on, no FORWARD chain drops by default");
    }

    static Finding ipForward(Netns node) {
        String v = Sysctl.get(node, "net.ipv4.ip_forward");
        return "1".equals(v) ? Finding.ok("ip_forward", "on")
                : Finding.wrong("ip_forward", "net.ipv4.ip_forward is " + v + ": pods cannot reach beyond the node",
                        "sysctl -w net.ipv4.ip_forward=1 (in the node's namespace)");
    }

    static Finding rpFilter(Netns node, Link br) {
        int all = Integer.parseInt(Sysctl.get(node, "net.ipv4.conf.all.rp_filter"));
        int dev = Integer.parseInt(Sysctl.get(node, Sysctl.conf("ipv4", br.name(), "rp_filter")));
        int effective = Math.max(all, dev);
        return effective == 1
                ? Finding.wrong("rp_filter", "strict reverse-path filtering on " + br.name() + " (all=" + all + ", "
                        + br.name() + "=" + dev + "): replies on asymmetric paths are dropped",
                        "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + br.name() + ".rp_filter=2 (loose)")
                : Finding.ok("rp_filter", br.name() + " effective " + effective + (effective == 0 ? " (off)" : " (loose)"));
    }

    static Finding masquerade(Netns node, NetworkConfig conf, List<PodEnd> pods) {
        String check = "nft elements";
        if (conf == null) {
            return Finding.ok(check, "no conflist: network name unknown");
        }
        Set<InetAddress> live = new HashSet<>();
        pods.forEach(p -> live.addAll(p.addresses()));
        Set<InetAddress> members;
        try (Masquerade m = Masquerade.open(node)) {
            members = m.members(conf.name());
        }
        List<String> gone = members.stream().filter(a -> !live.contains(a)).map(Cidr::text).sorted().toList();
        if (!gone.isEmpty()) {
            return Finding.wrong(check, "masquerade set of " + conf.name() + " holds " + gone + " of pods that are gone",
                    "nft delete element inet podnet pn4-" + conf.name() + " { " + String.join(", ", gone) + " }");
        }
        return Finding.ok(check, members.size() + " masquerade element(s), all of live pods");
    }

    static Finding conntrack(Netns node) {
        try {
            long count = Long.parseLong(Sysctl.get(node, "net.netfilter.nf_conntrack_count"));
            long max = Long.parseLong(Sysctl.get(node, "net.netfilter.nf_conntrack_max"));
            return conntrack(count, max);
        } catch (RuntimeException e) {
            return Finding.ok("conntrack", "no conntrack table in use");
        }
    }

    static Finding conntrack(long count, long max) {
        if (max > 0 && count >= CONNTRACK_LIMIT * max) {
            return Finding.wrong("conntrack", count + " of " + max + " entries in use: new connections will be dropped",
                    "raise net.netfilter.nf_conntrack_max (on the host), or find what opens so many connections");
        }
        return Finding.ok("conntrack", count + " of " + max + " entries");
    }
}
