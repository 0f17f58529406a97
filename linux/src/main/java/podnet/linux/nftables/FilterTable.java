package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * One {@code inet} filter table that a single owner keeps whole (packet filtering on the
 * forward hook), spoken over NFNETLINK. {@link #replace} writes a whole {@link FilterRuleset}
 * — the old table destroyed and the new one built in the same transaction, so packets see the
 * old ruleset or the new one, never a mix or nothing; {@link #edit} changes a part of it (chains
 * and sets removed and added, chains' rules rewritten, elements) in one transaction, and
 * {@link #change} only elements. The table's comment is the owner's to use (e.g. a fingerprint of
 * what it last wrote, to know whether an element change is enough).
 */
public final class FilterTable implements AutoCloseable {
    /** Big enough for a ruleset of thousands of rules and elements in one datagram. */
    private static final int BUFFER_BYTES = 16 << 20;

    private final String table;
    private final NetlinkSocket socket;

    private FilterTable(String table, NetlinkSocket socket) {
        this.table = table;
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket bound in {@code netns}, for table {@code table}. */
    public static FilterTable open(Netns netns, String table) {
        FilterRuleset.checkName(table);
        NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER));
        try {
            return new FilterTable(table, s.withBuffers(BUFFER_BYTES));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public String name() {
        return table;
    }

    /** One element to add to or remove from a set. */
    public record ElementChange(String set, SetKey key, boolean add) {}

    /** The table's comment; empty when the table does not exist (a table without comment: ""). */
    public Optional<String> comment() {
        List<NlMessage> replies;
        try {
            replies = socket.request(FilterMessages.getTable(table), "nft list table inet " + table);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
        for (NlMessage m : replies) {
            if (m.type() == type(NEWTABLE)) {
                String c = NftMessages.commentOf(m.attrs(4).bytes(TABLE_USERDATA));
                return Optional.of(c == null ? "" : c);
            }
        }
        return Optional.empty();
    }

    /** Replaces the whole table by {@code rs} in one transaction. */
    public void replace(FilterRuleset rs, String comment) {
        String t = "inet " + table;
        NftBatch b = new NftBatch(0)
                .add(FilterMessages.destroyTable(table), "nft destroy table " + t)
                .add(FilterMessages.newTable(table, comment), "nft add table " + t);
        Map<String, Integer> ids = addSets(b, rs.sets());
        addChains(b, rs.chains());
        for (FilterChain c : rs.chains()) {
            addRules(b, c, ids);
        }
        b.send(socket);
    }

    /**
     * Changes part of the table in one transaction (see {@link FilterEdit} for the order);
     * nothing is sent for an empty edit. A set or chain that is not there makes the kernel refuse
     * the whole batch (ENOENT), and then nothing changed.
     */
    public void edit(FilterEdit e) {
        if (e.isEmpty()) {
            return;
        }
        String t = "inet " + table;
        NftBatch b = new NftBatch(0);
        for (FilterChain c : e.rewriteChains()) {
            b.add(NftMessages.flushChain(NFPROTO_INET, table, c.name()), "nft flush chain " + t + " " + c.name());
        }
        for (String c : e.removeChains()) {
            b.add(NftMessages.delChain(NFPROTO_INET, table, c), "nft delete chain " + t + " " + c);
        }
        for (String s : e.removeSets()) {
            b.add(NftMessages.delSet(NFPROTO_INET, table, s), "nft delete set " + t + " " + s);
        }
        Map<String, Integer> ids = addSets(b, e.addSets());
        addChains(b, e.addChains());
        for (FilterChain c : e.addChains()) {
            addRules(b, c, ids);
        }
        for (FilterChain c : e.rewriteChains()) {
            addRules(b, c, ids);
        }
        addElementChanges(b, e.elements());
        b.send(socket);
    }

    /** Creates the sets with their elements; returns their batch ids by name (numbered from 1). */
    private Map<String, Integer> addSets(NftBatch b, List<FilterSet> sets) {
        Map<String, Integer> ids = new HashMap<>();
        for (FilterSet s : sets) {
            int id = ids.size() + 1;
            ids.put(s.name(), id);
            b.add(FilterMessages.newSet(table, s, id), "nft add set inet " + table + " " + s.name());
            addElements(b, s);
        }
        return ids;
    }

    private void addChains(NftBatch b, List<FilterChain> chains) {
        for (FilterChain c : chains) {
            b.add(FilterMessages.newChain(table, c), "nft add chain inet " + table + " " + c.name());
        }
    }

    private void addRules(NftBatch b, FilterChain c, Map<String, Integer> setIds) {
        int i = 0;
        for (FilterRule r : c.rules()) {
            b.add(FilterMessages.newRule(table, c.name(), r, setIds), "nft add rule inet " + table + " " + c.name()
                    + " (rule " + i++ + (r.comment() == null ? "" : ", " + r.comment()) + ")");
        }
    }

    private void addElements(NftBatch b, FilterSet s) {
        List<byte[]> keys = new ArrayList<>();
        List<Integer> flags = new ArrayList<>();
        if (s.kind() == FilterSet.Kind.ADDRESS_RANGES) {
            // As nft sends an interval set: each range as its start and (exclusive) end, and an
            // interval end at 0.0.0.0 unless the first range starts there.
            if (!s.ranges().isEmpty() && s.ranges().getFirst().first() != 0) {
                keys.add(new byte[4]);
                flags.add(NFT_SET_ELEM_INTERVAL_END);
            }
            for (AddressRange r : s.ranges()) {
                keys.add(AddressRange.address(r.first()).getAddress());
                flags.add(0);
                if (r.last() < 0xffffffffL) {
                    keys.add(AddressRange.address(r.last() + 1).getAddress());
                    flags.add(NFT_SET_ELEM_INTERVAL_END);
                }
            }
        } else {
            for (SetKey k : s.keys()) {
                keys.add(k.bytes());
                flags.add(0);
            }
        }
        for (int from = 0; from < keys.size(); from += FilterMessages.ELEMENTS_PER_MESSAGE) {
            int to = Math.min(keys.size(), from + FilterMessages.ELEMENTS_PER_MESSAGE);
            b.add(FilterMessages.elements(table, s.name(), true, keys.subList(from, to), flags.subList(from, to)),
                    "nft add element inet " + table + " " + s.name() + " (" + (to - from) + " elements)");
        }
    }

    /**
     * Adds and removes elements in one transaction (removing a missing element or adding a
     * present one is not an error; a missing set is). Nothing is sent for no changes.
     */
    public void change(List<ElementChange> changes) {
        edit(FilterEdit.elementsOnly(changes));
    }

    /** Removals first, then additions, one message per set (and per thousand elements). */
    private void addElementChanges(NftBatch b, List<ElementChange> changes) {
        Map<String, List<byte[]>> adds = new LinkedHashMap<>(), removes = new LinkedHashMap<>();
        for (ElementChange c : changes) {
            (c.add() ? adds : removes).computeIfAbsent(c.set(), k -> new ArrayList<>()).add(c.key().bytes());
        }
        for (boolean add : new boolean[] {false, true}) {
            for (var e : (add ? adds : removes).entrySet()) {
                List<byte[]> keys = e.getValue();
                for (int from = 0; from < keys.size(); from += FilterMessages.ELEMENTS_PER_MESSAGE) {
                    int to = Math.min(keys.size(), from + FilterMessages.ELEMENTS_PER_MESSAGE);
                    b.add(FilterMessages.elements(table, e.getKey(), add, keys.subList(from, to), null),
                            "nft " + (add ? "add" : "destroy") + " element inet " + table + " " + e.getKey());
                }
            }
        }
    }

    /** The names of the table's chains; none when the table does not exist. */
    public Set<String> chains() {
        return names(NftMessages.getChains(NFPROTO_INET), CHAIN_TABLE, CHAIN_NAME, "nft list chains inet");
    }

    /** The names of the table's sets; none when the table does not exist. */
    public Set<String> sets() {
        return names(NftMessages.getSets(NFPROTO_INET, table), SET_TABLE, SET_NAME, "nft list sets inet " + table);
    }

    private Set<String> names(NlRequest dump, int tableAttr, int nameAttr, String what) {
        return new LinkedHashSet<>(NftDump.names(socket, dump, tableAttr, nameAttr, table, what));
    }

    /**
     * The comments of {@code chain}'s rules by handle (what a trace event names a rule by); rules
     * without a comment are left out; none when the chain does not exist.
     */
    public Map<Long, String> ruleComments(String chain) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (RuleRef r : RuleRef.list(socket, NFPROTO_INET, table, chain, "nft list chain inet " + table + " " + chain)) {
            if (r.comment() != null) {
                out.put(r.handle(), r.comment());
            }
        }
        return out;
    }

    /** The keys of an address or service set; empty when the set does not exist. */
    public Set<SetKey> keys(String set) {
        List<NlMessage> replies = NftDump.orNone(socket, FilterMessages.getElements(table, set), "nft list set inet " + table + " " + set);
        Set<SetKey> out = new HashSet<>();
        for (NlMessage m : replies) {
            for (ByteBuffer elem : m.attrs(4).nested(SET_ELEM_LIST_ELEMENTS).all(LIST_ELEM)) {
                byte[] k = NlAttrs.parse(elem, 0).nested(SET_ELEM_KEY).bytes(DATA_VALUE);
                if (k != null && (k.length == 4 || k.length == 12)) {
                    out.add(SetKey.ofBytes(k));
                }
            }
        }
        return out;
    }

    /** Removes the table and everything in it; none is fine. */
    public void destroy() {
        new NftBatch(0).add(FilterMessages.destroyTable(table), "nft destroy table inet " + table).send(socket);
    }

    @Override
    public void close() {
        socket.close();
    }

}
