package podnet.node.doctor;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import podnet.linux.inet.Cidr;

/**
 * What the doctor needs from the node's bridge conflist: the network's name, the bridge, the
 * pod subnet, where host-local keeps its leases, and whether hairpin and an MTU were asked for.
 */
record NetworkConfig(Path file, String name, String bridge, Cidr subnet, Path leases, boolean hairpin, int mtu) {
    static final Path REFERENCE_DATA_DIR = Path.of("/var/lib/cni/networks");

    @SuppressWarnings("unchecked")
    static NetworkConfig read(Path file) {
        try {
            Map<String, Object> c = JSON.std.mapFrom(Files.readString(file));
            String name = (String) c.get("name");
            for (Object o : (List<Object>) c.getOrDefault("plugins", List.of(c))) {
                Map<String, Object> p = (Map<String, Object>) o;
                if (!"bridge".equals(p.get("type"))) {
                    continue;
                }
                Map<String, Object> ipam = (Map<String, Object>) p.getOrDefault("ipam", Map.of());
                Cidr subnet = null;
                Object ranges = ipam.get("ranges");
                if (ranges instanceof List<?> rs && !rs.isEmpty() && rs.get(0) instanceof List<?> r0 && !r0.isEmpty()
                        && r0.get(0) instanceof Map<?, ?> range) {
                    subnet = Cidr.parse((String) range.get("subnet"));
                } else if (ipam.get("subnet") instanceof String s) {
                    subnet = Cidr.parse(s);
                }
                Path data = ipam.get("dataDir") instanceof String d ? Path.of(d) : REFERENCE_DATA_DIR;
                Object mtu = p.get("mtu");
                return new NetworkConfig(file, name, (String) p.getOrDefault("bridge", "cni0"), subnet, data.resolve(name),
                        Boolean.TRUE.equals(p.get("hairpinMode")), mtu instanceof Number n ? n.intValue() : 0);
            }
            throw new IllegalArgumentException(file + " has no bridge plugin");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
