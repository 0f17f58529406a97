package podnet.node.observe;

/**
 * A flow's fate, worst first: DROPPED (the kernel dropped some of it, with a reason), ERROR (a
 * TCP reset or an ICMP error answered it), FORWARDED (seen leaving where it entered: the node
 * delivered it), SEEN (so far only seen where it entered).
 */
public enum Verdict {
    DROPPED, ERROR, FORWARDED, SEEN;

    /** The worse of the two (DROPPED beats ERROR beats FORWARDED beats SEEN). */
    Verdict worst(Verdict other) {
        return ordinal() <= other.ordinal() ? this : other;
    }
}
