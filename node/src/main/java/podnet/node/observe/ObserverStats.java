package podnet.node.observe;

/**
 * How an observation went: frames read and those that were not ARP/IP, frames the capture
 * ring lost (kernel counter), flows in the table and those evicted or expired, and kernel
 * drops: seen by the tracepoint, tied to a flow, and left aside as someone else's.
 *
 * @param dropsUnavailable why drop reasons are not available (null when they are)
 */
public record ObserverStats(long frames, long otherFrames, long ringDrops, int flows, long evicted, long expired,
        long kernelDrops, long dropsAttributed, long dropsForeign, String dropsUnavailable) {}
