package podnet.cni.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import podnet.linux.inet.Cidr;

/** The pod-event socket's round trip, client side (a trivial handler): {@code java -cp … podnet.cni.agent.AgentRoundTripBench [N]}. */
public final class AgentRoundTripBench {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createTempDirectory("k8s-add-rt");
        Path sock = dir.resolve("agent.sock");
        PodEvent e = new PodEvent(PodEvent.Op.ADD, "shop", "web", "c0ffee", Cidr.parseAddress("10.244.7.5"));
        try (AgentServer s = AgentServer.start(sock, ev -> AgentAnswer.done("ok"), m -> {})) {
            for (int i = 0; i < 2000; i++) AgentClient.ask(sock, e, Duration.ofSeconds(5));
            int n = Integer.parseInt(a.length > 0 ? a[0] : "2000");
            long[] t = new long[n];
            long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                AgentClient.ask(sock, e, Duration.ofSeconds(5));
                t[i] = System.nanoTime() - t0;
            }
            long cpu1 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            Arrays.sort(t);
            System.out.printf("round trip (client side, %d after 2000 warm): median %.3f ms, p90 %.3f ms, p99 %.3f ms; client thread CPU %.3f ms/call%n",
                    n, t[n / 2] / 1e6, t[n * 9 / 10] / 1e6, t[n * 99 / 100] / 1e6, (cpu1 - cpu0) / 1e6 / n);
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }
}
