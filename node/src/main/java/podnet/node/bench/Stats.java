package podnet.node.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations of one operation: median and 90th percentile, in milliseconds. */
public record Stats(List<Double> millis) {
    public static Stats of(List<Long> nanos) {
        List<Double> ms = new ArrayList<>();
        for (long n : nanos) {
            ms.add(n / 1e6);
        }
        Collections.sort(ms);
        return new Stats(ms);
    }

    public double median() {
        return percentile(50);
    }

    public double p90() {
        return percentile(90);
    }

    /** Nearest-rank percentile. */
    public double percentile(int p) {
        if (millis.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * millis.size());
        return millis.get(Math.max(0, Math.min(millis.size() - 1, rank - 1)));
    }
}
