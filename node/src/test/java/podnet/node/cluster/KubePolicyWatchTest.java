package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.node.policy.ClusterPolicies;
import podnet.node.policy.PolicyEnforcer;
import podnet.node.policy.PolicyPod;

/** How API objects become what policies see (no server: the client is never connected). */
class KubePolicyWatchTest {
    final KubernetesClient client = new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:9").build()).build();
    final List<String> log = new ArrayList<>();
    final KubePolicyWatch watch = new KubePolicyWatch(client, "node1",
            new ClusterPolicies(new PolicyEnforcer(Netns.CURRENT), Path.of("/nonexistent")), log::add);

    @AfterEach
    void close() {
        client.close();
    }

    private static PodBuilder pod(String node, String ip) {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withContainerPort(9090).endPort()
                .addNewPort().withName("dns").withContainerPort(53).withProtocol("UDP").endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).endStatus();
    }

    @Test
    void aPodIsItsNamespaceLabelsAddressNamedPortsAndWhereItRuns() {
        PolicyPod here = watch.pod(pod("node1", "10.244.7.5").build());
        assertThat(here.key()).isEqualTo("shop/web");
        assertThat(here.labels()).containsExactly(Map.entry("app", "web"));
        assertThat(here.ip().getHostAddress()).isEqualTo("10.244.7.5");
        assertThat(here.remote()).isFalse();
        assertThat(here.ports()).containsExactly(new PolicyPod.NamedPort("http", 8080, "TCP"), new PolicyPod.NamedPort("dns", 53, "UDP"));
        assertThat(watch.pod(pod("node2", "10.244.9.5").build()).remote()).isTrue();
    }

    @Test
    void podsWithoutAnAddressOfTheirOwnAreLeftOut() {
        assertThat(watch.pod(pod("node1", null).build())).as("pending").isNull();
        assertThat(watch.pod(pod("node1", "fd00::5").build())).as("IPv6 only").isNull();
        Pod host = pod("node1", "192.168.50.11").editSpec().withHostNetwork(true).endSpec().build();
        assertThat(watch.pod(host)).as("host network").isNull();
        Pod done = pod("node1", "10.244.7.5").editStatus().withPhase("Succeeded").endStatus().build();
        assertThat(watch.pod(done)).as("finished").isNull();
    }

    @Test
    void aPodOfACniAddHasItsAddressBeforeTheApiDoes() throws Exception {
        Pod pending = pod("node1", null).editStatus().withPhase("Pending").endStatus().build();
        PolicyPod p = watch.attached(pending, java.net.InetAddress.getByName("10.244.7.9"));
        assertThat(p.ip().getHostAddress()).isEqualTo("10.244.7.9");
        assertThat(p.remote()).isFalse();
        assertThat(p.labels()).containsExactly(Map.entry("app", "web"));
        assertThat(p.ports()).hasSize(2);
        Pod later = pod("node1", "10.244.7.9").build();
        assertThat(watch.pod(later)).as("the API's later report is the same pod: no change").isEqualTo(p);
    }

    private NetworkPolicy policy(String spec) {
        return client.getKubernetesSerialization().unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p, namespace: shop, resourceVersion: "7", uid: abc, generation: 2}
                spec: %s
                """.formatted(spec), NetworkPolicy.class);
    }

    @Test
    void aPolicyIsReadByPodnetsValidationFromItsSpecOnly() {
        var p = watch.policy(policy("{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}, {port: 80, endPort: 90}]}]}"));
        assertThat(p.key()).isEqualTo("shop/p");
        assertThat(p.ingress()).isTrue();
        assertThat(p.egress()).isFalse();
        assertThat(p.ingressRules().getFirst().ports()).hasSize(2);
        var again = watch.policy(policy("{podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}, {port: 80, endPort: 90}]}]}"));
        assertThat(again).as("the same spec is the same policy, whatever the metadata").isEqualTo(p);
    }

    @Test
    void aPolicyPodnetRefusesIsLoggedAndLeftOut() {
        assertThat(watch.policy(policy("{podSelector: {}, ingress: [{ports: [{protocol: SCTP, port: 80}]}]}"))).isNull();
        assertThat(log).singleElement().asString().startsWith("NetworkPolicy shop/p is not enforced: ").contains("SCTP");
    }
}
