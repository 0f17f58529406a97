package podnet.node.cri;

import java.util.List;

/**
 * The CRI container log format ({@code TIMESTAMP STREAM TAG TEXT}, tag F for a full line, P for
 * part of one) turned back into what the container wrote.
 */
final class CriLog {
    private CriLog() {}

    static String text(List<String> lines) {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            String[] f = line.split(" ", 4);
            if (f.length < 3) {
                continue;
            }
            out.append(f.length == 4 ? f[3] : "");
            if (!f[2].equals("P")) {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
