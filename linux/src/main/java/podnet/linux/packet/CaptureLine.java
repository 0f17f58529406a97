package podnet.linux.packet;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import podnet.linux.packet.decode.FrameDecoder;
import podnet.linux.packet.decode.RelativeSequences;
import podnet.linux.packet.decode.Summary;

/**
 * A captured frame as one line of {@code tcpdump -n} (or {@code -n -S} without relative sequences): {@code HH:MM:SS.micros summary} in the
 * given time zone, optionally with the direction ({@code Out}, {@code In}, ...) as
 * {@code tcpdump -i any} shows it.
 */
public final class CaptureLine {
    private CaptureLine() {}

    public static String format(CapturedPacket p, ZoneId zone, boolean direction) {
        return format(p, zone, direction, null);
    }

    /** With TCP sequence numbers relative to each connection's first ones (tcpdump's default). */
    public static String format(CapturedPacket p, ZoneId zone, boolean direction, RelativeSequences sequences) {
        return format(p, zone, null, direction, sequences);
    }

    /**
     * The full form: time, then the interface name when given (captures on every interface),
     * the direction when asked, and the summary.
     */
    public static String format(CapturedPacket p, ZoneId zone, String interfaceName, boolean direction,
            RelativeSequences sequences) {
        StringBuilder sb = new StringBuilder(time(p.timestampNanos(), zone)).append(' ');
        if (interfaceName != null) {
            sb.append(String.format("%-5s ", interfaceName));
        }
        if (direction) {
            sb.append(String.format("%-3s ", p.type().label()));
        }
        return sb.append(Summary.of(FrameDecoder.decode(p.data(), p.wireLength()), sequences)).toString();
    }

    /** {@code HH:MM:SS.uuuuuu}, microseconds truncated as tcpdump does. */
    public static String time(long epochNanos, ZoneId zone) {
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        LocalTime lt = LocalTime.ofInstant(t, zone);
        return String.format("%02d:%02d:%02d.%06d", lt.getHour(), lt.getMinute(), lt.getSecond(), lt.getNano() / 1000);
    }
}
