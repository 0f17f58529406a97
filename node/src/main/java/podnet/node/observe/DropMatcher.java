package podnet.node.observe;

import java.util.Set;
import podnet.linux.tracefs.SkbDrop;

/**
 * The rules for tying a kernel drop (which names no namespace, device or address) to a packet
 * that was seen: same protocol, seen at most {@link #WINDOW_NANOS} before the drop — measured
 * here, the drop comes 10-25 µs after the last tap the packet passed; the window absorbs
 * softirq deferral under load and clock rounding, and is kept short because the tracepoint
 * sees every namespace's drops (the shorter, the fewer strangers fit by chance). Neighbour failures are different: the kernel drops the
 * packets it queued while it waited for an ARP (or ND) answer that never came, seconds later,
 * so they match the last unanswered ARP request within {@link #NEIGHBOUR_WINDOW_NANOS}.
 *
 * <p>A drop in the context of a user process whose network namespace is known and is none of
 * ours is someone else's (this machine is shared; the tracepoint sees every namespace).
 */
public final class DropMatcher {
    private DropMatcher() {}

    public static final long WINDOW_NANOS = 3_000_000L, NEIGHBOUR_WINDOW_NANOS = 5_000_000_000L;
    /** Drops may carry a stamp up to this much before the sighting they follow (µs rounding). */
    public static final long SLACK_NANOS = 1_000_000L;

    /**
     * Reasons that are sockets' bookkeeping rather than the network path's doing (a closed
     * socket's queue freed, a duplicate TCP segment): filtered out in the kernel. NO_SOCKET is
     * among them because every echo reply to a raw-socket ping (iputils) is also offered to the
     * ping-socket layer, which frees it as NO_SOCKET although the raw socket got its copy; a
     * datagram or segment that really found no socket is answered (ICMP port unreachable, RST)
     * and so shows as ERROR anyway. OTHERHOST is what IP does with frames for another MAC that
     * a promiscuous capture (the trace's, tcpdump's) let in. SOCKET_RCVBUFF, SOCKET_BACKLOG and
     * PROTO_MEM are receivers that cannot keep up: the packet crossed the network, the
     * application was slow (its socket counters show it); under a UDP flood they come at the
     * packet rate, and reading them cost observe three times the CPU of the capture itself
     * (measured with bench/capture-bench.sh's traffic).
     */
    public static final Set<String> ROUTINE = Set.of("NOT_SPECIFIED", "NO_SOCKET", "OTHERHOST", "SOCKET_RCVBUFF",
            "SOCKET_BACKLOG", "PROTO_MEM", "QUEUE_PURGE", "SOCKET_CLOSE",
            "UNIX_DISCONNECT", "UNIX_SKIP_OOB", "TCP_OLD_DATA", "TCP_OLD_SEQUENCE", "TCP_OLD_ACK", "TCP_OFOMERGE", "TCP_CLOSE",
            "TCP_ABORT_ON_DATA", "TCP_OFO_QUEUE_PRUNE", "TCP_OFO_DROP");

    /**
     * Whether the function that dropped can be on a path made of links of these kinds: a
     * {@code vxlan_*} drop needs a VXLAN device, a {@code br_*} one a bridge (the tracepoint
     * also reports the tunnels and bridges of every other namespace of the machine).
     */
    public static boolean plausibleOn(SkbDrop d, Set<String> linkKinds) {
        String f = d.function();
        for (String kind : new String[] {"vxlan", "veth", "geneve", "macvlan", "ipvlan", "wireguard"}) {
            if (f.startsWith(kind + "_")) {
                return linkKinds.contains(kind);
            }
        }
        return !f.startsWith("br_") || linkKinds.contains("bridge");
    }

    /** Whether the reason blames a bridge port's STP state (to be confirmed against the ports). */
    public static boolean stpReason(String reason) {
        return reason.startsWith("BRIDGE_INGRESS_STP");
    }

    /** Whether the reason is a neighbour (ARP/ND) failure: NEIGH_FAILED, NEIGH_QUEUEFULL, ... */
    public static boolean neighbourReason(String reason) {
        return reason.startsWith("NEIGH_");
    }

    /**
     * Whether a sighting at {@code nanos} of a frame of {@code etherType} can be what
     * {@code d} dropped ({@code solicitation}: an ARP request or ND solicitation).
     */
    public static boolean fits(SkbDrop d, long nanos, int etherType, boolean solicitation) {
        if (neighbourReason(d.reason())) {
            return solicitation && nanos <= d.timeNanos() + SLACK_NANOS && nanos >= d.timeNanos() - NEIGHBOUR_WINDOW_NANOS
                    && sameFamily(d.protocol(), etherType);
        }
        return d.protocol() == etherType && nanos <= d.timeNanos() + SLACK_NANOS && nanos >= d.timeNanos() - WINDOW_NANOS;
    }

    /** The packet queued behind an ARP request is IP: ARP goes with IPv4, ND (ICMPv6) with IPv6. */
    private static boolean sameFamily(int dropped, int solicitedWith) {
        return dropped == solicitedWith || dropped == FrameHeaders.IPV4 && solicitedWith == FrameHeaders.ARP;
    }

    /** How far back a sighting can be for {@code d}. */
    public static long window(SkbDrop d) {
        return neighbourReason(d.reason()) ? NEIGHBOUR_WINDOW_NANOS : WINDOW_NANOS;
    }

    /** Whether {@code d} happened in a user process of a namespace that is not one of {@code ours}. */
    public static boolean foreign(SkbDrop d, TaskNetns tasks, Set<Long> ours) {
        if (neighbourReason(d.reason()) || tasks.isKernelThread(d.comm()) || d.pid() == 0) {
            return false; // timers and kernel threads run anyone's packets
        }
        long ns = tasks.netnsOf(d.pid());
        return ns != 0 && !ours.contains(ns);
    }
}
