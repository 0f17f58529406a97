package podnet.cni.spec;

/**
 * Where a call's time went: named marks on the calling thread, one log line per call when
 * podnetd runs with {@code PODNET_TRACE=1}. Off (a thread-local read per mark) unless started for the thread.
 */
public final class Phases {
    private Phases() {}

    private static final ThreadLocal<StringBuilder> MARKS = new ThreadLocal<>();
    private static final ThreadLocal<long[]> LAST = new ThreadLocal<>();

    public static void start() {
        MARKS.set(new StringBuilder());
        LAST.set(new long[] {System.nanoTime(), System.nanoTime()});
    }

    public static void mark(String name) {
        StringBuilder sb = MARKS.get();
        if (sb == null) {
            return;
        }
        long now = System.nanoTime();
        long[] last = LAST.get();
        sb.append(' ').append(name).append('=').append((now - last[0]) / 100_000 / 10.0);
        last[0] = now;
    }

    /** The marks so far and the total in ms, and stops recording; null when not started. */
    public static String end() {
        StringBuilder sb = MARKS.get();
        if (sb == null) {
            return null;
        }
        long total = System.nanoTime() - LAST.get()[1];
        MARKS.remove();
        LAST.remove();
        return "total=" + total / 100_000 / 10.0 + sb;
    }
}
