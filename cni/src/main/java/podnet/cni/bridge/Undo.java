package podnet.cni.bridge;

import java.util.ArrayDeque;
import java.util.Deque;
import podnet.cni.spec.Log;

/** What a failed ADD must take back, newest first. Each step is best effort and logged. */
final class Undo {
    private record Step(String what, Runnable action) {}

    private final Deque<Step> steps = new ArrayDeque<>();

    void push(String what, Runnable action) {
        steps.push(new Step(what, action));
    }

    void runAll(Throwable cause) {
        while (!steps.isEmpty()) {
            Step s = steps.pop();
            try {
                s.action().run();
            } catch (Throwable t) {
                Log.warn("rollback: " + s.what() + " failed: " + t.getMessage());
                cause.addSuppressed(t);
            }
        }
    }
}
