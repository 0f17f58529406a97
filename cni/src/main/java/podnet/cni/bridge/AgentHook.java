package podnet.cni.bridge;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import podnet.cni.agent.AgentAnswer;
import podnet.cni.agent.AgentClient;
import podnet.cni.agent.PodEvent;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.cni.spec.Log;
import podnet.cni.spec.Result.IpConfig;
import podnet.linux.fs.PathPresence;

/**
 * The bridge's word to the node agent about a Kubernetes pod (CNI_ARGS K8S_POD_NAMESPACE and
 * K8S_POD_NAME, as kubelet's runtimes pass them): its ADD waits until the agent has put the
 * pod's address into the node's NetworkPolicy sets, so the pod is covered from its first packet;
 * its DEL until the agent has taken it out. The socket is the conf's {@code "agent"} key
 * ({@code ""}: never ask), else {@link #DEFAULT_SOCKET}. No socket file: no agent enforces policy
 * here, the ADD goes on. A socket nobody answers on within {@link #ADD_TIMEOUT}, or an agent that
 * says no, fails the ADD with code 11 (try again later) and everything it made is undone: a pod
 * is not started uncovered. A DEL goes on whatever the agent says (a pod going away needs no cover;
 * its stale elements name a released address, which the next ADD of it replaces).
 */
final class AgentHook {
    private AgentHook() {}

    static final Path DEFAULT_SOCKET = Path.of("/run/podnet/agent.sock");
    static final String CONF_KEY = "agent";
    static final Duration ADD_TIMEOUT = Duration.ofSeconds(10), DEL_TIMEOUT = Duration.ofSeconds(5);

    /** After IPAM, before the pod's interface has its address: an ADD of the pod's first IPv4 address. */
    static void added(Call call, List<IpConfig> ips, Undo undo) {
        Optional<Path> socket = present(socket(call));
        if (socket.isEmpty()) {
            return;
        }
        InetAddress ip = ips.stream().map(i -> i.address().address()).filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
        Optional<PodEvent> ev = event(call, PodEvent.Op.ADD, ip);
        if (ev.isEmpty()) {
            return;
        }
        Optional<AgentAnswer> a;
        try {
            a = AgentClient.ask(socket.get(), ev.get(), ADD_TIMEOUT);
        } catch (AgentClient.Unreachable e) {
            throw new CniError(CniError.TRY_AGAIN_LATER, "pod " + ev.get().key() + ": " + e.getMessage()
                    + "; not starting it outside the node's NetworkPolicy", "start the node agent (podnet node run --kube), or remove "
                    + socket.get() + " if this node enforces no policy", e);
        }
        if (a.isEmpty()) {
            return;
        }
        if (!a.get().ok()) {
            throw new CniError(CniError.TRY_AGAIN_LATER, "pod " + ev.get().key() + ": the node agent cannot cover it with "
                    + "the node's NetworkPolicy: " + a.get().text());
        }
        undo.push("agent DEL", () -> removed(call, ip));
    }

    /** A DEL: best effort, logged when the agent does not take the pod out. */
    static void removed(Call call, InetAddress ip) {
        Optional<Path> socket = present(socket(call));
        Optional<PodEvent> ev = socket.isEmpty() ? Optional.empty() : event(call, PodEvent.Op.DEL, ip);
        if (socket.isEmpty() || ev.isEmpty()) {
            return;
        }
        try {
            AgentClient.ask(socket.get(), ev.get(), DEL_TIMEOUT).filter(a -> !a.ok())
                    .ifPresent(a -> Log.warn("pod " + ev.get().key() + ": the node agent did not take it out: " + a.text()));
        } catch (AgentClient.Unreachable e) {
            Log.warn("pod " + ev.get().key() + ": " + e.getMessage() + " (DEL goes on)");
        }
    }

    static Optional<Path> socket(Call call) {
        Object v = call.conf().raw().get(CONF_KEY);
        if (v != null && !(v instanceof String)) {
            throw CniError.config("\"" + CONF_KEY + "\": expected the path of the node agent's socket (a string)");
        }
        String s = Json.str(call.conf().raw(), CONF_KEY, DEFAULT_SOCKET.toString());
        return s.isEmpty() ? Optional.empty() : Optional.of(Path.of(s));
    }

    /** Only a socket file that is there (the usual case without an agent costs one stat and no more classes). */
    private static Optional<Path> present(Optional<Path> socket) {
        return socket.filter(p -> PathPresence.exists(p));
    }

    private static Optional<PodEvent> event(Call call, PodEvent.Op op, InetAddress ip) {
        String ns = call.env().args().get("K8S_POD_NAMESPACE"), name = call.env().args().get("K8S_POD_NAME");
        if (ns == null || ns.isEmpty() || name == null || name.isEmpty() || (op == PodEvent.Op.ADD && ip == null)) {
            return Optional.empty();
        }
        return Optional.of(new PodEvent(op, ns, name, call.env().containerId(), ip));
    }
}
