package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pod run --runtime cri} on bad input, without a runtime: each mistake is a
 * {@code podnet: …} line plus a hint, exit 1 (usage: 2), and nothing is written. (The runs
 * against a real containerd are e2e's CriPodsTest.)
 */
class PodCriCommandTest {
    @TempDir
    Path state;

    Podnet podnet() {
        return new Podnet().stateDir(state);
    }

    @Test
    void noSocketSaysHowToStartContainerd() {
        Path sock = state.resolve("no-containerd.sock");
        Podnet.Result r = podnet().run("pod", "run", "web", "--runtime", "cri", "--cri-socket", sock.toString(), "--", "sleep", "1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: no CRI socket at " + sock)
                .contains("podnet: hint: start containerd").contains("apt-get install containerd runc");
        assertThat(state.resolve("pods")).doesNotExist();
    }

    @Test
    void deadSocketIsTheRuntimesError() throws Exception {
        Path sock = Files.createFile(state.resolve("stale.sock")); // a file nobody listens on
        Podnet.Result r = podnet().run("pod", "run", "web", "--runtime", "cri", "--cri-socket", sock.toString(), "--", "sleep", "1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("podnet: ").contains("podnet: hint: start containerd");
        assertThat(state.resolve("pods/web")).doesNotExist();
    }

    @Test
    void criOptionsNeedTheCriRuntime() {
        Podnet.Result r = podnet().run("pod", "run", "web", "-p", "8080:80", "--", "sleep", "1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: --cri-socket, --image and -p need --runtime cri");
    }

    @Test
    void badPortAndRuntimeNames() {
        Podnet.Result p = podnet().run("pod", "run", "web", "--runtime", "cri", "-p", "80", "--", "sleep", "1");
        assertThat(p.exit()).isEqualTo(1);
        assertThat(p.err()).contains("podnet: port mapping \"80\" is not HOSTPORT:PORT[/tcp|udp]")
                .contains("podnet: hint: e.g. -p 8080:80");
        Podnet.Result rt = podnet().run("pod", "run", "web", "--runtime", "docker", "--", "sleep", "1");
        assertThat(rt.exit()).isEqualTo(1);
        assertThat(rt.err()).contains("podnet: unknown runtime \"docker\"");
    }

    @Test
    void manifestRuntimeMustBeKnown() throws Exception {
        Path m = Files.writeString(state.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web}
                spec:
                  runtime: kata
                  containers:
                  - name: web
                    image: localhost/podnet/busybox:0.1.0
                    command: [httpd, -f]
                """);
        Podnet.Result r = podnet().run("pod", "run", "-f", m.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: manifest: spec.runtime is \"kata\"");
    }
}
