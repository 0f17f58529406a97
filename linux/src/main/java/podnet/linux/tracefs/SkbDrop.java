package podnet.linux.tracefs;

/**
 * One {@code skb:kfree_skb} event: a packet the kernel dropped.
 *
 * @param timeNanos wall-clock time of the drop, nanoseconds since the epoch (the event's
 *                  monotonic stamp moved onto the wall clock, comparable with capture times)
 * @param cpu       the CPU it happened on
 * @param pid       the task that was running (in softirq context often unrelated to the packet)
 * @param comm      that task's name
 * @param protocol  the packet's EtherType (0x0800 IPv4, 0x0806 ARP, 0x86dd IPv6)
 * @param location  where it was freed, {@code function+offset/size} as the kernel prints it
 * @param reason    the {@code enum skb_drop_reason} name, e.g. NETFILTER_DROP
 */
public record SkbDrop(long timeNanos, int cpu, int pid, String comm, int protocol, String location, String reason) {
    /** The kernel function that dropped it ({@code nft_do_chain}), without the offset. */
    public String function() {
        int plus = location.indexOf('+');
        return plus > 0 ? location.substring(0, plus) : location;
    }
}
