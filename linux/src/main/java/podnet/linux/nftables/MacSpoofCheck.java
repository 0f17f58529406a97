package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * macspoofchk in nf_tables, spoken over NFNETLINK: frames a pod sends with any source MAC but
 * its own are dropped before the bridge sees them. One table {@code bridge podnet}, one base
 * chain {@code prerouting} (filter, priority -300, like the reference's), and one rule per
 * attachment, {@code iifname HOSTVETH ether saddr != MAC drop}, found again by its comment
 * {@code podnet-spoofchk ID IFNAME}. State lives only in the kernel.
 */
public final class MacSpoofCheck implements AutoCloseable {
    static final String TABLE = "podnet", CHAIN = "prerouting", COMMENT_PREFIX = "podnet-spoofchk ";
    private static final int FAMILY = NFPROTO_BRIDGE, PRIORITY = -300;
    /** The kernel takes at most 256 bytes of rule userdata: TLV header, text, NUL. */
    private static final int MAX_COMMENT = 250;

    /** The attachment a rule belongs to, as CNI names it. */
    public record Attachment(String containerId, String ifName) {}

    private final NetlinkSocket socket;

    private MacSpoofCheck(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket bound in {@code netns} (the node). */
    public static MacSpoofCheck open(Netns netns) {
        return new MacSpoofCheck(netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    /** The rule's comment; cut to what a comment holds (container IDs are ASCII). */
    static String comment(Attachment a) {
        String c = COMMENT_PREFIX + a.containerId() + " " + a.ifName();
        byte[] b = c.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_COMMENT ? c : new String(b, 0, MAX_COMMENT, StandardCharsets.UTF_8);
    }

    /** Table, chain (both created if missing) and the attachment's rule, in one transaction. */
    public void add(String hostVeth, MacAddress mac, Attachment owner) {
        String what = "nft add rule bridge " + TABLE + " " + CHAIN + " iifname " + hostVeth + " ether saddr != " + mac
                + " drop";
        new NftBatch(0)
                .add(NftMessages.newTable(FAMILY, TABLE), "nft add table bridge " + TABLE)
                .add(NftMessages.newBaseChain(FAMILY, TABLE, CHAIN, "filter", NF_BR_PRE_ROUTING, PRIORITY),
                        "nft add chain bridge " + TABLE + " " + CHAIN)
                .add(NftMessages.newSourceMacRule(FAMILY, TABLE, CHAIN, hostVeth, mac.bytes(), comment(owner)), what)
                .send(socket);
    }

    /** Removes the attachment's rule; none is fine. */
    public void remove(Attachment owner) {
        String c = comment(owner);
        for (RuleRef r : rules()) {
            if (c.equals(r.comment())) {
                delete(r);
            }
        }
    }

    /**
     * Deletes the chain and the table when no rule is left in them (a failed first ADD takes
     * back what it made); false when something still uses them or they are gone.
     */
    public boolean removeTableIfUnused() {
        return new NftBatch(0)
                .add(NftMessages.delChainIfEmpty(FAMILY, TABLE, CHAIN), "nft delete chain bridge " + TABLE + " " + CHAIN)
                .add(NftMessages.delTableIfEmpty(FAMILY, TABLE), "nft delete table bridge " + TABLE)
                .sendIfUnused(socket);
    }

    /** GC: removes the rules of attachments not in {@code valid}. */
    public void retain(Collection<Attachment> valid) {
        Set<String> keep = new HashSet<>();
        for (Attachment a : valid) {
            keep.add(comment(a));
        }
        for (RuleRef r : rules()) {
            if (!keep.contains(r.comment())) {
                delete(r);
            }
        }
    }

    /** Our rules (those with our comment); empty when the table does not exist. */
    List<RuleRef> rules() {
        List<RuleRef> ours = new ArrayList<>();
        for (RuleRef r : RuleRef.list(socket, FAMILY, TABLE, CHAIN, "nft list chain bridge " + TABLE + " " + CHAIN)) {
            if (r.comment() != null && r.comment().startsWith(COMMENT_PREFIX)) {
                ours.add(r); // plain loop: a one-shot plugin process pays for every lambda
            }
        }
        return ours;
    }

    private void delete(RuleRef r) {
        try {
            new NftBatch(0)
                    .add(NftMessages.delRule(FAMILY, TABLE, CHAIN, r.handle()),
                            "nft delete rule bridge " + TABLE + " " + CHAIN + " handle " + r.handle())
                    .send(socket);
        } catch (NetlinkException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
