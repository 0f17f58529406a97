package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.ns.Netns;

/**
 * Pods' host ports in nf_tables (the portmap plugin's state), over NFNETLINK. One table
 * {@code inet podnet-portmap}: base chains {@code prerouting} and {@code output} (nat, dstnat)
 * send traffic to a local address into {@code hostports}; {@code postrouting} (nat, srcnat)
 * masquerades what carries the mark. Per attachment a chain {@code pm-HASH} holds its
 * {@link HostPortRule}s, reached by one jump rule in {@code hostports} whose comment
 * {@code podnet-portmap NETWORK CONTAINERID DIGEST} names the owner and digests what was
 * asked for, so CHECK can compare and DEL and GC find it without any other state. Every
 * change of an attachment is one atomic batch.
 */
public final class HostPorts implements AutoCloseable {
    static final String TABLE = "podnet-portmap";
    static final String PREROUTING = "prerouting", OUTPUT = "output", POSTROUTING = "postrouting", HOSTPORTS = "hostports";
    static final String COMMENT_PREFIX = "podnet-portmap ", MASQ_PREFIX = "podnet-portmap-masq ";
    private static final int FAMILY = NFPROTO_INET;
    private static final int MAX_ATTEMPTS = 20;

    /** The attachment a chain belongs to, as CNI names it. */
    public record Owner(String network, String containerId) {
        String commentPrefix() {
            return COMMENT_PREFIX + network + " " + containerId + " ";
        }

        /** nft chain names are short: a digest of the owner. */
        String chain() {
            return "pm-" + digest(network + "\0" + containerId).substring(0, 16);
        }
    }

    private final NetlinkSocket socket;

