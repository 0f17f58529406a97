package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * A cluster's state enforced on one node (a throwaway node namespace; pods are addresses only):
 * each change takes the cheapest way that is right, and the kernel ends up as a full compile of
 * the same view would have it, remote pods as peers only.
 */
class ClusterPoliciesTest {
    @TempDir
    Path state;
    private TestNetns namespaces;
    private Netns node;
    private ClusterPolicies cluster;

    @BeforeEach
    void node() {
        Root.assume();
        Root.assumeProgram("nft");
        namespaces = new TestNetns("polcl");
        node = namespaces.add("node");
        cluster = new ClusterPolicies(new PolicyEnforcer(node), state);
    }

    @AfterEach
    void cleanup() {
        if (namespaces != null) {
            namespaces.close();
        }
    }

    private static PolicyPod pod(String name, String app, int ip, boolean remote) {
        return new PolicyPod("x", name, Map.of("app", app), Cidr.parseAddress("10.244." + (remote ? 9 : 2) + "." + ip), List.of(), remote);
    }

    private String set(String name) {
        Ip.Result r = Ip.run("ip", "netns", "exec", node.name(), "nft", "list", "set", "inet", PolicyEnforcer.TABLE, name);
        return r.exit() == 0 ? r.out() : "";
    }

    private String peers() {
        String sets = Ip.run("ip", "netns", "exec", node.name(), "nft", "list", "sets", "inet").ok().out();
        String name = sets.lines().map(String::strip).filter(l -> l.startsWith("set ") && l.contains("-in0-peers"))
                .map(l -> l.split(" ")[1]).findFirst().orElseThrow();
        return set(name);
    }

    @Test
    void eachChangeTakesTheCheapestRightWay() {
        cluster.putNamespace("x", Map.of("team", "a"));
        cluster.putPod(pod("web", "web", 10, false));
        cluster.putPod(pod("far", "web", 10, true));
        cluster.putPod(pod("client", "client", 11, true));
        assertThat(cluster.enforce().how()).isEqualTo("sync");
        assertThat(set("ingress-isolated")).as("no policy: no table").isEmpty();

        cluster.putPolicy(PolicyManifest.parse(NetpolCases.policy("x", "web", """
                podSelector: {matchLabels: {app: web}}
                ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
                """), "default", false).getFirst());
        assertThat(cluster.enforce().how()).isEqualTo("policies");
        assertThat(set("ingress-isolated")).as("only this node's web pod is isolated here")
                .contains("10.244.2.10").doesNotContain("10.244.9.10");
        assertThat(peers()).as("the remote client is a peer").contains("10.244.9.11");

        cluster.putPod(pod("client2", "client", 12, false));
        assertThat(cluster.enforce().how()).isEqualTo("pods +1 -0");
        assertThat(peers()).contains("10.244.2.12");
        cluster.removePod("x", "client2");
        assertThat(cluster.enforce().how()).isEqualTo("pods +0 -1");
        assertThat(peers()).doesNotContain("10.244.2.12");

        cluster.putPod(pod("client", "other", 11, true)); // relabelled
        assertThat(cluster.enforce().how()).isEqualTo("sync");
        assertThat(peers()).doesNotContain("10.244.9.11");
        assertThat(cluster.enforce().how()).isEqualTo("unchanged");

        // A policy whose namespace does not exist is kept, and selects its pods once they come.
        cluster.putPolicy(PolicyManifest.parse(NetpolCases.policy("late", "deny", "podSelector: {}"), "default", false).getFirst());
        cluster.enforce();
        assertThat(cluster.view().policies()).extracting(NetworkPolicy::key).contains("late/deny");
        cluster.putNamespace("late", Map.of());
        cluster.putPod(new PolicyPod("late", "p", Map.of(), Cidr.parseAddress("10.244.2.30"), List.of()));
        cluster.enforce();
        assertThat(set("ingress-isolated")).contains("10.244.2.30");

        cluster.replacePolicies(List.of());
        assertThat(cluster.enforce().how()).isEqualTo("policies");
        assertThat(set("ingress-isolated")).as("no policies left: table gone").isEmpty();
        assertThat(cluster.enforcements()).isEqualTo(8);
    }

    @Test
    void aCniAddComesBeforeTheApiAndReplacesTheAddressesOldPod() {
        cluster.putNamespace("x", Map.of());
        cluster.putPolicy(PolicyManifest.parse(NetpolCases.policy("x", "web", """
                podSelector: {matchLabels: {app: web}}
                ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
                """), "default", false).getFirst());
        cluster.putPod(pod("web", "web", 10, false));
        cluster.putPod(pod("old", "client", 11, false)); // its DEL never came; the API still reports it
        cluster.enforce();
        assertThat(peers()).contains("10.244.2.11");

        // The ADD of a pod the API does not give an address yet, at old's address: old's elements go in the same batch.
        assertThat(cluster.attach(pod("new", "other", 11, false), "c1")).contains("x/old had the address");
        assertThat(peers()).doesNotContain("10.244.2.11");
        assertThat(cluster.view().pods()).extracting(PolicyPod::key).containsExactly("x/new", "x/web");
        assertThat(cluster.enforced()).isEqualTo(cluster.view());
        assertThat(cluster.enforce().how()).as("the watch's next pass").isEqualTo("unchanged");
        assertThat(cluster.attach(pod("new", "other", 11, false), "c1")).isEqualTo("already in");

        // The API reports it (pending first, then with the address): no change. Relabelled: it counts.
        cluster.removePod("x", "new");
        assertThat(cluster.view().pods()).extracting(PolicyPod::key).contains("x/new");
        cluster.putPod(pod("new", "other", 11, false));
        assertThat(cluster.enforce().how()).isEqualTo("unchanged");
        cluster.putPod(pod("new", "client", 11, false));
        cluster.enforce();
        assertThat(peers()).contains("10.244.2.11");

        // A DEL of an older sandbox is nothing; the pod's own takes it out, and the API's stale report stays hidden.
        assertThat(cluster.detach("x", "new", "c0")).isEqualTo("not the pod's sandbox now");
        assertThat(peers()).contains("10.244.2.11");
        assertThat(cluster.detach("x", "new", "c1")).endsWith("element changes");
        assertThat(peers()).doesNotContain("10.244.2.11");
        assertThat(cluster.enforce().how()).isEqualTo("unchanged");
        assertThat(cluster.view().pods()).extracting(PolicyPod::key).containsExactly("x/web");
        // A new sandbox at another address, reported by the API, is the pod again.
        cluster.putPod(pod("new", "client", 12, false));
        cluster.enforce();
        assertThat(peers()).contains("10.244.2.12");
        cluster.podDeleted("x", "new");
        cluster.enforce();
        assertThat(peers()).doesNotContain("10.244.2.12");
    }
}
