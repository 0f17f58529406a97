package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.testing.Root;

class AnonymousNetnsTest {
    static final Path SELF = Path.of("/proc/thread-self/ns/net");

    @Test
    void aFreshNamespaceUsableByPathThatGoesAwayWithItsDescriptor() {
        Root.assume();
        long home = NamespaceTable.inode(SELF);
        Path path;
        long inode;
        try (AnonymousNetns a = AnonymousNetns.create(); AnonymousNetns b = AnonymousNetns.create()) {
            path = a.netns().path();
            inode = a.netns().call(() -> NamespaceTable.inode(SELF));
            assertThat(inode).isNotEqualTo(home).isNotEqualTo(b.netns().call(() -> NamespaceTable.inode(SELF)));
            assertThat(NamespaceTable.inode(path)).isEqualTo(inode);
            try (NetlinkHandle h = NetlinkHandle.open(a.netns())) {
                assertThat(h.links().list()).extracting(l -> l.name()).containsExactly("lo");
            }
            assertThat(NamedNetns.list()).noneMatch(n -> NamespaceTable.inode(Netns.RUN_NETNS.resolve(n)) == inode);
        }
        assertThat(Files.exists(path)).isFalse();
        assertThat(NamespaceTable.inode(SELF)).isEqualTo(home);
    }
}