    private HostPorts(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket bound in {@code netns} (the node). */
    public static HostPorts open(Netns netns) {
        return new HostPorts(netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    /**
     * Forwards {@code ports} to the pod's addresses (replacing what {@code owner} had). With
     * {@code snat}, connections from the pod's subnet (the prefix of its address: the pod
     * itself, hairpin, and its neighbours on the bridge, as the reference's {@code -s POD/24})
     * and from 127.0.0.1 are masqueraded by {@code mark} (one bit, the reference's 0x2000).
     */
    public void add(Owner owner, List<Cidr> podIps, List<HostPort> ports, boolean snat, int mark) {
        ensureBase(mark);
        List<RuleRef> old = jumps(owner);
        boolean chainExists = chains().contains(owner.chain());
        NftBatch batch = new NftBatch(0);
        for (RuleRef r : old) {
            batch.add(NftMessages.delRule(FAMILY, TABLE, HOSTPORTS, r.handle()),
                    "nft delete rule inet " + TABLE + " " + HOSTPORTS + " handle " + r.handle());
        }
        String chain = owner.chain();
        if (chainExists) {
            batch.add(NftMessages.flushChain(FAMILY, TABLE, chain), "nft flush chain inet " + TABLE + " " + chain);
        } else {
            batch.add(NftMessages.newChain(FAMILY, TABLE, chain), "nft add chain inet " + TABLE + " " + chain);
        }
        for (HostPortRule rule : rules(podIps, ports, snat, mark)) {
            batch.add(NftMessages.newRule(FAMILY, TABLE, chain, rule, null),
                    "nft add rule inet " + TABLE + " " + chain + " (" + rule.kind() + " " + rule.port() + " to "
                            + rule.pod() + ")");
        }
        batch.add(NftMessages.newRule(FAMILY, TABLE, HOSTPORTS, new Jump(chain), comment(owner, podIps, ports, snat, mark)),
                "nft add rule inet " + TABLE + " " + HOSTPORTS + " jump " + chain);
        batch.send(socket);
    }

    /**
     * What is wrong with {@code owner}'s forwarding compared with what was asked for; empty
     * when it is in place as asked.
     */
    public Optional<String> check(Owner owner, List<Cidr> podIps, List<HostPort> ports, boolean snat, int mark) {
        List<RuleRef> jumps = jumps(owner);
        if (jumps.isEmpty()) {
            return Optional.of("no hostport rules for container " + owner.containerId() + " in table inet " + TABLE);
        }
        String want = comment(owner, podIps, ports, snat, mark);
        if (jumps.size() > 1 || !want.equals(jumps.get(0).comment())) {
            return Optional.of("hostport rules of container " + owner.containerId() + " differ from " + ports);
        }
        int expected = rules(podIps, ports, snat, mark).size();
        int found = RuleRef.list(socket, FAMILY, TABLE, owner.chain(), "nft list chain inet " + TABLE + " " + owner.chain()).size();
        if (found != expected) {
            return Optional.of("chain " + owner.chain() + " has " + found + " rules, expected " + expected);
        }
        if (!hasBase(mark)) {
            return Optional.of("table inet " + TABLE + " lacks its base chains or masquerade rule");
        }
        return Optional.empty();
    }

    /** Removes {@code owner}'s forwarding; none is fine (DEL is idempotent, needs no netns). */
    public void remove(Owner owner) {
        List<RuleRef> jumps = jumps(owner);
        boolean chainExists = chains().contains(owner.chain());
        if (jumps.isEmpty() && !chainExists) {
            return;
        }
        NftBatch batch = new NftBatch(0);
        for (RuleRef r : jumps) {
            batch.add(NftMessages.delRule(FAMILY, TABLE, HOSTPORTS, r.handle()),
                    "nft delete rule inet " + TABLE + " " + HOSTPORTS + " handle " + r.handle());
        }
        if (chainExists) {
            batch.add(NftMessages.flushChain(FAMILY, TABLE, owner.chain()), "nft flush chain inet " + TABLE + " " + owner.chain())
                    .add(NftMessages.delChain(FAMILY, TABLE, owner.chain()), "nft delete chain inet " + TABLE + " " + owner.chain());
        }
        batch.send(socket);
    }

    /** GC: removes the forwarding of {@code network}'s attachments whose container is not in {@code valid}. */
    public void retain(String network, Collection<String> valid) {
        Set<String> keep = new HashSet<>(valid);
        for (Owner o : owners()) {
            if (o.network().equals(network) && !keep.contains(o.containerId())) {
                remove(o);
            }
        }
    }

    /** Every attachment that has forwarding, from the jump rules' comments. */
    public List<Owner> owners() {
        List<Owner> out = new ArrayList<>();
        for (RuleRef r : RuleRef.list(socket, FAMILY, TABLE, HOSTPORTS, "nft list chain inet " + TABLE + " " + HOSTPORTS)) {
            String c = r.comment();
            if (c == null || !c.startsWith(COMMENT_PREFIX)) {
                continue;
            }
            String[] f = c.substring(COMMENT_PREFIX.length()).split(" ");
            if (f.length == 3) {
                out.add(new Owner(f[0], f[1]));
            }
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }

    // ---- internals ------------------------------------------------------------------------

    /** {@code jump CHAIN}, the per-attachment rule of {@code hostports}. */
    record Jump(String chain) implements NftMessages.RuleBody {
        @Override
        public void write(Expressions e) {
            e.jump(chain);
        }
    }

    /** {@code fib daddr type local jump hostports}: only traffic to the node itself is forwarded. */
    record LocalJump() implements NftMessages.RuleBody {
        @Override
        public void write(Expressions e) {
            e.fibDaddrType().cmp(NFT_CMP_EQ, HostPortRule.host32(RTN_LOCAL)).jump(HOSTPORTS);
        }
    }

    /** {@code meta mark & MARK != 0 masquerade}. */
    record MarkedMasquerade(int mark) implements NftMessages.RuleBody {
        @Override
        public void write(Expressions e) {
            e.metaMark().bitwiseMask(HostPortRule.host32(mark)).cmp(NFT_CMP_NEQ, HostPortRule.host32(0)).masquerade();
        }
    }

    static List<HostPortRule> rules(List<Cidr> podIps, List<HostPort> ports, boolean snat, int mark) {
        List<HostPortRule> out = new ArrayList<>();
        for (Cidr ip : podIps) {
            for (HostPort p : ports) {
                if (!p.appliesTo(ip.address())) {
                    continue;
                }
                if (snat) {
                    out.add(new HostPortRule(HostPortRule.Kind.HAIRPIN, p, ip, mark));
                    if (ip.isIpv4()) {
                        out.add(new HostPortRule(HostPortRule.Kind.LOCALHOST, p, ip, mark));
                    }
                }
                out.add(new HostPortRule(HostPortRule.Kind.DNAT, p, ip, mark));
            }
        }
        return out;
    }

    static String comment(Owner owner, List<Cidr> podIps, List<HostPort> ports, boolean snat, int mark) {
        StringBuilder what = new StringBuilder();
        podIps.forEach(ip -> what.append(ip).append(','));
        ports.forEach(p -> what.append(p).append(','));
        what.append(snat).append(',').append(mark);
        return owner.commentPrefix() + digest(what.toString()).substring(0, 12);
    }

    private List<RuleRef> jumps(Owner owner) {
        List<RuleRef> out = new ArrayList<>();
        String prefix = owner.commentPrefix();
        for (RuleRef r : RuleRef.list(socket, FAMILY, TABLE, HOSTPORTS, "nft list chain inet " + TABLE + " " + HOSTPORTS)) {
            if (r.comment() != null && r.comment().startsWith(prefix)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The chain names of our table; none when it does not exist. */
    List<String> chains() {
        return NftDump.names(socket, NftMessages.getChains(FAMILY), CHAIN_TABLE, CHAIN_NAME, TABLE, "nft list chains inet " + TABLE);
    }

    private boolean hasBase(int mark) {
        String masq = MASQ_PREFIX + Integer.toHexString(mark);
        boolean pre = !RuleRef.list(socket, FAMILY, TABLE, PREROUTING, "nft list chain inet " + TABLE + " " + PREROUTING).isEmpty();
        boolean out = !RuleRef.list(socket, FAMILY, TABLE, OUTPUT, "nft list chain inet " + TABLE + " " + OUTPUT).isEmpty();
        boolean post = false;
        for (RuleRef r : RuleRef.list(socket, FAMILY, TABLE, POSTROUTING, "nft list chain inet " + TABLE + " " + POSTROUTING)) {
            post |= masq.equals(r.comment());
        }
        return pre && out && post;
    }

    /**
     * The table, its chains and base rules, made once per node (and once per masquerade mark)
     * in one batch guarded by the ruleset generation, so concurrent ADDs never add them twice.
     */
    private void ensureBase(int mark) {
        if (hasBase(mark)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            int genId = NftBatch.generation(socket);
            boolean pre = !RuleRef.list(socket, FAMILY, TABLE, PREROUTING, "nft list chain inet " + TABLE + " " + PREROUTING).isEmpty();
            boolean haveMasq = false;
            for (RuleRef r : RuleRef.list(socket, FAMILY, TABLE, POSTROUTING, "nft list chain inet " + TABLE + " " + POSTROUTING)) {
                haveMasq |= (MASQ_PREFIX + Integer.toHexString(mark)).equals(r.comment());
            }
            if (pre && haveMasq) {
                return;
            }
            NftBatch batch = new NftBatch(genId)
                    .add(NftMessages.newTable(FAMILY, TABLE), "nft add table inet " + TABLE)
                    .add(NftMessages.newBaseChain(FAMILY, TABLE, PREROUTING, "nat", NF_INET_PRE_ROUTING, PRIORITY_DSTNAT),
                            "nft add chain inet " + TABLE + " " + PREROUTING + " (type nat hook prerouting)")
                    .add(NftMessages.newBaseChain(FAMILY, TABLE, OUTPUT, "nat", NF_INET_LOCAL_OUT, PRIORITY_DSTNAT),
                            "nft add chain inet " + TABLE + " " + OUTPUT + " (type nat hook output)")
                    .add(NftMessages.newBaseChain(FAMILY, TABLE, POSTROUTING, "nat", NF_INET_POST_ROUTING, PRIORITY_SRCNAT),
                            "nft add chain inet " + TABLE + " " + POSTROUTING + " (type nat hook postrouting)")
                    .add(NftMessages.newChain(FAMILY, TABLE, HOSTPORTS), "nft add chain inet " + TABLE + " " + HOSTPORTS);
            if (!pre) {
                batch.add(NftMessages.newRule(FAMILY, TABLE, PREROUTING, new LocalJump(), null),
                                "nft add rule inet " + TABLE + " " + PREROUTING + " fib daddr type local jump " + HOSTPORTS)
                        .add(NftMessages.newRule(FAMILY, TABLE, OUTPUT, new LocalJump(), null),
                                "nft add rule inet " + TABLE + " " + OUTPUT + " fib daddr type local jump " + HOSTPORTS);
            }
            if (!haveMasq) {
                batch.add(NftMessages.newRule(FAMILY, TABLE, POSTROUTING, new MarkedMasquerade(mark),
                        MASQ_PREFIX + Integer.toHexString(mark)), "nft add rule inet " + TABLE + " " + POSTROUTING
                        + " meta mark & 0x" + Integer.toHexString(mark) + " != 0 masquerade");
            }
            try {
                batch.send(socket);
                return;
            } catch (NetlinkException e) {
                if (!e.is(ERESTART) || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
