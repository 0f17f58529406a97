package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The largest requests the limits accept, many at once, into podnetd's 64 MiB heap: a config of
 * just under 1 MiB that parses into the most objects per byte, with a full environment. The
 * memory budget makes them take turns; every one is answered, the daemon lives, RSS stays
 * under 128 MiB.
 */
class DaemonMemoryTest {
    @RegisterExtension
    static final ThrowawayFaultNode node = new ThrowawayFaultNode("mem", "10.244.64.");

    @Test
    void worstAcceptedRequestsAllFit(FaultNode n) {
        StringBuilder sb = new StringBuilder("{\"cniVersion\":\"1.0.0\",\"name\":\"mem\",\"type\":\"bridge\",\"pad\":[");
        while (sb.length() < (1 << 20) - 16) {
            sb.append("{},"); // an empty object per 3 bytes: the most heap per byte of input
        }
        sb.append("{}]}");
        byte[] stdin = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(stdin.length).isLessThanOrEqualTo(1 << 20);
        long pid = n.daemonPid();
        List<CallRunner> runners = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<CallRunner.Call> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Map<String, String> env = FaultNode.attachment("ADD", "mem-" + r + "-" + i, null);
                env.put("CNI_NETNS", "/nonexistent");
                env.put("CNI_PATH", n.bin.toString());
                for (int k = 0; k < 7; k++) {
                    env.put("PAD" + k, "e".repeat(120_000)); // with the rest, just under 1 MiB of environment
                }
                calls.add(new CallRunner.Call(env, stdin));
            }
            runners.add(CallRunner.start(n, calls, "mem-" + r));
        }
        int answered = 0;
        for (CallRunner r : runners) {
            for (List<CallRunner.Answer> a : r.answers()) {
                FaultNode.Shim s = new FaultNode.Shim(a.getFirst().status(), a.getFirst().out()).valid("a 1 MiB call");
                assertThat(s.code()).as(s.out()).isEqualTo(4); // parsed all through, then: no such CNI_NETNS
                answered++;
            }
        }
        long peak = FaultNode.statusField(pid, "VmHWM:");
        System.err.println("DaemonMemoryTest: " + answered + " calls of " + stdin.length + " bytes of stdin + ~840 KB of"
                + " environment, 3 at a time: podnetd RSS peak " + peak + " KiB");
        assertThat(n.daemonPid()).isEqualTo(pid);
        assertThat(n.readLog()).doesNotContain("OutOfMemoryError");
        assertThat(peak).isLessThan(128 * 1024);
    }
}
