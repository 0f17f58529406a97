package podnet.node.cluster;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.linux.inet.Cidr;

/**
 * The cluster's network as flannel keeps it in {@code <prefix>/config}:
 * {@code {"Network":"10.244.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan"}}}. IPv4.
 */
public record NetworkConfig(Cidr network, int subnetLen, BackendType backend) {
    public NetworkConfig {
        if (!network.isIpv4()) {
            throw new IllegalArgumentException("--network " + network + ": IPv4 only for now");
        }
        if (!network.equals(network.network())) {
            throw new IllegalArgumentException("--network " + network + ": give the network address, e.g. "
                    + network.network());
        }
        if (subnetLen <= network.prefixLength() || subnetLen > 28) {
            throw new IllegalArgumentException("--subnet-len " + subnetLen + ": longer than the network's /"
                    + network.prefixLength() + " and at most 28");
        }
        if (subnetLen - network.prefixLength() > 16) {
            throw new IllegalArgumentException("--subnet-len " + subnetLen + ": at most 65536 node subnets in "
                    + network + " (give a longer network prefix or a shorter subnet length)");
        }
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Network", network.toString());
        m.put("SubnetLen", subnetLen);
        m.put("Backend", Map.of("Type", backend.flannelName()));
        try {
            return JSON.std.asString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** flannel's JSON; SubnetLen defaults to 24 and the backend to vxlan, as flannel's do. */
    public static NetworkConfig parse(String json) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            Object net = m.get("Network");
            if (!(net instanceof String s)) {
                throw new IllegalArgumentException("no \"Network\" in " + json);
            }
            int len = m.get("SubnetLen") instanceof Number n ? n.intValue() : 24;
            String type = m.get("Backend") instanceof Map<?, ?> b && b.get("Type") instanceof String t ? t : "vxlan";
            return new NetworkConfig(Cidr.parse(s), len, BackendType.parse(type));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + json);
        }
    }
}
