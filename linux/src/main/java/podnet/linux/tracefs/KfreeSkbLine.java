package podnet.linux.tracefs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code kfree_skb} lines of a trace_pipe, as the kernel prints them with the default
 * options:
 * <pre>
 *   ping-8068 [000] ..s1.  616.736567: kfree_skb: skbaddr=00000000991602c6 rx_sk=0000000000000000
 *       protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP
 * </pre>
 * (one line). A reason the kernel printed as a number is named from the format file's table.
 */
public final class KfreeSkbLine {
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*)-(\\d+)\\s+\\[(\\d+)]\\s+(?:\\S+\\s+)?(\\d+)\\.(\\d+):\\s+kfree_skb:\\s+(.*)$");
    private static final Pattern PROTOCOL = Pattern.compile("\\bprotocol=(\\d+)");
    private static final Pattern LOCATION = Pattern.compile("\\blocation=(\\S+)");
    private static final Pattern REASON = Pattern.compile("\\breason: (\\S+)");

    private final EventFormat format;
    private final long monoToWallNanos;

    /** {@code monoToWallNanos}: wall-clock minus monotonic time, added to each event's stamp. */
    public KfreeSkbLine(EventFormat format, long monoToWallNanos) {
        this.format = format;
        this.monoToWallNanos = monoToWallNanos;
    }

    /** The event on the line, or null if it is not a kfree_skb line (e.g. a LOST EVENTS note). */
    public SkbDrop parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String fields = m.group(6);
        String micros = (m.group(5) + "000000").substring(0, 6);
        long mono = Long.parseLong(m.group(4)) * 1_000_000_000L + Long.parseLong(micros) * 1000L;
        Matcher p = PROTOCOL.matcher(fields), l = LOCATION.matcher(fields), r = REASON.matcher(fields);
        int protocol = p.find() ? Integer.parseInt(p.group(1)) : 0;
        String location = l.find() ? l.group(1) : "?";
        String reason = r.find() ? r.group(1) : "NOT_SPECIFIED";
        if (!reason.isEmpty() && Character.isDigit(reason.charAt(0))) {
            String named = format.symbol("reason", Integer.parseInt(reason));
            reason = named != null ? named : reason;
        }
        return new SkbDrop(mono + monoToWallNanos, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(2)),
                m.group(1).strip(), protocol, location, reason);
    }

    /** Wall-clock minus CLOCK_MONOTONIC now (the best of a few tight samples), in nanoseconds. */
    public static long monoToWallNanos() {
        long best = Long.MAX_VALUE, offset = 0;
        for (int i = 0; i < 5; i++) {
            long t1 = System.nanoTime(); // CLOCK_MONOTONIC on Linux, the tracefs "mono" clock
            java.time.Instant now = java.time.Instant.now();
            long t2 = System.nanoTime();
            if (t2 - t1 < best) {
                best = t2 - t1;
                offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (t1 + (t2 - t1) / 2);
            }
        }
        return offset;
    }
}
