package podnet.node.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pod records on disk, status from them, and the pieces of a CNI attachment. */
class PodStoreTest {
    @TempDir
    Path state;

    @Test
    void claimSaveLoadListDelete() {
        PodStore store = new PodStore(state);
        assertThat(store.claim("a")).isTrue();
        assertThat(store.claim("a")).as("a name is claimed once").isFalse();
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        PodRecord r = new PodRecord("a", Map.of("app", "web"), "podnet-a", "/x.conflist", "node", null, t, List.of())
                .withIp("10.244.2.2/24")
                .withContainer(new ContainerRecord("c", List.of("sleep", "1"), 42, 4242, t));
        store.save(r);
        assertThat(store.load("a")).contains(r);
        assertThat(store.list()).containsExactly(r);
        assertThat(Files.exists(store.dir("a").resolve("pod.json.tmp"))).isFalse();
        store.delete("a");
        assertThat(store.exists("a")).isFalse();
        assertThat(store.load("a")).isEmpty();
    }

    @Test
    void unreadableRecordSaysHowToRemoveIt() throws Exception {
        PodStore store = new PodStore(state);
        store.claim("b");
        Files.writeString(store.dir("b").resolve("pod.json"), "{not json");
        assertThatThrownBy(() -> store.load("b")).isInstanceOf(PodException.class)
                .hasMessageContaining("unreadable record")
                .satisfies(e -> assertThat(((PodException) e).hint()).contains("podnet pod rm b"));
    }

    @Test
    void statusOfAPodWhoseProcessesAreGone() {
        Instant created = Instant.now().minusSeconds(3 * 3600);
        PodRecord r = new PodRecord("p", Map.of(), "podnet-p", "/n", null, "10.244.2.9/24", created,
                List.of(new ContainerRecord("c", List.of("x"), Integer.MAX_VALUE - 1, 1, created)));
        PodStatus s = PodStatus.of(r, state, true, "node1", Instant.now());
        assertThat(s.status()).isEqualTo("Error");
        assertThat(s.ready()).isZero();
        assertThat(s.ageText()).isEqualTo("3h");
        assertThat(s.ipText()).isEqualTo("10.244.2.9");
        assertThat(PodStatus.of(r, state, false, "node1", Instant.now()).status()).isEqualTo("Lost");
        assertThat(new PodStatus("p", 0, 0, "", 0, Duration.ofSeconds(59), null, "", List.of()).ageText()).isEqualTo("59s");
        assertThat(new PodStatus("p", 0, 0, "", 0, Duration.ofMinutes(5), null, "", List.of()).ageText()).isEqualTo("5m");
        assertThat(new PodStatus("p", 0, 0, "", 0, Duration.ofDays(3), null, "", List.of()).ageText()).isEqualTo("3d");
    }

    @Test
    void cniAttachmentAndResult() {
        var a = NetworkAttacher.attachment(new PodRecord("web", Map.of(), "podnet-web", "/n.conflist", null, null, Instant.now(), List.of()),
                Path.of("/run/netns/podnet-web"));
        assertThat(a.containerId()).isEqualTo("podnet-web");
        assertThat(a.ifName()).isEqualTo("eth0");
        assertThat(a.args()).containsEntry("K8S_POD_NAME", "web").containsEntry("K8S_POD_NAMESPACE", "default")
                .containsEntry("IgnoreUnknown", "1").containsEntry("K8S_POD_INFRA_CONTAINER_ID", "podnet-web");
        // Outside default: the real namespace and name, as kubelet passes them; the sandbox keeps the node-wide id.
        var b = NetworkAttacher.attachment(new PodRecord("web", Map.of(), "podnet-web.shop", "/n.conflist", null, null, Instant.now(),
                List.of(), "shop", List.of()), Path.of("/run/netns/podnet-web.shop"));
        assertThat(b.args()).containsEntry("K8S_POD_NAME", "web").containsEntry("K8S_POD_NAMESPACE", "shop")
                .containsEntry("K8S_POD_INFRA_CONTAINER_ID", "podnet-web.shop");
        assertThat(b.containerId()).isEqualTo("podnet-web.shop");
        assertThat(NetworkAttacher.firstIp("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.244.2.5/24\"}]}"))
                .isEqualTo("10.244.2.5/24");
        assertThat(NetworkAttacher.firstIp("{\"cniVersion\":\"1.0.0\"}")).isNull();
        assertThatThrownBy(() -> NetworkAttacher.firstIp("nope")).isInstanceOf(PodException.class);
    }
}
