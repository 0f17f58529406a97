package podnet.linux.tracefs;


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

    private final EventFormat format;
    private final long monoToWallNanos;

    /** {@code monoToWallNanos}: wall-clock minus monotonic time, added to each event's stamp. */
    public KfreeSkbLine(EventFormat format, long monoToWallNanos) {
        this.format = format;
        this.monoToWallNanos = monoToWallNanos;
    }

    /**
     * The event on the line, or null if it is not a kfree_skb line (e.g. a LOST EVENTS note).
     * Read with indexOf rather than regular expressions: under a drop storm (a socket whose
     * buffer overflows at 100k packets/s) this runs for every line.
     */
    public SkbDrop parse(String line) {
        int ev = line.indexOf(": kfree_skb: ");
        if (ev < 0) {
            return null;
        }
        int open = line.lastIndexOf('[', ev), close = line.indexOf(']', open + 1);
        if (open < 0 || close < 0 || close > ev) {
            return null;
        }
        int dash = line.lastIndexOf('-', open);
        int stampStart = line.lastIndexOf(' ', ev - 1) + 1;
        int dot = line.indexOf('.', stampStart);
        if (dash < 0 || dot < 0 || dot > ev) {
            return null;
        }
        try {
            int pid = Integer.parseInt(line.substring(dash + 1, open).strip());
            int cpu = Integer.parseInt(line.substring(open + 1, close));
            String micros = (line.substring(dot + 1, ev) + "000000").substring(0, 6);
            long mono = Long.parseLong(line.substring(stampStart, dot)) * 1_000_000_000L + Long.parseLong(micros) * 1000L;
            String fields = line.substring(ev + 13);
            int protocol = (int) number(fields, "protocol=");
            String location = word(fields, "location=");
            String reason = word(fields, "reason: ");
            if (reason == null) {
                reason = "NOT_SPECIFIED";
            } else if (Character.isDigit(reason.charAt(0))) {
                String named = format.symbol("reason", Integer.parseInt(reason));
                reason = named != null ? named : reason;
            }
            return new SkbDrop(mono + monoToWallNanos, cpu, pid, line.substring(0, dash).strip(), protocol,
                    location == null ? "?" : location, reason);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String word(String s, String key) {
        int i = s.indexOf(key);
        if (i < 0) {
            return null;
        }
        int from = i + key.length(), to = s.indexOf(' ', from);
        String w = to < 0 ? s.substring(from) : s.substring(from, to);
        return w.isEmpty() ? null : w;
    }

    private static long number(String s, String key) {
        String w = word(s, key);
        return w == null ? 0 : Long.parseLong(w);
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
