package podnet.node.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import podnet.linux.nftables.FilterTable;
import podnet.linux.nftables.NftTrace;
import podnet.linux.nftables.NftTraceEvents;
import podnet.linux.ns.Netns;

/**
 * Tells which policies dropped which packets on a node, from the kernel's trace of the packets
 * its denied chains drop ({@link DeniedChains}): a listener on the node namespace's nftables
 * trace group, one thread. Each packet's pass (events of one trace id) becomes one
 * {@link PolicyDrop}; its policies are the comments of the counting rules it matched, read from
 * the table by rule handle (handles are never reused within a table, so they are cached).
 */
public final class PolicyDropWatch implements AutoCloseable {
    private final NftTraceEvents events;
    private final FilterTable table;
    private final Passes passes;
    private final Thread thread;
    private volatile boolean stopped;

    private PolicyDropWatch(Netns node, Consumer<PolicyDrop> sink) {
        this.events = NftTraceEvents.open(node);
        try {
            this.table = FilterTable.open(node, PolicyEnforcer.TABLE);
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
        Map<String, Map<Long, String>> comments = new HashMap<>();
        this.passes = new Passes(chain -> comments.computeIfAbsent(chain, c -> new HashMap<>()), (chain, known) -> {
            known.clear();
            known.putAll(table.ruleComments(chain));
        }, sink);
        this.thread = Thread.ofPlatform().daemon().name("podnet-policy-drops").start(this::run);
    }

    /** Starts listening in the node namespace {@code node}; {@code sink} is called on the watch's thread. */
    public static PolicyDropWatch start(Netns node, Consumer<PolicyDrop> sink) {
        return new PolicyDropWatch(node, sink);
    }

    private void run() {
        while (!stopped) {
            try {
                for (NftTrace t : events.next(200)) {
                    passes.accept(t, System.nanoTime());
                }
            } catch (RuntimeException e) {
                if (!stopped) {
                    sleep(200); // the node namespace is going away, or a dump failed: go on with the next events
                }
            }
        }
    }

    /**
     * Assembles the events of the policy table into one {@link PolicyDrop} per dropped packet
     * (kept apart from the socket, so it can be tested with made-up events).
     */
    static final class Passes {
        private static final int OPEN_AT_MOST = 1024;

        /** One packet's pass so far. */
        private static final class Pass {
            NftTrace headers;
            final List<String> policies = new ArrayList<>();
        }

        private final Function<String, Map<Long, String>> known;
        private final BiConsumer<String, Map<Long, String>> reread;
        private final Consumer<PolicyDrop> sink;
        private final Map<Integer, Pass> open = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Pass> eldest) {
                return size() > OPEN_AT_MOST; // a pass whose end was lost
            }
        };

        Passes(Function<String, Map<Long, String>> known, BiConsumer<String, Map<Long, String>> reread,
                Consumer<PolicyDrop> sink) {
            this.known = known;
            this.reread = reread;
            this.sink = sink;
        }

        void accept(NftTrace t, long nanos) {
            if (!PolicyEnforcer.TABLE.equals(t.table())) {
                return; // another table's tracing (someone's nft monitor trace session)
            }
            Pass p = open.computeIfAbsent(t.id(), id -> new Pass());
            if (p.headers == null && t.network() != null) {
                p.headers = t;
            }
            String direction = DeniedChains.directionOf(t.chain());
            if (direction == null) {
                return;
            }
            if (t.dropped()) {
                open.remove(t.id());
                NftTrace h = p.headers;
                if (h != null && h.source() != null) {
                    int echo = echoId(h);
                    sink.accept(new PolicyDrop(h.source(), h.destination(), h.protocol(), echo < 0 ? h.sourcePort() : echo,
                            echo < 0 ? h.destinationPort() : echo, direction, p.policies, nanos, h.iif()));
                }
            } else if (t.type() == NftTrace.Type.RULE && t.verdict() == NftTrace.VERDICT_CONTINUE) {
                String policy = comment(t.chain(), t.ruleHandle());
                if (policy != null) {
                    p.policies.add(policy);
                }
            }
        }

        /** An ICMP echo's id (what ties a request to its reply), or -1. */
        private static int echoId(NftTrace h) {
            byte[] t = h.transport();
            boolean echo = h.protocol() == 1 && t != null && t.length >= 6 && (t[0] == 0 || t[0] == 8);
            return echo ? (t[4] & 0xff) << 8 | t[5] & 0xff : -1;
        }

        /** The rule's comment: the policy key, or null for the rule that marks the packet. */
        private String comment(String chain, long handle) {
            Map<Long, String> k = known.apply(chain);
            if (!k.containsKey(handle)) {
                reread.accept(chain, k); // a rule newer than what we read
                k.putIfAbsent(handle, null); // no comment (or gone): do not ask again
            }
            return k.get(handle);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
        table.close();
    }
}
