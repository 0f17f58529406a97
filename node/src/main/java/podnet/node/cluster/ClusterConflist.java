package podnet.node.cluster;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.cni.install.NodeConflist;
import podnet.linux.inet.Cidr;

/**
 * The node's CNI network once it has a subnet: podnet's conflist (bridge {@code cni0} as the
 * pods' gateway, host-local over the node subnet, loopback) with the backend's MTU, a route to
 * the whole cluster network beside the default one, and no per-pod masquerade — the agent
 * masquerades at the network's edge instead, so pod-to-pod traffic across nodes keeps its
 * source (flannel's CNI plugin hands the bridge plugin the same).
 */
final class ClusterConflist {
    private ClusterConflist() {}

    static final String FILE = "10-podnet.conflist";

    @SuppressWarnings("unchecked")
    static String text(Cidr subnet, Cidr network, int mtu, Path ipamDir, Path agentSocket) {
        String base = new NodeConflist(subnet.toString(), mtu, false, ipamDir).conflist();
        try {
            Map<String, Object> conf = JSON.std.mapFrom(base);
            Map<String, Object> bridge = (Map<String, Object>) ((List<Object>) conf.get("plugins")).get(0);
            Map<String, Object> ipam = (Map<String, Object>) bridge.get("ipam");
            List<Object> routes = new ArrayList<>();
            routes.add(Map.of("dst", network.toString()));
            routes.addAll((List<Object>) ipam.get("routes"));
            ipam.put("routes", routes);
            if (agentSocket != null) {
                bridge.put("agent", agentSocket.toString()); // the bridge tells the agent of each Kubernetes pod
            }
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(conf) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("podnet's own conflist did not parse", e);
        }
    }

    static void write(Path dir, Cidr subnet, Cidr network, int mtu, Path ipamDir, Path agentSocket) {
        StateFiles.write(dir.resolve(FILE), text(subnet, network, mtu, ipamDir, agentSocket));
    }
}
