package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.Netns;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;
import podnet.linux.testing.ThrowawayNamespaces;

/** Kept call threads: reused, and back in their own namespaces after every call, whatever it joined. */
class CallThreadsTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("callthr");
    final CallThreads threads = new CallThreads(60);

    @AfterEach
    void tearDown() {
        threads.shutdown();
    }

    private static long net() {
        return NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
    }

    private static long mnt() {
        return NamespaceTable.inode(Path.of("/proc/thread-self/ns/mnt"));
    }

    /** Runs {@code call} on the pool and waits for its {@code after}. */
    private void run(Runnable call) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        threads.start(call, done::countDown);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCallThreadIsKeptAndComesHomeFromTheCallersNamespaces() throws Exception {
        Netns other = namespaces.add("caller");
        List<Thread> ran = new CopyOnWriteArrayList<>();
        List<long[]> seen = new CopyOnWriteArrayList<>();
        long home = net(), homeMnt = mnt();
        run(() -> {
            ran.add(Thread.currentThread());
            // what a call does: its own filesystem context, then the caller's namespaces
            Namespaces.unshare(Namespaces.CLONE_FS);
            try (FileDescriptor fd = FileDescriptor.openReadOnly(other.path())) {
                Namespaces.setns(fd.fd(), Namespaces.CLONE_NEWNET);
            }
            seen.add(new long[] {net()});
        });
        run(() -> {
            ran.add(Thread.currentThread());
            seen.add(new long[] {net(), mnt()});
        });
        assertThat(seen.get(0)[0]).as("the first call was in the caller's netns").isNotEqualTo(home);
        assertThat(ran.get(1)).as("the thread was kept").isSameAs(ran.get(0));
        assertThat(seen.get(1)).as("and came home before the next call").containsExactly(home, homeMnt);
    }

    @Test
    void aCallThatThrowsStillRunsItsAfterAndTheThreadServesAgain() throws Exception {
        run(() -> {
            throw new IllegalStateException("a failing call");
        });
        List<Long> seen = new CopyOnWriteArrayList<>();
        run(() -> seen.add(net()));
        assertThat(seen).containsExactly(net());
    }

    @Test
    void switchesInsideACallHappenInPlace() throws Exception {
        Netns pod = namespaces.add("pod");
        List<Object> seen = new CopyOnWriteArrayList<>();
        run(() -> {
            Thread self = Thread.currentThread();
            seen.add(pod.call(() -> Thread.currentThread() == self));
            seen.add(net());
        });
        assertThat(seen).containsExactly(true, net());
    }
}
