package podnet.linux.ns;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;

/**
 * A fixed set of platform threads that joined one network namespace when they started and stay
 * in it until {@link #close}: for many short jobs in one namespace (a benchmark spawning plugin
 * executables there), where a fresh thread per job would be measured too. The threads are this
 * object's alone and end with it, so no shared thread ever carries the foreign namespace.
 */
public final class NsWorkers implements AutoCloseable {
    private static final Runnable STOP = () -> {};

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private NsWorkers() {}

    /** Starts {@code count} threads inside {@code netns}; fails (and starts none) if it cannot be joined. */
    public static NsWorkers start(Netns netns, int count, String name) {
        if (count < 1) {
            throw new IllegalArgumentException("need at least one worker, not " + count);
        }
        NsWorkers w = new NsWorkers();
        CountDownLatch joined = new CountDownLatch(count);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            w.threads.add(Thread.ofPlatform().name(name + "-" + i).daemon(true).start(() -> {
                try {
                    if (!netns.isCurrent()) {
                        try (FileDescriptor fd = FileDescriptor.openReadOnly(netns.path())) {
                            Namespaces.setns(fd.fd(), Namespaces.CLONE_NEWNET);
                        }
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    joined.countDown();
                    return;
                }
                joined.countDown();
                w.work();
            }));
        }
        awaitUninterruptibly(joined);
        if (failure.get() != null) {
            w.close();
            throw failure.get();
        }
        return w;
    }

    private void work() {
        while (true) {
            Runnable r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (r == STOP) {
                return;
            }
            r.run();
        }
    }

    /** Runs {@code job} on one of the threads. */
    public <T> CompletableFuture<T> submit(Callable<T> job) {
        CompletableFuture<T> f = new CompletableFuture<>();
        queue.add(() -> {
            try {
                f.complete(job.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Runs {@code job} on one of the threads and waits for its result (what it threw, rethrown). */
    public <T> T call(Callable<T> job) {
        try {
            return submit(job).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    public int size() {
        return threads.size();
    }

    /** Lets queued jobs finish, then ends every thread. */
    @Override
    public void close() {
        for (int i = 0; i < threads.size(); i++) {
            queue.add(STOP);
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
