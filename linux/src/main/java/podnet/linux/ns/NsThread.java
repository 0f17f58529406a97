package podnet.linux.ns;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.SysException;

/**
 * Runs code inside other namespaces on a fresh, dedicated platform thread.
 *
 * <p>setns(2) changes only the calling thread, so the switch happens on a new thread that
 * exits afterwards: no pooled or virtual thread ever carries a foreign namespace, and the
 * caller's thread is never touched. Keep the body short (open a socket, start a process, read
 * a sysctl): threads it starts inherit the namespaces. The one exception is a thread that is
 * {@linkplain #lentForSwitches lent for switches} by an owner that puts it back afterwards.
 */
public final class NsThread {
    private NsThread() {}

    private static final Path THREAD_NETNS = Path.of("/proc/thread-self/ns/net");
    private static final ThreadLocal<Boolean> LENT = new ThreadLocal<>();

    /** A thread lent for switches could not get back to the namespace it came from: it must end. */
    public static final class StuckInNamespace extends Error {
        public StuckInNamespace(String msg, Throwable cause) {
            super(msg, cause);
        }
    }

    /**
     * Runs {@code body} with the calling platform thread lent for network namespace switches:
     * meanwhile {@link Netns#call} on it joins the namespace in place and comes back afterwards,
     * instead of starting a thread (whose start and exit, its stack given back with a TLB
     * shootdown on every CPU, cost more than the work on a busy node). Only for a thread whose
     * owner returns it to its own namespaces after, or ends it: podnetd's call threads. A switch
     * back that fails throws {@link StuckInNamespace}.
     */
    public static <T> T lentForSwitches(Callable<T> body) throws Exception {
        if (Thread.currentThread().isVirtual() || Boolean.TRUE.equals(LENT.get())) {
            return body.call(); // a virtual thread's switch would move its carrier: never in place
        }
        LENT.set(Boolean.TRUE);
        try {
            return body.call();
        } finally {
            LENT.remove();
        }
    }

    /** {@link Netns#call}: in place on a lent thread, else on a fresh one. */
    static <T> T callNetns(Path ns, Callable<T> body) {
        if (!Boolean.TRUE.equals(LENT.get())) {
            return call(List.of(ns), Namespaces.CLONE_NEWNET, body);
        }
        try (FileDescriptor back = FileDescriptor.openReadOnly(THREAD_NETNS)) {
            enter(ns, Namespaces.CLONE_NEWNET);
            try {
                return body.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                try {
                    Namespaces.setns(back.fd(), Namespaces.CLONE_NEWNET);
                } catch (RuntimeException e) {
                    throw new StuckInNamespace("cannot return from network namespace " + ns, e);
                }
            }
        }
    }

    /** Calls {@code body} on a new thread that has joined every namespace in {@code nsFiles}. */
    public static <T> T call(List<Path> nsFiles, Callable<T> body) {
        return call(nsFiles, 0, body);
    }

    /**
     * Like {@link #call(List, Callable)}, but each file must be a namespace of {@code nstype}
     * (a CLONE_NEW* flag, 0 for any): a wrong file is refused (EINVAL) instead of joined.
     */
    public static <T> T call(List<Path> nsFiles, int nstype, Callable<T> body) {
        return onFreshThread(() -> {
            for (Path ns : nsFiles) {
                enter(ns, nstype);
            }
            return body.call();
        });
    }

    /**
     * Calls {@code body} on a new platform thread that ends with it, and hands back its result
     * or rethrows what it threw. The one place a thread is made for a namespace switch: callers
     * with their own way in (already-open descriptors, a mount namespace) put it in {@code body}.
     */
    public static <T> T onFreshThread(Callable<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("podnet-ns").unstarted(() -> {
            try {
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        return result.get();
    }

    private static void enter(Path ns, int nstype) {
        try (FileDescriptor fd = FileDescriptor.openReadOnly(ns)) {
            Namespaces.setns(fd.fd(), nstype);
        } catch (SysException e) {
            // Say which namespace could not be entered, not just which call failed.
            throw new SysException("enter namespace " + ns + " (" + e.call() + ")", e.errno(), e.kernelMessage());
        }
    }

    public static void run(List<Path> nsFiles, Runnable body) {
        call(nsFiles, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Calls {@code body} on a new thread that has unshared the given namespaces (e.g. to create
     * a network namespace and bind-mount it before the thread exits).
     */
    public static <T> T unshared(int cloneFlags, Callable<T> body) {
        return call(List.of(), () -> {
            Namespaces.unshare(cloneFlags);
            return body.call();
        });
    }
}
