package podnet.linux.packet.decode;

/**
 * A layer whose header did not fit in the captured bytes (or whose length fields contradict
 * each other): which layer, how many bytes it needed and how many there were. Decoding stops
 * here; it never throws.
 */
public record Truncated(String layer, int needed, int available) implements NetworkLayer, TransportLayer {
    /** The marker printed in summaries, e.g. {@code [truncated tcp: 12 of 20 bytes]}. */
    public String marker() {
        return "[truncated " + layer + ": " + available + " of " + needed + " bytes]";
    }
}
