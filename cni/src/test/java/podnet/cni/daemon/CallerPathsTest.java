package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Pidfd;

/** "This process" in a CNI_NETNS means the caller, not podnetd. */
class CallerPathsTest {
    @Test
    void selfPathsNameTheCaller() {
        assertThat(CallerPaths.resolve("/proc/self/ns/net", 42)).isEqualTo("/proc/42/ns/net");
        assertThat(CallerPaths.resolve("/proc/thread-self/ns/net", 42)).isEqualTo("/proc/42/task/42/ns/net");
        assertThat(CallerPaths.resolve("/proc//self/../self/ns/net", 42)).isEqualTo("/proc/42/ns/net");
        assertThat(CallerPaths.resolve("/dev/fd/3", 42)).isEqualTo("/proc/42/fd/3");
        assertThat(CallerPaths.resolve("/dev/stdin", 42)).isEqualTo("/proc/42/fd/0");
        assertThat(CallerPaths.resolve("/run/netns/pod1", 42)).isEqualTo("/run/netns/pod1");
        assertThat(CallerPaths.resolve("/proc/selfish", 42)).isEqualTo("/proc/selfish");
        Map<String, String> env = Map.of("CNI_NETNS", "/proc/self/ns/net", "CNI_IFNAME", "eth0");
        assertThat(CallerPaths.resolve(env, 7)).containsEntry("CNI_NETNS", "/proc/7/ns/net").containsEntry("CNI_IFNAME", "eth0");
        Map<String, String> plain = Map.of("CNI_NETNS", "/run/netns/x");
        assertThat(CallerPaths.resolve(plain, 7)).isSameAs(plain);
    }

    @Test
    void theCallersPidComesFromItsPidfd() {
        long me = ProcessHandle.current().pid();
        try (FileDescriptor fd = Pidfd.open(me)) {
            assertThat(CallerPaths.pidInOwnNamespace(fd, -1)).isEqualTo(me);
        }
    }
}
