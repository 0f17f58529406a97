package podnet.node.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import podnet.cni.agent.AgentAnswer;
import podnet.cni.agent.PodEvent;
import podnet.node.policy.ClusterPolicies;
import podnet.node.policy.PolicyPod;

/**
 * The agent's answers to the bridge plugin's pod events (Kubernetes mode with NetworkPolicy): an
 * ADD puts the pod's address into the node's sets, with the labels and named ports of its Pod
 * object (from the watch, else read from the API), before the answer; a DEL takes it out. Every
 * answer comes within {@link #BOUND}, below the plugin's own wait, so a slow API fails the ADD
 * with the agent's reason rather than the plugin's timeout.
 */
final class PodEvents implements Function<PodEvent, AgentAnswer> {
    static final Duration BOUND = Duration.ofSeconds(8);

    private final KubePolicyWatch watch;
    private final ClusterPolicies target;
    private final Consumer<String> log;

    PodEvents(KubePolicyWatch watch, Consumer<String> log) {
        this.watch = watch;
        this.target = watch.policies();
        this.log = log;
    }

    @Override
    public AgentAnswer apply(PodEvent e) {
        long start = System.nanoTime(), deadline = start + BOUND.toNanos();
        try {
            if (e.op() == PodEvent.Op.DEL) {
                String what = target.detach(e.namespace(), e.name(), e.containerId());
                log.accept("CNI DEL of pod " + e.key() + ": " + what);
                return AgentAnswer.done(what);
            }
            if (!watch.awaitFirstPass(left(deadline))) {
                return AgentAnswer.failed("the agent has not put the cluster's policies into the node's table yet "
                        + "(it lists pods, namespaces and networkpolicies first)");
            }
            Pod pod;
            try {
                pod = CompletableFuture.supplyAsync(() -> watch.localPod(e.namespace(), e.name()), Thread::startVirtualThread)
                        .get(left(deadline).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException t) {
                return AgentAnswer.failed("the API did not answer for pod " + e.key() + " within " + BOUND.toSeconds() + " s");
            } catch (ExecutionException x) {
                return AgentAnswer.failed("cannot read pod " + e.key() + " from the API: " + x.getCause().getMessage());
            }
            if (pod == null) {
                return AgentAnswer.done("pod " + e.key() + " is not in the API: no NetworkPolicy applies to it");
            }
            long found = System.nanoTime();
            PolicyPod p = watch.attached(pod, e.ip());
            String what = target.attach(p, e.containerId());
            long done = System.nanoTime();
            log.accept("CNI ADD of pod " + e.key() + " at " + e.ip().getHostAddress() + ": " + what + " (pod found in "
                    + ms(found - start) + ", in the sets " + ms(done - found) + " later)");
            return AgentAnswer.done(what);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return AgentAnswer.failed("the agent is stopping");
        }
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
