package podnet.node.observe;

import java.util.StringJoiner;

/** TCP flag bits as names, e.g. {@code SYN,ACK}. */
public final class TcpFlags {
    private TcpFlags() {}

    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;
    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

    public static String text(int flags) {
        StringJoiner j = new StringJoiner(",");
        for (int bit : new int[] {1, 0, 2, 3, 4, 5, 6, 7}) { // SYN first, as people read a handshake
            if ((flags & (1 << bit)) != 0) {
                j.add(NAMES[bit]);
            }
        }
        return j.toString();
    }
}
