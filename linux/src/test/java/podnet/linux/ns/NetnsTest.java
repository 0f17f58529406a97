package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sys.SysException;
import podnet.linux.testing.ThrowawayNamespaces;

/** Running code inside a netns: a fresh platform thread, the caller never moves. */
class NetnsTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("netns");
    Netns ns;

    @BeforeEach
    void setUp() {
        ns = namespaces.add("a");
    }

    private static long here() {
        return NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
    }

    @Test
    void callRunsInsideOnAFreshPlatformThread() throws Exception {
        long caller = here();
        long target = ((Number) Files.getAttribute(ns.path(), "unix:ino")).longValue();
        AtomicReference<Thread> ran = new AtomicReference<>();
        long inside = ns.call(() -> {
            ran.set(Thread.currentThread());
            return here();
        });
        assertThat(inside).isEqualTo(target);
        assertThat(ran.get()).isNotSameAs(Thread.currentThread());
        assertThat(ran.get().isVirtual()).isFalse();
        assertThat(ran.get().isAlive()).as("the switched thread is gone").isFalse();
        assertThat(here()).isEqualTo(caller);
    }

    /** Runs {@code body} on a platform thread of its own (never lend the test's thread) and returns its result. */
    private static <T> T onOwnThread(java.util.concurrent.Callable<T> body) throws Exception {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out.set(body.call());
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        return out.get();
    }

    private long target() throws IOException {
        return ((Number) Files.getAttribute(ns.path(), "unix:ino")).longValue();
    }

    @Test
    void aLentThreadSwitchesInPlaceAndComesBack() throws Exception {
        long[] seen = onOwnThread(() -> {
            long home = here();
            Thread self = Thread.currentThread();
            long[] inLent = NsThread.lentForSwitches(() -> {
                long inside = ns.call(() -> Thread.currentThread() == self ? here() : -1);
                long nested = ns.call(() -> ns.call(NetnsTest::here)); // a switch inside a switch comes back to the first
                return new long[] {inside, nested, here()};
            });
            return new long[] {home, inLent[0], inLent[1], inLent[2], here()};
        });
        assertThat(seen[1]).as("in the target, on the same thread").isEqualTo(target());
        assertThat(seen[2]).isEqualTo(target());
        assertThat(seen[3]).as("back after the switches").isEqualTo(seen[0]);
        assertThat(seen[4]).as("after lending").isEqualTo(seen[0]);
    }

    @Test
    void aLentThreadComesBackWhenTheBodyThrows() throws Exception {
        long[] seen = onOwnThread(() -> {
            long home = here();
            long after = NsThread.lentForSwitches(() -> {
                assertThatThrownBy(() -> ns.call(() -> {
                    throw new IllegalStateException("boom");
                })).hasMessage("boom");
                return here();
            });
            return new long[] {home, after};
        });
        assertThat(seen[1]).isEqualTo(seen[0]);
    }

    @Test
    void aLentVirtualThreadStillSwitchesOnAFreshThread() throws Exception {
        AtomicReference<Thread> ran = new AtomicReference<>();
        AtomicReference<Long> inside = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                inside.set(NsThread.lentForSwitches(() -> ns.call(() -> {
                    ran.set(Thread.currentThread());
                    return here();
                })));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        v.join();
        assertThat(inside.get()).isEqualTo(target());
        assertThat(ran.get()).isNotSameAs(v);
    }

    @Test
    void fromAVirtualThreadToo() throws Exception {
        AtomicReference<Long> inside = new AtomicReference<>();
        Thread.ofVirtual().start(() -> inside.set(ns.call(NetnsTest::here))).join();
        assertThat(inside.get()).isEqualTo(((Number) Files.getAttribute(ns.path(), "unix:ino")).longValue());
    }

    @Test
    void currentRunsInline() {
        Thread caller = Thread.currentThread();
        assertThat(Netns.CURRENT.call(Thread::currentThread)).isSameAs(caller);
        assertThat(Netns.CURRENT.isCurrent()).isTrue();
        assertThat(Netns.CURRENT.label()).isEqualTo("current");
    }

    @Test
    void exceptionsComeBackUnwrappedOrWrappedOnce() {
        assertThatThrownBy(() -> ns.run(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(() -> ns.call(() -> {
            throw new IOException("checked");
        })).isInstanceOf(IllegalStateException.class).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void aSocketOpenedInsideStaysThereWhicheverThreadUsesIt() {
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().addIfb("only0");
            assertThat(h.links().list()).extracting(Link::name).containsExactly("lo", "only0");
        }
        try (NetlinkHandle mine = NetlinkHandle.open()) {
            assertThat(mine.links().get("only0")).isEmpty();
        }
    }

    @Test
    void aMissingOrWrongNamespaceIsAClearError() {
        Netns missing = Netns.named(namespaces.name("missing"));
        assertThat(missing.exists()).isFalse();
        assertThatThrownBy(() -> NetlinkHandle.open(missing)).isInstanceOf(SysException.class)
                .hasMessageContaining("enter namespace /run/netns/" + missing.name()).hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> Netns.ofPath(Path.of("/proc/self/ns/ipc")).run(() -> {}))
                .isInstanceOf(SysException.class).hasMessageContaining("EINVAL");
        assertThatThrownBy(() -> Netns.named("a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byPid() throws Exception {
        Process p = NsProcess.start(ns, new ProcessBuilder("sleep", "30"));
        try (NetlinkHandle h = NetlinkHandle.open(Netns.ofPid(p.pid()))) {
            h.links().addIfb("bypid0");
        } finally {
            p.destroyForcibly().waitFor();
        }
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            assertThat(h.links().get("bypid0")).isPresent();
        }
        assertThat(Netns.ofPid(1).toString()).isEqualTo("netns /proc/1/ns/net");
    }

    @Test
    void tellsANetworkNamespaceFromOtherNamespacesAndPlainFiles() throws Exception {
        assertThat(Netns.isNetworkNamespace(ns.path())).as("a named netns (a bind mount)").isTrue();
        assertThat(Netns.isNetworkNamespace(Path.of("/proc/self/ns/net"))).isTrue();
        for (String other : new String[] {"mnt", "user", "uts", "ipc", "pid", "cgroup"}) {
            assertThat(Netns.isNetworkNamespace(Path.of("/proc/self/ns/" + other))).as(other).isFalse();
        }
        assertThat(Netns.isNetworkNamespace(Path.of("/etc/hostname"))).as("a plain file").isFalse();
        assertThat(Netns.isNetworkNamespace(Path.of("/dev/null"))).as("a device").isFalse();
        assertThatThrownBy(() -> Netns.isNetworkNamespace(Path.of("/nonexistent"))).isInstanceOf(SysException.class)
                .hasMessageContaining("ENOENT");
    }
}
