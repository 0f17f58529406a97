package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * Pod masquerade in nf_tables, spoken over NFNETLINK (no nft process). One table
 * {@code inet podnet} with one base chain {@code postrouting} (nat, srcnat); per CNI network a
 * set of pod addresses per family ({@code pn4-NET}, {@code pn6-NET}) and one rule per subnet
 * (see {@link MasqueradeRule}). Setting a network up is done once; a pod's ADD and DEL then
 * add or remove one set element. State lives only in the kernel, so any process can pick up
 * where another left off. Safe to share between threads.
 */
public final class Masquerade implements AutoCloseable {
    static final String TABLE = "podnet";
    static final String CHAIN = "postrouting";
    private static final int FAMILY = NFPROTO_INET;
    private static final int MAX_ATTEMPTS = 20;

    private final Netns netns;
    private final NetlinkSocket socket;

    private Masquerade(Netns netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket bound in {@code netns} (it stays there whatever thread uses it). */
    public static Masquerade open(Netns netns) {
        return new Masquerade(netns, netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    /**
     * Makes sure the table, the chain, the network's set for {@code subnet}'s family and its rule
     * for {@code subnet} exist. When they do, this costs one rule dump; otherwise everything
     * missing is created in one atomic batch, guarded by the ruleset generation so that
     * concurrent callers never add the rule twice. Returns true when this call created them.
     */
    public boolean ensureNetwork(String network, Cidr subnet) {
        MasqueradeRule rule = new MasqueradeRule(SetNames.of(network, !subnet.isIpv4()), subnet);
        String comment = rule.comment();
        if (hasRule(comment)) {
            return false;
        }
        String what = " (masquerade of network " + network + ")";
        for (int attempt = 1; ; attempt++) {
            int genId = generation();
            if (hasRule(comment)) { // read after the generation: a batch built on it is safe
                return false;
            }
            int setId = 1;
            NftBatch batch = new NftBatch(genId)
                    .add(NftMessages.newTable(FAMILY, TABLE), "nft add table inet " + TABLE + what)
                    .add(NftMessages.newNatPostroutingChain(FAMILY, TABLE, CHAIN, PRIORITY_SRCNAT),
                            "nft add chain inet " + TABLE + " " + CHAIN + " (type nat hook postrouting)" + what)
                    .add(NftMessages.newAddressSet(FAMILY, TABLE, rule.set(), rule.ipv6(), setId),
                            "nft add set inet " + TABLE + " " + rule.set() + what)
                    .add(NftMessages.newRule(FAMILY, TABLE, CHAIN, rule, setId),
                            "nft add rule inet " + TABLE + " " + CHAIN + " for " + rule.subnet() + what);
            if (sentUnlessRestarted(batch, attempt)) {
                return true;
            }
        }
    }

    /**
     * Takes back what {@link #ensureNetwork} created when nothing uses it any more: the
     * network's rules and sets if they have no element, then the chain and the table if no
     * other network has anything in them. Returns whether the network's sets are gone. An
     * element added meanwhile makes the kernel refuse the deletion (see NLM_F_NONREC), so no
     * other pod ever loses its masquerade.
     */
    public boolean removeNetworkIfUnused(String network) {
        NftBatch batch = deleteNetwork(new NftBatch(0), network, true);
        if (batch.size() > 0 && !batch.sendIfUnused(socket)) {
            return false;
        }
        new NftBatch(0)
                .add(NftMessages.delChainIfEmpty(FAMILY, TABLE, CHAIN), "nft delete chain inet " + TABLE + " " + CHAIN)
                .add(NftMessages.delTableIfEmpty(FAMILY, TABLE), "nft delete table inet " + TABLE)
                .sendIfUnused(socket);
        return true;
    }

    /**
     * Masquerades everything from {@code network} (the cluster's whole pod network) to outside
     * it, multicast exempt: flannel's {@code --ip-masq}. Pod-to-pod traffic across nodes stays
     * unmasqueraded. One rule, found again by its comment; creating it is one atomic batch.
     */
    public void ensureNetworkWide(Cidr network) {
        MasqueradeRule rule = MasqueradeRule.networkWide(network);
        String what = " (masquerade from network " + rule.subnet() + " to outside it)";
        for (int attempt = 1; ; attempt++) {
            int genId = generation();
            if (hasRule(rule.comment())) {
                return;
            }
            NftBatch batch = new NftBatch(genId)
                    .add(NftMessages.newTable(FAMILY, TABLE), "nft add table inet " + TABLE + what)
                    .add(NftMessages.newNatPostroutingChain(FAMILY, TABLE, CHAIN, PRIORITY_SRCNAT),
                            "nft add chain inet " + TABLE + " " + CHAIN + " (type nat hook postrouting)" + what)
                    .add(NftMessages.newRule(FAMILY, TABLE, CHAIN, rule, 0),
                            "nft add rule inet " + TABLE + " " + CHAIN + " for " + rule.subnet() + what);
            if (sentUnlessRestarted(batch, attempt)) {
                return;
            }
        }
    }

    /** Whether {@link #ensureNetworkWide} made its rule for {@code network}. */
    public boolean hasNetworkWide(Cidr network) {
        return hasRule(MasqueradeRule.networkWide(network).comment());
    }

    /** Removes the rule of {@link #ensureNetworkWide}; none there is fine. */
    public void removeNetworkWide(Cidr network) {
        String comment = MasqueradeRule.networkWide(network).comment();
        for (int attempt = 1; ; attempt++) {
            NftBatch batch = new NftBatch(generation());
            for (RuleRef r : rules()) {
                if (comment.equals(r.comment())) {
                    batch.add(NftMessages.delRule(FAMILY, TABLE, CHAIN, r.handle()),
                            "nft delete rule inet " + TABLE + " " + CHAIN + " handle " + r.handle());
                }
            }
            if (batch.size() == 0 || sentUnlessRestarted(batch, attempt)) {
                return;
            }
        }
    }

    /** Adds a pod address to its network's set; an address already there is fine. */
    public void add(String network, InetAddress podIp) {
        String set = setFor(network, podIp);
        try {
            change(NftMessages.newSetElement(FAMILY, TABLE, set, podIp),
                    "nft add element inet " + TABLE + " " + set + " " + Cidr.text(podIp));
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                throw new IllegalStateException("masquerade of network " + network + " is not set up for "
                        + Cidr.text(podIp) + " (no set inet " + TABLE + " " + set + "): call ensureNetwork first", e);
            }
            throw e;
        }
    }

    /** Removes a pod address from its network's set; a missing address or set is fine. */
    public void remove(String network, InetAddress podIp) {
        String set = setFor(network, podIp);
        try {
            change(NftMessages.delSetElement(FAMILY, TABLE, set, podIp),
                    "nft delete element inet " + TABLE + " " + set + " " + Cidr.text(podIp));
        } catch (NetlinkException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e;
            }
        }
    }

    /** The pod addresses in the network's sets (IPv4 then IPv6); empty when it has none. */
    public Set<InetAddress> members(String network) {
        Set<InetAddress> out = new LinkedHashSet<>();
        List<String> existing = sets();
        for (String set : new String[] {SetNames.of(network, false), SetNames.of(network, true)}) {
            if (!existing.contains(set)) {
                continue; // skip rather than provoke ENOENT: an exception costs a cold process a strerror link
            }
            List<NlMessage> replies;
            try {
                replies = socket.dump(NftMessages.getSetElements(FAMILY, TABLE, set),
                        "nft list set inet " + TABLE + " " + set);
            } catch (NetlinkException e) {
                if (e.is(Errno.ENOENT)) {
                    continue; // deleted since we listed the sets
                }
                throw e;
            }
            for (NlMessage m : replies) {
                NlAttrs elements = m.attrs(4).nested(SET_ELEM_LIST_ELEMENTS);
                for (ByteBuffer elem : elements.all(LIST_ELEM)) {
                    InetAddress a = NlAttrs.parse(elem, 0).nested(SET_ELEM_KEY).address(DATA_VALUE);
                    if (a != null) {
                        out.add(a);
                    }
                }
            }
        }
        return out;
    }

    /** Deletes the network's rules and sets (both families); the table and chain stay. */
    public void removeNetwork(String network) {
        for (int attempt = 1; ; attempt++) {
            NftBatch batch = deleteNetwork(new NftBatch(generation()), network, false);
            if (batch.size() == 0 || sentUnlessRestarted(batch, attempt)) {
                return;
            }
        }
    }

    /**
     * Adds to {@code batch} the deletion of the network's rules and sets as they are now (both
     * families); with {@code ifEmpty} the kernel keeps a set that has elements (NLM_F_NONREC).
     */
    private NftBatch deleteNetwork(NftBatch batch, String network, boolean ifEmpty) {
        String set4 = SetNames.of(network, false);
        String set6 = SetNames.of(network, true);
        for (RuleRef r : rules()) {
            String set = MasqueradeRule.setOf(r.comment());
            if (set4.equals(set) || set6.equals(set)) {
                batch.add(NftMessages.delRule(FAMILY, TABLE, CHAIN, r.handle()),
                        "nft delete rule inet " + TABLE + " " + CHAIN + " handle " + r.handle());
            }
        }
        for (String set : sets()) {
            if (set.equals(set4) || set.equals(set6)) {
                batch.add(ifEmpty ? NftMessages.delSetIfEmpty(FAMILY, TABLE, set) : NftMessages.delSet(FAMILY, TABLE, set),
                        "nft delete set inet " + TABLE + " " + set);
            }
        }
        return batch;
    }

    public Netns netns() {
        return netns;
    }

    @Override
    public void close() {
        socket.close();
    }

    // ---- internals ------------------------------------------------------------------------

    private String setFor(String network, InetAddress podIp) {
        return SetNames.of(network, podIp.getAddress().length == 16);
    }

    private void change(NlRequest req, String what) {
        new NftBatch(0).add(req, what).send(socket);
    }

    private boolean hasRule(String comment) {
        for (RuleRef r : rules()) {
            if (comment.equals(r.comment())) {
                return true;
            }
        }
        return false;
    }

    /** The rules of our chain; none when the table or chain does not exist. */
    List<RuleRef> rules() {
        return RuleRef.list(socket, FAMILY, TABLE, CHAIN, "nft list chain inet " + TABLE + " " + CHAIN);
    }

    /** The set names of our table; none when the table does not exist. */
    List<String> sets() {
        return NftDump.names(socket, NftMessages.getSets(FAMILY, TABLE), SET_TABLE, SET_NAME, TABLE, "nft list sets inet " + TABLE);
    }

    /** The ruleset generation: a batch that carries it fails with ERESTART if anything changed since. */
    int generation() {
        return NftBatch.generation(socket);
    }

    /**
     * Sends a batch built on a generation id; false when the kernel refused it because the
     * ruleset changed meanwhile (ERESTART) and the caller should look again and rebuild it.
     */
    private boolean sentUnlessRestarted(NftBatch batch, int attempt) {
        try {
            batch.send(socket);
            return true;
        } catch (NetlinkException e) {
            if (e.is(ERESTART) && attempt < MAX_ATTEMPTS) {
                return false;
            }
            throw e;
        }
    }
}
