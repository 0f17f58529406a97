package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * The article's pods, end to end through the CLI: a node namespace (never the root one) gets
 * cni0; pods get their own net/uts/ipc namespaces, an address on 10.244.2.0/24 and processes
 * that outlive the command; containers of a pod share localhost; pods ping each other.
 */
class PodLifecycleTest {
    @TempDir
    Path state;
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("clipod");
    String node;
    Podnet podnet;
    final List<String> pods = new ArrayList<>();

    @BeforeEach
    void setUp() {
        node = namespaces.name("node");
        namespaces.track(node);
        podnet = new Podnet().nodeNetns(node).stateDir(state);
        podnet.run("netns", "add", node).ok();
    }

    @AfterEach
    void tearDown() {
        try {
            for (String p : pods) {
                if (Files.exists(state.resolve("pods").resolve(p)) || NamedNetns.exists("podnet-" + p)) {
                    podnet.run("pod", "rm", p);
                }
            }
        } finally {
            pods.forEach(p -> namespaces.track("podnet-" + p));
        }
    }

    String podName(String base) {
        String n = base + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        pods.add(n);
        return n;
    }

    @Test
    void twoContainersOfAPodShareLocalhostAndTheHostname() throws Exception {
        Root.assumeProgram("python3");
        String pod = podName("web");
        Path manifest = state.resolve("pod.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels:
                    app: web   # the article's busybox pods, minus the image
                spec:
                  containers:
                  - name: server
                    image: busybox
                    command: ["/usr/bin/python3", "-c"]
                    args:
                    - |
                      import socket
                      s = socket.socket()
                      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                      s.bind(("127.0.0.1", 8080))
                      s.listen()
                      while True:
                          c, _ = s.accept()
                          c.sendall(("hello from " + socket.gethostname() + "\\n").encode())
                          c.close()
                  - name: client
                    command:
                    - /usr/bin/python3
                    - -c
                    - |
                      import socket, sys, time
                      for _ in range(100):
                          try:
                              print(socket.create_connection(("127.0.0.1", 8080)).recv(100).decode(), flush=True)
                              break
                          except OSError:
                              time.sleep(0.1)
                      time.sleep(3600)
                """.formatted(pod));

        Podnet.Result run = podnet.run("pod", "run", "-f", manifest.toString()).ok();
        assertThat(run.out()).contains("pod/" + pod + " created").contains("10.244.2.");
        assertThat(podPorts()).as("veths on cni0").isEqualTo(1);

        Path log = state.resolve("pods").resolve(pod).resolve("client.log");
        assertThat(waitFor(() -> Files.exists(log) && Files.readString(log).contains("hello from " + pod)))
                .as("client reached server on localhost; its log: %s", log).isTrue();

        // ip(8) sees the pod's netns; the containers live in it, and in the pod's uts.
        assertThat(Ip.run("ip", "netns", "list").ok().out()).contains("podnet-" + pod);
        Map<String, Object> rec = podnet.run("-j", "pod", "list").ok().jsonList().stream()
                .filter(m -> pod.equals(m.get("name"))).findFirst().orElseThrow();
        assertThat(rec).containsEntry("ready", "2/2").containsEntry("status", "Running").containsEntry("node", node);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) rec.get("containers");
        long netInode = (Long) Files.getAttribute(Path.of("/run/netns/podnet-" + pod), "unix:ino");
        for (Map<String, Object> c : containers) {
            long pid = ((Number) c.get("pid")).longValue();
            assertThat(NamespaceTable.inode(Path.of("/proc/" + pid + "/ns/net"))).isEqualTo(netInode);
            Path pinned = state.resolve("pods").resolve(pod).resolve("ns");
            assertThat(NamespaceTable.inode(Path.of("/proc/" + pid + "/ns/uts")))
                    .isEqualTo((Long) Files.getAttribute(pinned.resolve("uts"), "unix:ino"))
                    .isNotEqualTo(NamespaceTable.inode(Path.of("/proc/thread-self/ns/uts")));
            assertThat(NamespaceTable.inode(Path.of("/proc/" + pid + "/ns/ipc")))
                    .isEqualTo((Long) Files.getAttribute(pinned.resolve("ipc"), "unix:ino"))
                    .isNotEqualTo(NamespaceTable.inode(Path.of("/proc/thread-self/ns/ipc")));
            assertThat(sessionId(pid)).as("own session, outlives the CLI").isEqualTo(pid);
        }

        assertThat(podnet.run("pod", "logs", pod, "-c", "client").ok().out()).contains("hello from " + pod);
        assertThat(podnet.run("pod", "logs", pod, "-c", "nope").exit()).isNotZero();
        Podnet.Result hostname = podnet.run("pod", "exec", pod, "-c", "client", "--", "cat", "/proc/sys/kernel/hostname").ok();
        assertThat(hostname.out().strip()).isEqualTo(pod);
        String ip = rec.get("ip").toString();
        assertThat(podnet.run("pod", "exec", pod, "--", "ip", "-o", "-4", "addr", "show", "eth0").ok().out())
                .contains(ip + "/24");

        Podnet.Result wide = podnet.run("pod", "list", "-o", "wide").ok();
        assertThat(wide.out().lines().findFirst().orElseThrow())
                .containsSubsequence("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE");
        assertThat(wide.out()).containsPattern(pod + "\\s+2/2\\s+Running\\s+0\\s+\\d+s\\s+" + ip.replace(".", "\\.") + "\\s+" + node);
        assertThat(podnet.run("pod", "list").ok().out()).doesNotContain(ip);

        podnet.run("pod", "rm", pod).ok();
        assertThat(podPorts()).as("veths on cni0 after rm").isZero();
        for (Map<String, Object> c : containers) {
            assertThat(ProcessHandle.of(((Number) c.get("pid")).longValue()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
        assertThat(NamedNetns.exists("podnet-" + pod)).isFalse();
        assertThat(state.resolve("pods").resolve(pod)).doesNotExist();
        assertThat(Ip.json(node, "link", "show").stream().map(m -> m.get("ifname").toString()))
                .noneMatch(n -> n.startsWith("veth"));
    }

    @Test
    void podsPingEachOtherAcrossCni0() {
        Root.assumeProgram("ping");
        String a = podName("busybox1");
        String b = podName("busybox2");
        String ipA = podnet.run("-j", "pod", "run", a, "--", "sleep", "3600").ok().jsonObject().get("ip").toString();
        String ipB = podnet.run("pod", "run", "-j", b, "--", "sleep", "3600").ok().jsonObject().get("ip").toString();
        assertThat(ipA).startsWith("10.244.2.").endsWith("/24");
        assertThat(ipB).startsWith("10.244.2.").isNotEqualTo(ipA);
        String addrB = ipB.substring(0, ipB.indexOf('/'));

        Podnet.Result ping = podnet.run("pod", "exec", a, "--", "ping", "-c", "2", "-i", "0.2", "-W", "2", addrB);
        assertThat(ping.exit()).as(ping.out() + ping.err()).isZero();
        assertThat(ping.out()).contains("2 received");

        // cni0 learned both pods' MACs on their host veths.
        String macA = Ip.link("podnet-" + a, "eth0").get("address").toString();
        String macB = Ip.link("podnet-" + b, "eth0").get("address").toString();
        List<Map<String, Object>> fdb = podnet.run("bridge", "fdb", "cni0", "-j", "-n", node).ok().jsonList();
        String portA = fdb.stream().filter(e -> macA.equals(e.get("mac"))).findFirst().orElseThrow().get("port").toString();
        String portB = fdb.stream().filter(e -> macB.equals(e.get("mac"))).findFirst().orElseThrow().get("port").toString();
        assertThat(portA).startsWith("veth").isNotEqualTo(portB);
        assertThat(podnet.run("link", "show", portA, "-n", node).ok().out()).contains("eth0@podnet-" + a).contains("master cni0");
        Map<String, Object> br = podnet.run("bridge", "show", "-j", "-n", node).ok().jsonList().get(0);
        assertThat(br.get("interfaces")).asList().contains(portA, portB);

        podnet.run("pod", "rm", a, b).ok();
        assertThat(podnet.run("-j", "pod", "list").ok().jsonList()).isEmpty();
    }

    @Test
    void networkOptionPicksAnotherConflist() {
        String pod = podName("custom");
        Path conflist = state.resolve("88-custom.conflist");
        uncheckedWrite(conflist, """
                {"cniVersion": "1.0.0", "name": "custom", "plugins": [
                  {"type": "bridge", "bridge": "cni1", "isGateway": true,
                   "ipam": {"type": "host-local", "subnet": "10.88.0.0/24", "dataDir": "%s"}}]}
                """.formatted(state.resolve("ipam")));
        String ip = podnet.run("-j", "pod", "run", pod, "--network", conflist.toString(), "--", "sleep", "3600")
                .ok().jsonObject().get("ip").toString();
        assertThat(ip).startsWith("10.88.0.");
        assertThat(podnet.run("bridge", "show", "-n", node).ok().out()).contains("cni1").doesNotContain("cni0");
        assertThat(state.resolve("net.d")).as("the default network is not written when unused").doesNotExist();
        podnet.run("pod", "rm", pod).ok();
        // DEL releases the lease; the store keeps only its lock and round-robin cursor, as the reference does.
        assertThat(state.resolve("ipam").resolve("custom").toFile().list())
                .containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
    }

    @Test
    void rmCleansUpAfterACrash() throws Exception {
        String pod = podName("crash");
        podnet.run("pod", "run", pod, "--", "sleep", "3600").ok();
        List<?> containers = (List<?>) podnet.run("-j", "pod", "list").ok().jsonList().get(0).get("containers");
        long pid = ((Number) ((Map<?, ?>) containers.get(0)).get("pid")).longValue();
        // The processes die behind podnet's back (as after a reboot of the CLI's world).
        Ip.run("kill", "-s", "KILL", "--", "-" + pid).ok();
        assertThat(waitFor(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true))).isTrue();
        Map<String, Object> listed = podnet.run("-j", "pod", "list").ok().jsonList().get(0);
        assertThat(listed).containsEntry("ready", "0/1").containsEntry("status", "Error");

        podnet.run("pod", "rm", pod).ok();
        assertThat(NamedNetns.exists("podnet-" + pod)).isFalse();
        assertThat(state.resolve("pods").resolve(pod)).doesNotExist();
    }

    @Test
    void rmCleansAPodWhoseNetnsVanishedOrWhoseRecordNeverGotWritten() {
        String lost = podName("lost");
        podnet.run("pod", "run", lost, "--", "sleep", "3600").ok();
        Ip.run("ip", "netns", "del", "podnet-" + lost).ok();
        assertThat(podnet.run("-j", "pod", "list").ok().jsonList().get(0)).containsEntry("status", "Lost");
        podnet.run("pod", "rm", lost).ok();
        assertThat(state.resolve("pods").resolve(lost)).doesNotExist();

        String orphan = podName("orphan");
        Ip.run("ip", "netns", "add", "podnet-" + orphan).ok(); // a crash right after the sandbox
        podnet.run("pod", "rm", orphan).ok();
        assertThat(NamedNetns.exists("podnet-" + orphan)).isFalse();
    }

    @Test
    void completedContainerShowsItsExit() throws Exception {
        String pod = podName("once");
        podnet.run("pod", "run", pod, "--", "true").ok();
        assertThat(waitFor(() -> podnet.run("pod", "list").out().contains("Completed"))).isTrue();
        assertThat(podnet.run("pod", "list").ok().out()).containsPattern(pod + "\\s+0/1\\s+Completed");
        podnet.run("pod", "rm", pod).ok();
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        Podnet.Result unknown = podnet.run("pod", "exec", "nosuchpod", "--", "true");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("no pod nosuchpod").contains("podnet pod list");
        assertThat(podnet.run("pod", "rm", "nosuchpod").exit()).isNotZero();

        String pod = podName("dup");
        podnet.run("pod", "run", pod, "--", "sleep", "3600").ok();
        Podnet.Result dup = podnet.run("pod", "run", pod, "--", "sleep", "1");
        assertThat(dup.exit()).isNotZero();
        assertThat(dup.err()).contains("exists already");
        assertThat(podPorts()).as("veths on cni0").isEqualTo(1);
        assertThat(podnet.run("-j", "pod", "list").ok().jsonList().get(0)).containsEntry("status", "Running");
        Podnet.Result noContainer = podnet.run("pod", "exec", pod, "-c", "other", "--", "true");
        assertThat(noContainer.exit()).isNotZero();
        assertThat(noContainer.err()).contains("no container other");

        String other = podName("other");
        List<String[]> bad = List.of(
                new String[] {"--node-netns", namespaces.name("nonode"), "pod", "run", other, "--", "sleep", "1"},
                new String[] {"pod", "run", other, "--network", state.resolve("none.conflist").toString(), "--", "sleep", "1"},
                new String[] {"pod", "run", other, "--", "no-such-program-xyz"},
                new String[] {"pod", "run", "Bad_Name", "--", "sleep", "1"},
                new String[] {"pod", "run", other},
                new String[] {"pod", "list", "-o", "yaml"});
        for (String[] args : bad) {
            Podnet.Result r = podnet.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isNotZero();
            assertThat(r.err()).as(String.join(" ", args)).startsWith("podnet: ").contains("hint:");
        }
        assertThat(NamedNetns.exists("podnet-" + other)).isFalse();
        assertThat(state.resolve("pods").resolve(other)).doesNotExist();
        assertThat(podPorts()).as("veths on cni0").isEqualTo(1);

        // A failing network attachment leaves nothing behind either.
        Path broken = state.resolve("broken.conflist");
        uncheckedWrite(broken, "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"cni0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.99.0.0/31\",\"dataDir\":\"" + state + "\"}}]}");
        Podnet.Result failed = podnet.run("pod", "run", other, "--network", broken.toString(), "--", "sleep", "1");
        assertThat(failed.exit()).isNotZero();
        assertThat(failed.err()).contains("too small to allocate from");
        assertThat(NamedNetns.exists("podnet-" + other)).isFalse();
        assertThat(state.resolve("pods").resolve(other)).doesNotExist();
    }

    private static void uncheckedWrite(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long sessionId(long pid) throws Exception {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(s.substring(s.lastIndexOf(')') + 2).split(" ")[3]);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static boolean waitFor(Check c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (c.ok()) {
                return true;
            }
            Thread.sleep(100);
        }
        return c.ok();
    }

    /** The pods' veths plugged into cni0 in the node namespace: what ADD makes and DEL removes. */
    private int podPorts() {
        try (NetlinkHandle h = NetlinkHandle.open(Netns.named(node))) {
            var bridge = h.links().get("cni0");
            if (bridge.isEmpty()) {
                return 0;
            }
            int index = bridge.get().index();
            return (int) h.links().list().stream().filter(l -> l.masterIndex() == index).count();
        }
    }
}
