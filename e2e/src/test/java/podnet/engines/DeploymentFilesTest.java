package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.testing.Root;

/**
 * The deployment files: the node-subnet step of the DaemonSet (run for real, against a fake
 * flannel file and a fake API server reply), the systemd unit, and the manifest's essentials.
 */
class DeploymentFilesTest {
    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    static final Path NODE_SUBNET = DEPLOY.resolve("kubernetes/node-subnet.sh");

    @TempDir
    Path tmp;

    private Cmd.Result nodeSubnet(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of("FLANNEL_ENV", tmp.resolve("absent.env").toString(),
                "SA_DIR", tmp.toString(), "PATH", tmp.resolve("bin") + ":/usr/bin:/bin"));
        env.putAll(extraEnv);
        return Cmd.run(Duration.ofSeconds(10), env, List.of("sh", NODE_SUBNET.toString()));
    }

    /** A curl that prints {@code body} (or fails when null), as the API server's reply. */
    private void fakeApiServer(String body) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(tmp.resolve("token"), "t0ken");
        Files.writeString(tmp.resolve("ca.crt"), "");
        Path curl = bin.resolve("curl");
        Files.writeString(curl, body == null ? "#!/bin/sh\necho 'curl: (7) refused' >&2\nexit 7\n"
                : "#!/bin/sh\necho \"$@\" > " + tmp.resolve("curl.args") + "\ncat <<'JSON'\n" + body + "\nJSON\n");
        Files.setPosixFilePermissions(curl, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Map<String, String> node(String name) {
        return Map.of("NODE_NAME", name, "KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443");
    }

    @Test
    void flannelSubnetEnvWinsAndIsTurnedIntoTheNetwork() throws Exception {
        Path env = Files.writeString(tmp.resolve("subnet.env"), """
                FLANNEL_NETWORK=10.244.0.0/16
                FLANNEL_SUBNET=10.244.2.1/24
                FLANNEL_MTU=1450
                FLANNEL_IPMASQ=true
                """);
        Cmd.Result r = nodeSubnet(Map.of("FLANNEL_ENV", env.toString())).ok();
        assertThat(r.out()).isEqualTo("SUBNET=10.244.2.0/24\nMTU=1450\nSOURCE=flannel\n");
    }

    @Test
    void podCidrOfTheNodeFromTheApiServer() throws Exception {
        fakeApiServer("""
                {"kind":"Node","metadata":{"name":"node2","annotations":{"x":"{\\"podCIDR\\":\\"10.9.9.0/24\\"}"}},
                 "spec":{"podCIDR": "10.244.2.0/24","podCIDRs":["10.244.2.0/24"]}}""");
        Cmd.Result r = nodeSubnet(node("node2")).ok();
        assertThat(r.out()).isEqualTo("SUBNET=10.244.2.0/24\nMTU=1500\nSOURCE=podCIDR\n");
        assertThat(Files.readString(tmp.resolve("curl.args")))
                .contains("https://10.96.0.1:443/api/v1/nodes/node2").contains("Bearer t0ken");
    }

    @Test
    void aNodeWithoutPodCidrIsAClearError() throws Exception {
        fakeApiServer("{\"kind\":\"Node\",\"spec\":{}}");
        Cmd.Result r = nodeSubnet(node("node2"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("node node2 has no spec.podCIDR");
    }

    @Test
    void anUnreachableApiServerIsAClearError() throws Exception {
        fakeApiServer(null);
        Cmd.Result r = nodeSubnet(node("node2"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("cannot read node node2");
    }

    @Test
    void withoutFlannelTheNodeNameIsRequired() {
        Cmd.Result r = nodeSubnet(Map.of());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("NODE_NAME is not set");
    }

    @Test
    void badSubnetsAreRefused() throws Exception {
        for (String bad : List.of("10.244.2.1", "10.244.2.1/33", "10.244.2/24", "fd00::1/64", "10.244.2.300/24", "x/24")) {
            Path env = Files.writeString(tmp.resolve("subnet.env"), "FLANNEL_SUBNET=" + bad + "\n");
            Cmd.Result r = nodeSubnet(Map.of("FLANNEL_ENV", env.toString()));
            assertThat(r.exit()).as(bad).isNotZero();
            assertThat(r.err()).as(bad).startsWith("node-subnet: ");
        }
    }

    @Test
    void systemdUnitRunsTheDaemonAndKeepsItsRuntimeDirectory() throws Exception {
        Path unit = DEPLOY.resolve("podnetd.service");
        assertThat(Files.readAllLines(unit)).contains("ExecStart=/opt/podnet/podnet daemon run",
                "RuntimeDirectory=podnet", "RuntimeDirectoryPreserve=yes", "Restart=always", "WantedBy=multi-user.target");
        assumeTrue(Root.has("systemd-analyze"), "systemd-analyze is not installed");
        Cmd.Result r = Cmd.run(Duration.ofSeconds(30), Map.of(), List.of("systemd-analyze", "verify", unit.toString()));
        // Only complaint allowed: podnet is not installed at /opt/podnet on the test machine.
        assertThat((r.err() + r.out()).lines().filter(l -> !l.isBlank())
                .filter(l -> !l.contains("/opt/podnet/podnet is not executable"))).isEmpty();
    }

    @Test
    void daemonSetHasTheNodeAccessItNeeds() throws Exception {
        String yaml = Files.readString(DEPLOY.resolve("kubernetes/podnet.yaml"));
        assertThat(yaml).contains("kind: DaemonSet", "hostNetwork: true", "hostPID: true", "privileged: true",
                "path: /opt/cni/bin", "path: /etc/cni/net.d", "path: /var/lib/cni", "path: /run\n",
                "fieldPath: spec.nodeName",
                "command: [\"podnet\", \"cni\", \"install\", \"--bin-dir\", \"/host/opt/cni/bin\", \"--self-contained\", \"--no-autostart\"]",
                "command: [\"/opt/cni/bin/loopback\"]", "value: VERSION",
                "command: [\"podnet\", \"daemon\", \"run\"]", "mountPath: /run/podnet");
        // The agent: Kubernetes mode, the node's conflist into the host's /etc/cni/net.d, RBAC to watch and patch Nodes.
        assertThat(yaml).contains("- node\n            - run\n            - --kube\n", "- --cni-conf-dir\n            - /host/etc/cni/net.d",
                "verbs: [\"get\", \"list\", \"watch\", \"patch\", \"update\"]", "key: network", "key: backend");
        // NetworkPolicy: a CNI ADD of a pod the watch has not shown yet GETs it; the agent's socket is on the shared /run/podnet.
        assertThat(yaml).contains("resources: [\"pods\"]\n    verbs: [\"get\", \"list\", \"watch\"]");
        assertThat(yaml).doesNotContain("\t");
    }
}
