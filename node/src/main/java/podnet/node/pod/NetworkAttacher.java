package podnet.node.pod;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import podnet.cni.runtime.CniRuntime;
import podnet.linux.ns.Netns;

/**
 * Attaches a pod's sandbox to the network through a {@link CniRuntime} (in process, no plugin
 * executables), the way kubelet's CRI runtime does: ADD with the pod's netns as CNI_NETNS and
 * eth0 as CNI_IFNAME, DEL on removal. The runtime runs inside the node namespace, where the
 * host side (cni0, host veths) belongs.
 */
public final class NetworkAttacher {
    public static final String IFNAME = "eth0";

    private final CniRuntime runtime;
    private final Netns node;

    public NetworkAttacher(CniRuntime runtime, Netns node) {
        this.runtime = runtime;
        this.node = node;
    }

    /** CNI ADD; returns the pod's first IP address (CIDR), or null if the result has none. */
    public String attach(PodRecord pod, Path podNetns) {
        String result = node.call(() -> runtime.add(Path.of(pod.network()), attachment(pod, podNetns)));
        return firstIp(result);
    }

    /** CNI DEL; best effort and idempotent, also when the netns is already gone. */
    public void detach(PodRecord pod, Path podNetns) {
        node.run(() -> runtime.del(Path.of(pod.network()), attachment(pod, podNetns)));
    }

    /**
     * The container id is the sandbox's netns name, unique per pod and valid for CNI; CNI_ARGS
     * name the pod by its namespace and name, as kubelet passes them.
     */
    static CniRuntime.Attachment attachment(PodRecord pod, Path podNetns) {
        String sandbox = PodSandbox.netnsName(pod.id());
        return new CniRuntime.Attachment(sandbox, podNetns, IFNAME,
                Map.of("IgnoreUnknown", "1", "K8S_POD_NAMESPACE", pod.namespace(), "K8S_POD_NAME", pod.name(),
                        "K8S_POD_INFRA_CONTAINER_ID", sandbox),
                Map.of());
    }

    @SuppressWarnings("unchecked")
    static String firstIp(String resultJson) {
        try {
            Map<String, Object> r = JSON.std.mapFrom(resultJson);
            Object ips = r.get("ips");
            if (ips instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> first) {
                return (String) ((Map<String, Object>) first).get("address");
            }
            return null;
        } catch (IOException e) {
            throw new PodException("the CNI result is not JSON: " + resultJson, "this is a bug in the CNI runtime");
        }
    }
}
