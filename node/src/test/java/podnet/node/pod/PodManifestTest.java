package podnet.node.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Pod manifest subset and the YAML values under it. */
class PodManifestTest {

    @Test
    void readsTheArticlesBusyboxPod() {
        PodSpec spec = PodManifest.parse("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: busybox1
                  labels:
                    app: busybox1
                    tier: "demo"
                spec:
                  containers:
                  - image: busybox
                    command:
                      - sleep
                      - "3600"
                    imagePullPolicy: IfNotPresent
                    name: busybox
                  restartPolicy: Always
                """);
        assertThat(spec.name()).isEqualTo("busybox1");
        assertThat(spec.labels()).containsEntry("app", "busybox1").containsEntry("tier", "demo");
        assertThat(spec.containers()).containsExactly(new ContainerSpec("busybox", List.of("sleep", "3600")));
    }

    @Test
    void commandPlusArgsFlowListsQuotesAndBlockScalars() {
        PodSpec spec = PodManifest.parse("""
                # two containers
                metadata:
                  name: two
                spec:
                  containers:
                    - name: a
                      command: ["sh", '-c']
                      args:
                        - |
                          echo "hi # not a comment"
                          echo it's fine
                    - name: b
                      command: [ "echo", "a, b", 'it''s' ]   # trailing comment
                """);
        assertThat(spec.containers()).hasSize(2);
        assertThat(spec.containers().get(0).command())
                .containsExactly("sh", "-c", "echo \"hi # not a comment\"\necho it's fine\n");
        assertThat(spec.containers().get(1).command()).containsExactly("echo", "a, b", "it's");
    }

    @Test
    @SuppressWarnings("unchecked")
    void yamlSubsetShapes() {
        Map<String, Object> doc = (Map<String, Object>) ManifestYaml.parse("""
                a:
                - 1
                - k: v
                  m: n
                b: "x\\ty"
                c:
                d: >-
                  folded
                  line
                """);
        assertThat(doc.get("a")).isEqualTo(List.of("1", Map.of("k", "v", "m", "n")));
        assertThat(doc.get("b")).isEqualTo("x\ty");
        assertThat(doc).containsKey("c");
        assertThat(doc.get("c")).isNull();
        assertThat(doc.get("d")).isEqualTo("folded line");
    }

    @Test
    void refusesWhatItCannotRun() {
        assertThatThrownBy(() -> PodManifest.parse("kind: Deployment\nmetadata:\n  name: x\n"))
                .isInstanceOf(PodException.class).hasMessageContaining("not Pod");
        assertThatThrownBy(() -> PodManifest.parse("metadata:\n  labels: {}\nspec:\n  containers: []\n"))
                .hasMessageContaining("metadata.name");
        assertThatThrownBy(() -> PodManifest.parse("metadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    image: busybox\n"))
                .hasMessageContaining("no command");
        assertThatThrownBy(() -> PodManifest.parse("metadata:\n  name: X_Y\nspec:\n  containers:\n  - name: c\n    command: [a]\n"))
                .hasMessageContaining("invalid pod name");
        assertThatThrownBy(() -> PodManifest.parse("metadata:\n  name: x\nspec:\n  containers:\n  - name: c\n    command: [a]\n  - name: c\n    command: [b]\n"))
                .hasMessageContaining("two containers named c");
        assertThatThrownBy(() -> ManifestYaml.parse("a: 1\n   b: 2\n")).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ManifestYaml.parse("a: \"open\n")).hasMessageContaining("quoted scalar");
        assertThatThrownBy(() -> ManifestYaml.parse("a: &anchor x\n")).hasMessageContaining("anchors");
    }
}
