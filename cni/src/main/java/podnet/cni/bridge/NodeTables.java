package podnet.cni.bridge;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import podnet.cni.spec.Call;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result.IpConfig;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.nftables.MacSpoofCheck;
import podnet.linux.nftables.Masquerade;
import podnet.linux.ns.Netns;

/**
 * The node's nf_tables state of an attachment: its masquerade set elements (ipMasq) and its
 * MAC spoof rule (macspoofchk). Both live in the node's netns, the calling thread's.
 */
final class NodeTables {
    private NodeTables() {}

    private static MacSpoofCheck.Attachment owner(Call call) {
        return new MacSpoofCheck.Attachment(call.env().containerId(), call.env().ifName());
    }

    static void addSpoofCheck(Call call, String hostVeth, MacAddress mac, Undo undo) {
        MacSpoofCheck.Attachment owner = owner(call);
        try (MacSpoofCheck sc = MacSpoofCheck.open(Netns.CURRENT)) {
            sc.add(hostVeth, mac, owner);
        }
        undo.push("macspoofchk rule", () -> {
            try (MacSpoofCheck sc = MacSpoofCheck.open(Netns.CURRENT)) {
                sc.remove(owner);
                sc.removeTableIfUnused(); // the first pod's failed ADD leaves no empty table
            }
        });
    }

    static void removeSpoofCheck(Call call) {
        try (MacSpoofCheck sc = MacSpoofCheck.open(Netns.CURRENT)) {
            sc.remove(owner(call));
        }
    }

    /** GC: the rules of attachments not in the call's valid list go. */
    static void retainSpoofChecks(Call call) {
        List<MacSpoofCheck.Attachment> valid = new ArrayList<>();
        for (NetConf.Attachment a : call.conf().validAttachments()) {
            valid.add(new MacSpoofCheck.Attachment(a.containerId(), a.ifName()));
        }
        try (MacSpoofCheck sc = MacSpoofCheck.open(Netns.CURRENT)) {
            sc.retain(valid);
        }
    }

    /**
     * The network's masquerade set up for each address's subnet, and the pod's addresses in it.
     * What this ADD created (set, rule, chain, table) is taken back by {@code undo} unless
     * another pod's address is in it by then.
     */
    static void addMasquerade(Call call, List<IpConfig> ips, Undo undo) {
        String network = call.conf().name();
        try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
            for (IpConfig ip : ips) {
                InetAddress a = ip.address().address();
                if (masq.ensureNetwork(network, ip.address().network())) {
                    undo.push("masquerade of network " + network, () -> {
                        try (Masquerade m = Masquerade.open(Netns.CURRENT)) {
                            m.removeNetworkIfUnused(network);
                        }
                    });
                }
                try {
                    masq.add(network, a);
                } catch (IllegalStateException e) {
                    // a failed ADD of another pod took the set back between our two steps
                    masq.ensureNetwork(network, ip.address().network());
                    masq.add(network, a);
                }
                undo.push("masquerade remove " + Cidr.text(a), () -> {
                    try (Masquerade m = Masquerade.open(Netns.CURRENT)) {
                        m.remove(network, a);
                    }
                });
            }
        }
    }

    static void removeMasquerade(Call call, Collection<InetAddress> podIps) {
        if (podIps.isEmpty()) {
            return;
        }
        try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
            for (InetAddress a : podIps) {
                masq.remove(call.conf().name(), a);
            }
        }
    }

    /**
     * GC: removes the elements of released addresses and, when the IPAM plugin can list its
     * leases ({@code leased} not null), every element without one (e.g. a crash between IPAM DEL
     * and the element's removal).
     */
    static void collectMasquerade(Call call, List<InetAddress> released, Set<InetAddress> leased) {
        try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
            Set<InetAddress> stale = new LinkedHashSet<>(released);
            if (leased != null) {
                for (InetAddress m : masq.members(call.conf().name())) {
                    if (!leased.contains(m)) {
                        stale.add(m);
                    }
                }
            }
            for (InetAddress a : stale) {
                masq.remove(call.conf().name(), a);
            }
        }
    }
}
