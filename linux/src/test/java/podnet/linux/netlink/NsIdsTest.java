package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.Netns;
import podnet.linux.sys.SysException;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** Namespace ids, against {@code ip -j netns list-id}. */
class NsIdsTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("nsid");
    Netns nsA, nsB, nsC;
    NetlinkHandle inA;

    @BeforeEach
    void setUp() {
        nsA = namespaces.add("a");
        nsB = namespaces.add("b");
        nsC = namespaces.add("c");
        inA = NetlinkHandle.open(nsA);
    }

    @AfterEach
    void tearDown() {
        if (inA != null) {
            inA.close();
        }
    }

    private List<Map<String, Object>> ipListId() {
        return Ip.json(nsA.name(), "netns", "list-id");
    }

    @Test
    void noIdUntilAssigned() {
        assertThat(inA.nsIds().get(nsB)).isEqualTo(NsIds.NONE);
        assertThat(ipListId()).isEmpty();
        int id = inA.nsIds().assign(nsB);
        assertThat(id).isNotNegative();
        assertThat(inA.nsIds().assign(nsB)).as("assign is idempotent").isEqualTo(id);
        assertThat(inA.nsIds().get(nsB)).isEqualTo(id);
        assertThat(ipListId()).singleElement().satisfies(m -> {
            assertThat(((Number) m.get("nsid")).intValue()).isEqualTo(id);
            assertThat(m.get("name")).isEqualTo(nsB.name());
        });
        int idC = inA.nsIds().assign(nsC);
        assertThat(idC).isNotEqualTo(id);
        assertThat(ipListId()).hasSize(2);
    }

    @Test
    void aVethAcrossGetsAnIdThatMatchesTheLinksNetnsId() {
        Link v = inA.links().addVeth("v0", "v1", nsB, 0);
        int id = inA.nsIds().get(nsB);
        assertThat(id).isNotNegative();
        assertThat(v.linkNetnsId()).isEqualTo(id);
        assertThat(ipListId()).anySatisfy(m -> assertThat(m.get("name")).isEqualTo(nsB.name()));
    }

    @Test
    void aPathThatIsNoNetnsIsAClearError() {
        assertThatThrownBy(() -> inA.nsIds().get(Netns.ofPath(Path.of("/nonexistent/ns"))))
                .isInstanceOf(SysException.class).hasMessageContaining("/nonexistent/ns").hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> inA.nsIds().get(Netns.ofPath(Path.of("/proc/self/ns/uts"))))
                .isInstanceOf(SysException.class).hasMessageContaining("nsid").hasMessageContaining(nsA.name());
    }
}
