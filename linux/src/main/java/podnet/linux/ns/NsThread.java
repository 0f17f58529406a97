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
 * a sysctl): threads it starts inherit the namespaces.
 */
public final class NsThread {
    private NsThread() {}

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
