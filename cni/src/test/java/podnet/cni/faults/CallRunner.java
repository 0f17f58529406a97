package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import podnet.linux.ns.NsProcess;
import podnet.linux.testing.ChildProcess;

/**
 * The Java side of src/test/c/fuzz-runner.c: a batch of calls to the node's bridge shim, run
 * from inside the node netns by one small C process (a spawn there costs far less than one
 * from this JVM), every one through this node's podnetd with the fallback forbidden.
 */
final class CallRunner {
    record Call(Map<String, String> env, byte[] stdin) {}

    /** One answer: the exit status (1000 + signal if it died of one, 2000 if it timed out) and stdout. */
    record Answer(int status, String out) {}

    private final FaultNode node;
    private final List<Call> calls;
    private final Path cases, results;
    private final Process process;

    private CallRunner(FaultNode node, List<Call> calls, Path cases, Path results, Process process) {
        this.node = node;
        this.calls = calls;
        this.cases = cases;
        this.results = results;
        this.process = process;
    }

    /** Starts running {@code calls} in order. */
    static CallRunner start(FaultNode node, List<Call> calls, String tag) {
        Path cases = node.dir.resolve("calls-" + tag), results = node.dir.resolve("answers-" + tag);
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(cases))) {
            for (Call c : calls) {
                Map<String, String> env = new HashMap<>(c.env());
                // always through this node's daemon: never another one's, never the one-shot JVM
                env.put("PODNET_SOCKET", node.socket.toString());
                env.put("PODNET_SHIM_NO_FALLBACK", "1");
                os.write(u32(env.size()));
                for (var e : env.entrySet()) {
                    byte[] kv = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
                    os.write(u32(kv.length));
                    os.write(kv);
                }
                os.write(u32(c.stdin().length));
                os.write(c.stdin());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder pb = new ProcessBuilder(FaultNode.compiled("fuzz-runner").toAbsolutePath().toString(),
                node.bin.resolve("bridge").toString(), cases.toString(), results.toString());
        return new CallRunner(node, calls, cases, results, NsProcess.start(node.node, pb));
    }

    /**
     * Waits for the batch; per call its answer, and after an ADD that succeeded the answer to
     * the DEL the runner sends right after it.
     */
    List<List<Answer>> answers() {
        ChildProcess.Result r = ChildProcess.finish(process, null, Duration.ofMinutes(15));
        assertThat(r.exit()).as("fuzz-runner: %s", r.stderr()).isZero();
        List<List<Answer>> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(results)))) {
            for (Call c : calls) {
                List<Answer> a = new ArrayList<>(List.of(read(in)));
                if ("ADD".equals(c.env().get("CNI_COMMAND")) && a.getFirst().status() == 0) {
                    a.add(read(in));
                }
                out.add(a);
            }
            assertThat(in.read()).as("no more answers than calls").isEqualTo(-1);
            Files.deleteIfExists(cases);
            Files.deleteIfExists(results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Answer read(DataInputStream in) throws IOException {
        int status = le(in), len = le(in);
        return new Answer(status, new String(in.readNBytes(len), StandardCharsets.UTF_8));
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static int le(DataInputStream in) throws IOException {
        return ByteBuffer.wrap(in.readNBytes(4)).order(ByteOrder.nativeOrder()).getInt();
    }
}
