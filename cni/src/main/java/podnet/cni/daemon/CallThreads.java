package podnet.cni.daemon;

import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.NsThread;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;

/**
 * podnetd's call threads, kept for the next call instead of one new thread per call: a
 * thread's start and exit (glibc gives its stack back with madvise, a TLB shootdown on every
 * CPU) cost more than a warm ADD's own work on a busy 2-core node. A call moves its thread
 * into the caller's mount and network namespaces and, the thread being {@linkplain
 * NsThread#lentForSwitches lent for switches}, into the pod's and back; after each call the
 * thread returns to its own namespaces (descriptors it opened when it started) and is checked
 * there, or ends if it cannot: no thread is ever reused in a foreign namespace.
 */
final class CallThreads {
    private static final Path NET = Path.of("/proc/thread-self/ns/net"), MNT = Path.of("/proc/thread-self/ns/mnt");

    /** A thread's own namespaces, as descriptors and inode numbers. */
    private record Home(FileDescriptor net, FileDescriptor mnt, long netIno, long mntIno) {
        static Home here() {
            FileDescriptor net = FileDescriptor.openReadOnly(NET);
            try {
                return new Home(net, FileDescriptor.openReadOnly(MNT), NamespaceTable.inode(NET), NamespaceTable.inode(MNT));
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }

        /** Back home; false if the thread is not there afterwards. */
        boolean restore() {
            try {
                if (NamespaceTable.inode(MNT) != mntIno) {
                    // A thread the call started (a link reaper) shares our filesystem context, and
                    // setns to a mount namespace is refused while it is shared: take a copy first.
                    Namespaces.unshare(Namespaces.CLONE_FS);
                    Namespaces.setns(mnt.fd(), Namespaces.CLONE_NEWNS);
                }
                if (NamespaceTable.inode(NET) != netIno) {
                    Namespaces.setns(net.fd(), Namespaces.CLONE_NEWNET);
                }
                return NamespaceTable.inode(MNT) == mntIno && NamespaceTable.inode(NET) == netIno;
            } catch (RuntimeException e) {
                return false;
            }
        }

        void close() {
            net.close();
            mnt.close();
        }
    }

    /** A call, and what runs after it (with the thread back home). */
    private record Task(Runnable call, Runnable after) {}

    private static final Task STOP = new Task(() -> {}, () -> {});

    /** A kept thread: takes the calls handed to it until idle for the keep-alive. */
    private final class Worker {
        final BlockingQueue<Task> handOff = new ArrayBlockingQueue<>(1);

        void loop(Task first) {
            Home home;
            try {
                home = Home.here();
            } catch (RuntimeException e) {
                first.after().run();
                throw e;
            }
            try {
                for (Task t = first; t != null && t != STOP; t = next()) {
                    if (!serve(t, home)) {
                        return; // not home: this thread ends, a later call gets a new one
                    }
                }
            } finally {
                home.close();
            }
        }

        private boolean serve(Task t, Home home) {
            boolean back = false;
            try {
                NsThread.lentForSwitches(() -> {
                    t.call().run();
                    return null;
                });
            } catch (Throwable e) { // the call answers its own errors; this is a bug, not a reason to die
                System.err.println("podnetd: call thread: " + e);
            } finally {
                back = home.restore();
                if (back) {
                    idle.push(this); // before `after`: the call it lets in finds this thread
                }
                t.after().run();
            }
            return back;
        }

        private Task next() {
            try {
                Task t = handOff.poll(keepAliveSeconds, TimeUnit.SECONDS);
                if (t != null || idle.remove(this)) {
                    return t;
                }
                return handOff.take(); // taken off the idle list as we timed out: a call is coming
            } catch (InterruptedException e) {
                return idle.remove(this) ? null : handOff.poll();
            }
        }
    }

    /** Kept threads waiting for a call, the most recent first (its stack is the warmest). */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final long keepAliveSeconds;

    /** Threads kept for the next call; one idle for {@code keepAliveSeconds} ends. */
    CallThreads(long keepAliveSeconds) {
        this.keepAliveSeconds = keepAliveSeconds;
    }

    /**
     * Runs {@code call} on a kept thread, else a new one, lent for switches; {@code after} runs
     * when it ended, whatever happened. The caller bounds how many run at once.
     */
    void start(Runnable call, Runnable after) {
        Task t = new Task(call, after);
        Worker w = idle.pollFirst();
        if (w != null) {
            w.handOff.add(t); // its queue is empty while it is on the idle list
            return;
        }
        Worker fresh = new Worker();
        Thread.ofPlatform().name("podnetd-call").daemon().start(() -> fresh.loop(t));
    }

    /** Ends the idle threads; busy ones end after their call. */
    void shutdown() {
        for (Worker w; (w = idle.pollFirst()) != null; ) {
            w.handOff.add(STOP);
        }
    }
}
