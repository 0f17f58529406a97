package podnet.node.observe;

/**
 * A packet of a flow the kernel dropped: why ({@code enum skb_drop_reason}), in which kernel
 * function, and the device it was last seen on before that.
 */
public record KernelDrop(long timeNanos, String reason, String function, String lastSeenOn) {
    /** "NETFILTER_DROP in nft_do_chain". */
    public String describe() {
        return reason + " in " + function;
    }
}
