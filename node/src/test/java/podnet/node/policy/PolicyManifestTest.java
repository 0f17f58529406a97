package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyManifestTest {
    private static final String HEAD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n";

    @Test
    void readsSeveralDocumentsAndListsWithDefaults() {
        List<NetworkPolicy> ps = PolicyManifest.parse(HEAD + "spec: {podSelector: {}}\n---\n"
                + "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n"
                + "  metadata: {name: q}\n  spec:\n    podSelector: {matchLabels: {app: web}}\n"
                + "    egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 80, endPort: 90}]}]\n",
                "default", false);
        assertThat(ps).extracting(NetworkPolicy::key).containsExactly("x/p", "default/q");
        assertThat(ps.get(0).ingress()).isTrue();
        assertThat(ps.get(0).egress()).isFalse();
        assertThat(ps.get(1).egress()).as("egress rules default policyTypes to Ingress, Egress").isTrue();
        assertThat(ps.get(1).egressRules().get(0).ports().get(0).lastPort()).isEqualTo(90);
        assertThat(ps.get(1).egressRules().get(0).peers().get(0).ipBlock().ranges()).hasSize(2);
    }

    @Test
    void namesTheFieldPathOfEveryProblem() {
        assertThatThrownBy(() -> PolicyManifest.parse(HEAD + """
                spec:
                  podSelector: {matchExpressions: [{key: app, operator: In}]}
                  ingres: []
                  ingress:
                  - from:
                    - ipBlock: {cidr: 10.0.0.0/33}
                    - ipBlock: {cidr: 10.0.0.0/8}
                      podSelector: {}
                    - {}
                    ports:
                    - {protocol: ICMP}
                    - {port: 70000}
                    - {port: http, endPort: 90}
                  policyTypes: [Sideways]
                """, "default", false))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("The NetworkPolicy \"p\" is invalid")
                .hasMessageContaining("spec.podSelector.matchExpressions[0].values: Required value")
                .hasMessageContaining("spec: unknown field \"ingres\"")
                .hasMessageContaining("spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\"")
                .hasMessageContaining("spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer")
                .hasMessageContaining("spec.ingress[0].from[2]: Required value: must specify a peer")
                .hasMessageContaining("spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\"")
                .hasMessageContaining("spec.ingress[0].ports[1].port: Invalid value: 70000")
                .hasMessageContaining("spec.ingress[0].ports[2].endPort: Invalid value: 90: may not be specified when `port` is non-numeric")
                .hasMessageContaining("spec.policyTypes[0]: Unsupported value: \"Sideways\"");
    }

    @Test
    void refusesSctpClearlyAndTheWholeFileWhenOneObjectIsBad() {
        assertThatThrownBy(() -> PolicyManifest.parse(HEAD + "spec: {podSelector: {}}\n---\n" + HEAD.replace("name: p", "name: s")
                + "spec: {podSelector: {}, ingress: [{ports: [{protocol: SCTP, port: 9}]}]}\n", "default", false))
                .hasMessageContaining("document 2: The NetworkPolicy \"s\" is invalid")
                .hasMessageContaining("spec.ingress[0].ports[0].protocol: Unsupported value: \"SCTP\": SCTP is not supported by this node's kernel");
    }

    @Test
    void namespaceOptionMustMatchTheObjects() {
        assertThatThrownBy(() -> PolicyManifest.parse(HEAD + "spec: {podSelector: {}}\n", "y", true))
                .hasMessageContaining("metadata.namespace: Invalid value: \"x\"");
        assertThatThrownBy(() -> PolicyManifest.parse("a: [", "default", false)).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> PolicyManifest.parse(HEAD + "spec: {}\n", "default", false))
                .hasMessageContaining("spec.podSelector: Required value");
    }
}
