package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * One {@code inet} filter table that a single owner keeps whole (packet filtering on the
 * forward hook), spoken over NFNETLINK. {@link #replace} writes a whole {@link FilterRuleset}
 * — the old table destroyed and the new one built in the same transaction, so packets see the
 * old ruleset or the new one, never a mix or nothing; {@link #change} adds and removes set
 * elements in one transaction. The table's comment is the owner's to use (e.g. a fingerprint of
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
        int id = 1;
        for (FilterSet s : rs.sets()) {
            b.add(FilterMessages.newSet(table, s, id++), "nft add set " + t + " " + s.name());
            addElements(b, s);
        }
        for (FilterChain c : rs.chains()) {
            b.add(FilterMessages.newChain(table, c), "nft add chain " + t + " " + c.name());
        }
        for (FilterChain c : rs.chains()) {
            int i = 0;
            for (FilterRule r : c.rules()) {
                b.add(FilterMessages.newRule(table, c.name(), r, rs),
                        "nft add rule " + t + " " + c.name() + " (rule " + i++ + (r.comment() == null ? "" : ", " + r.comment()) + ")");
            }
        }
        b.send(socket);
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
     * present one is not an error). Nothing is sent for no changes.
     */
    public void change(List<ElementChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        Map<String, List<byte[]>> adds = new LinkedHashMap<>(), removes = new LinkedHashMap<>();
        for (ElementChange c : changes) {
            (c.add() ? adds : removes).computeIfAbsent(c.set(), k -> new ArrayList<>()).add(c.key().bytes());
        }
        NftBatch b = new NftBatch(0);
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
        b.send(socket);
    }

    /** The keys of an address or service set; empty when the set does not exist. */
    public Set<SetKey> keys(String set) {
        List<NlMessage> replies;
        try {
            replies = socket.dump(FilterMessages.getElements(table, set), "nft list set inet " + table + " " + set);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                return Set.of();
            }
            throw e;
        }
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
