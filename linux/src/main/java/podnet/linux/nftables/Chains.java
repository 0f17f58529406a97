package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * Reads the chains of every table of a namespace's nf_tables ruleset (all families, including
 * the ones iptables-nft makes), for checks such as "is bridged traffic forwarded through a
 * chain that drops by default".
 */
public final class Chains {
    private Chains() {}

    private static final String[] FAMILIES = new String[13];
    private static final String[] IPV4_HOOKS = {"prerouting", "input", "forward", "output", "postrouting"};

    static {
        FAMILIES[NFPROTO_INET] = "inet";
        FAMILIES[NFPROTO_IPV4] = "ip";
        FAMILIES[3] = "arp";
        FAMILIES[5] = "netdev";
        FAMILIES[7] = "bridge";
        FAMILIES[NFPROTO_IPV6] = "ip6";
    }

    public static List<NftChain> list(Netns netns) {
        try (NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER))) {
            List<NlMessage> replies;
            try {
                replies = s.dump(NftMessages.message(type(GETCHAIN), 0, NFPROTO_UNSPEC, 0), "nft list chains" + where(netns));
            } catch (NetlinkException e) {
                if (e.is(Errno.ENOENT)) {
                    return List.of();
                }
                throw e;
            }
            List<NftChain> out = new ArrayList<>();
            for (NlMessage m : replies) {
                out.add(parse(m));
            }
            return out;
        }
    }

    static NftChain parse(NlMessage m) {
        int family = Byte.toUnsignedInt(m.payload().get(0));
        NlAttrs a = m.attrs(4);
        String hook = null;
        Integer priority = null, policy = be32(a.get(CHAIN_POLICY));
        if (a.has(CHAIN_HOOK)) {
            NlAttrs h = a.nested(CHAIN_HOOK);
            Integer num = be32(h.get(HOOK_HOOKNUM));
            priority = be32(h.get(HOOK_PRIORITY));
            hook = num == null ? null : hookName(family, num);
        }
        return new NftChain(family < FAMILIES.length && FAMILIES[family] != null ? FAMILIES[family] : "family" + family,
                a.string(CHAIN_TABLE), a.string(CHAIN_NAME), a.string(CHAIN_TYPE), hook, priority,
                policy == null ? null : policy == NF_ACCEPT ? "accept" : policy == 0 ? "drop" : "verdict" + policy);
    }

    /** NF_INET_* hook names; netdev's hook 0 is ingress, arp's are input/output/forward. */
    private static String hookName(int family, int num) {
        if (family == 5) {
            return num == 0 ? "ingress" : num == 1 ? "egress" : "hook" + num;
        }
        if (family == 3) {
            return switch (num) {
                case 0 -> "input";
                case 1 -> "output";
                case 2 -> "forward";
                default -> "hook" + num;
            };
        }
        if (num == 5) {
            return "ingress";
        }
        return num >= 0 && num < IPV4_HOOKS.length ? IPV4_HOOKS[num] : "hook" + num;
    }

    private static Integer be32(ByteBuffer b) {
        return b == null || b.remaining() < 4 ? null : b.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(b.position());
    }

    private static String where(Netns netns) {
        return netns.isCurrent() ? "" : " in " + netns;
    }
}
