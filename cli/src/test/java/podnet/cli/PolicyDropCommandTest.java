package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * Two pods of namespace x under a deny-all policy, end to end through the CLI: {@code observe}
 * shows the ping DROPPED by policy x/deny-all, {@code trace} breaks at the bridge naming it, and
 * {@code policy explain} names the same policy.
 */
class PolicyDropCommandTest {
    @TempDir
    Path state;
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("policydrop");

    @Test
    void aDenyAllPolicyIsNamedByObserveTraceAndExplain() throws Exception {
        Root.assumeProgram("ping");
        String node = namespaces.name("node");
        namespaces.track(node);
        Podnet podnet = new Podnet().nodeNetns(node).stateDir(state);
        podnet.run("netns", "add", node).ok();
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        String a = "a" + suffix, b = "b" + suffix, idA = a + ".x", idB = b + ".x";
        namespaces.track("podnet-" + idA);
        namespaces.track("podnet-" + idB);
        try {
            podnet.run("pod", "run", "--namespace", "x", "-l", "pod=a", a, "--", "sleep", "3600").ok();
            String ipB = podnet.run("-j", "pod", "run", "--namespace", "x", "-l", "pod=b", b, "--", "sleep", "3600").ok()
                    .jsonObject().get("ip").toString().replaceAll("/.*", "");
            Path deny = state.resolve("deny.yaml");
            Files.writeString(deny, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                    + "metadata: {name: deny-all, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n");
            podnet.run("policy", "apply", "-f", deny.toString()).ok();

            Podnet.Running run = new Podnet().stateDir(state)
                    .start("observe", "-n", node, "--seconds", "5", "--protocol", "icmp", "-o", "json")
                    .awaitErr("observing", 20_000);
            // From the pod's netns directly: `pod exec` starts processes, which takes seconds on a loaded machine.
            assertThat(Ip.ping("podnet-" + idA, ipB, 3)).isFalse();
            Podnet.Result r = run.result().get(20, TimeUnit.SECONDS).ok();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> flows = (List<Map<String, Object>>) r.jsonObject().get("flows");
            Map<String, Object> f = flows.stream().filter(x -> x.get("protocol").equals("icmp")).findFirst()
                    .orElseThrow(() -> new AssertionError("no icmp flow: " + r.out() + r.err()));
            assertThat(f.get("verdict")).as(r.out()).isEqualTo("DROPPED");
            @SuppressWarnings("unchecked")
            Map<String, Object> drop = (Map<String, Object>) f.get("drop");
            assertThat(drop).containsEntry("policies", List.of("x/deny-all")).containsEntry("direction", "ingress")
                    .containsEntry("reason", "NETFILTER_DROP");

            Podnet.Result trace = podnet.run("trace", idA, idB);
            assertThat(trace.exit()).as(trace.out() + trace.err()).isEqualTo(1);
            assertThat(trace.out()).contains("policy drop in the node's forward hook (ingress").contains("by policy x/deny-all")
                    .contains("broken at hop 3 (cni0): dropped by policy x/deny-all: " + idB + " is isolated for ingress");

            Podnet.Result explain = podnet.run("policy", "explain", "x/" + a, "x/" + b, "--port", "80/TCP").ok();
            assertThat(explain.out()).contains("DENIED").contains("isolated by x/deny-all; no rule allows this");
            assertThat(podnet.run("-j", "policy", "explain", "x/" + a, "x/" + b).ok().jsonObject())
                    .containsEntry("ingressSelecting", drop.get("policies"));
            System.out.println(trace.out() + explain.out()); // for the record in the surefire report
        } finally {
            podnet.run("pod", "rm", idA, idB);
        }
    }
}
