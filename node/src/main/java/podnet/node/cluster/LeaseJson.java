package podnet.node.cluster;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;

/**
 * flannel's lease value, as in {@code <prefix>/subnets/10.244.2.0-24} and (as backend-data)
 * in the Kubernetes node annotations:
 * {@code {"PublicIP":"192.168.50.11","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"…"}}}.
 */
final class LeaseJson {
    private LeaseJson() {}

    static String value(Lease l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("PublicIP", Cidr.text(l.publicIp()));
        m.put("BackendType", l.backend());
        m.put("BackendData", backendData(l));
        return json(m);
    }

    /** The BackendData object: VNI and VtepMAC for vxlan, nothing (JSON null) for host-gw. */
    static Object backendData(Lease l) {
        if (l.vtepMac() == null) {
            return null;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("VNI", l.vni());
        d.put("VtepMAC", l.vtepMac().toString());
        return d;
    }

    static String backendDataJson(Lease l) {
        return json(backendData(l));
    }

    /** Parses a lease value for {@code subnet}; null when it is not one (a foreign key, bad JSON). */
    static Lease parse(Cidr subnet, String json) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            return of(subnet, (String) m.get("PublicIP"), (String) m.get("BackendType"), m.get("BackendData"));
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A lease from its parts (the backend data as a map or as JSON text); null when they do not make one. */
    static Lease of(Cidr subnet, String publicIp, String backend, Object backendData) {
        try {
            if (publicIp == null || backend == null) {
                return null;
            }
            InetAddress ip = Cidr.parseAddress(publicIp);
            Object data = backendData instanceof String s && !s.isBlank() ? JSON.std.anyFrom(s) : backendData;
            MacAddress mac = null;
            int vni = 1;
            if (data instanceof Map<?, ?> d) {
                if (d.get("VtepMAC") instanceof String mt) {
                    mac = MacAddress.parse(mt);
                }
                if (d.get("VNI") instanceof Number n) {
                    vni = n.intValue();
                }
            }
            return new Lease(subnet, ip, backend, mac, vni, null, null);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String json(Object o) {
        try {
            return JSON.std.asString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
