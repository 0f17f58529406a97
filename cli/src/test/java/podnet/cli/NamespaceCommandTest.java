package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.testing.TestNetns;

/** {@code podnet namespace delete}: refused while pods are in it, for default and unknown names; policies are kept. */
class NamespaceCommandTest {
    @TempDir
    Path state;
    TestNetns namespaces;
    Podnet podnet;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("policy2-nscmd");
        namespaces.add("node"); // policies are enforced there, never in the root namespace
        podnet = new Podnet().nodeNetns(namespaces.name("node")).stateDir(state);
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    @Test
    void deletesAnEmptyNamespaceAndKeepsItsPolicies() throws Exception {
        podnet.run("namespace", "label", "shop", "team=blue").ok();
        Path policy = state.resolve("deny.yaml");
        Files.writeString(policy, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n");
        podnet.run("policy", "apply", "-f", policy.toString()).ok();
        Podnet.Result r = podnet.run("namespace", "delete", "shop").ok();
        assertThat(r.out()).isEqualTo("namespace \"shop\" deleted\n");
        assertThat(r.err()).contains("1 policy of shop kept").contains("podnet policy delete shop/deny");
        assertThat(podnet.run("namespace", "list").ok().out()).doesNotContain("shop");
        assertThat(podnet.run("policy", "list").ok().out()).contains("deny");
        podnet.run("policy", "delete", "shop/deny").ok();
    }

    @Test
    void refusesWhilePodsAreInIt() throws Exception {
        podnet.run("namespace", "label", "shop", "team=blue").ok();
        Path pod = Files.createDirectories(state.resolve("pods/web.shop")).resolve("pod.json");
        Files.writeString(pod, """
                {"name": "web", "namespace": "shop", "labels": {}, "netns": "podnet-web.shop", "network": "/none.conflist",
                 "nodeNetns": null, "ip": null, "created": "2026-12-01T00:00:00Z", "containers": [], "ports": []}
                """);
        Podnet.Result r = podnet.run("namespace", "delete", "shop");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: namespace shop still has 1 pod(s): web")
                .contains("podnet: hint: remove them first: podnet pod rm shop/web");
        assertThat(podnet.run("namespace", "list").ok().out()).contains("shop");
    }

    @Test
    void refusesDefaultUnknownAndInvalidNames() {
        Podnet.Result d = podnet.run("namespace", "delete", "default");
        assertThat(d.exit()).isEqualTo(1);
        assertThat(d.err()).contains("namespace \"default\" cannot be deleted").contains("podnet: hint: ");
        Podnet.Result u = podnet.run("namespace", "delete", "nosuch");
        assertThat(u.exit()).isEqualTo(1);
        assertThat(u.err()).contains("namespace \"nosuch\" not found").contains("podnet: hint: see `podnet namespace list`");
        Podnet.Result bad = podnet.run("namespace", "delete", "Bad_Name");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid namespace name").contains("podnet: hint: ");
        assertThat(state.resolve("namespaces")).doesNotExist();
    }
}
