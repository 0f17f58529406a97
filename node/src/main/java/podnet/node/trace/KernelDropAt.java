package podnet.node.trace;

import podnet.linux.tracefs.SkbDrop;

/** A packet of the probe's exchange that the kernel dropped, at the hop it was last seen on. */
public record KernelDropAt(Hop hop, SkbDrop drop) {
    /** "dropped at hop 5 by the kernel: NETFILTER_DROP in nft_do_chain". */
    public String describe() {
        return "dropped at hop " + hop.number() + " by the kernel: " + drop.reason() + " in " + drop.function();
    }
}
