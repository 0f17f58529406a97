package podnet.cni.portmap;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.cni.spec.NetConf;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.HostPort;

/**
 * The portmap plugin's configuration, with the reference's keys and defaults: the mappings
 * come from {@code runtimeConfig.portMappings} (the {@code portMappings} capability: a
 * kubelet's hostPorts, through containerd), {@code snat} (default true: hairpin and localhost
 * are masqueraded) and {@code markMasqBit} (default 13, the mark 0x2000). The reference's
 * iptables-only knobs ({@code externalSetMarkChain}, {@code conditionsV4/V6}) are refused
 * rather than ignored.
 */
record PortMapConf(List<HostPort> ports, boolean snat, int mark) {
    static final int DEFAULT_MASQ_BIT = 13;

    static PortMapConf of(NetConf conf) {
        Map<String, Object> raw = conf.raw();
        for (String unsupported : List.of("externalSetMarkChain", "conditionsV4", "conditionsV6")) {
            Object v = raw.get(unsupported);
            if (v != null && !(v instanceof List<?> l && l.isEmpty())) {
                throw new CniError(CniError.UNSUPPORTED_FIELD, "portmap: \"" + unsupported
                        + "\" is not supported (podnet's portmap works in nftables, not iptables chains)");
            }
        }
        int bit = Json.integer(raw, "markMasqBit", DEFAULT_MASQ_BIT);
        if (bit < 0 || bit > 31) {
            throw CniError.config("portmap: markMasqBit " + bit + " must be between 0 and 31");
        }
        List<HostPort> ports = new ArrayList<>();
        List<Object> maps = Json.list(conf.runtimeConfig(), "portMappings");
        if (maps != null) {
            for (Object o : maps) {
                ports.add(port(Json.asObject(o, "runtimeConfig.portMappings[]")));
            }
        }
        return new PortMapConf(ports, Json.bool(raw, "snat", true), 1 << bit);
    }

    /**
     * Keys as Go's encoding/json matches them, ignoring case: containerd's go-cni sends its
     * PortMapping struct untagged ({@code "HostPort"}, {@code "ContainerPort"}, …), a kubelet's
     * dockershim sent {@code "hostPort"}; the reference reads both.
     */
    private static Map<String, Object> caseless(Map<String, Object> m) {
        Map<String, Object> out = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        out.putAll(m);
        return out;
    }

    private static HostPort port(Map<String, Object> raw) {
        Map<String, Object> m = caseless(raw);
        int host = Json.integer(m, "hostPort", 0);
        int container = Json.integer(m, "containerPort", 0);
        if (container <= 0 || container > 65535) {
            throw CniError.config("Invalid container port number: " + container);
        }
        if (host <= 0 || host > 65535) {
            throw CniError.config("Invalid host port number: " + host);
        }
        String protocol = Json.str(m, "protocol", "tcp").toLowerCase(java.util.Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new CniError(CniError.UNSUPPORTED_FIELD, "portmap: protocol " + protocol + " is not supported (tcp, udp)");
        }
        String hostIp = Json.str(m, "hostIP", "");
        InetAddress ip = null;
        if (!hostIp.isEmpty()) {
            try {
                ip = Cidr.parseAddress(hostIp);
            } catch (IllegalArgumentException e) {
                throw CniError.config("Invalid host IP \"" + hostIp + "\": " + e.getMessage());
            }
        }
        return new HostPort(host, container, protocol, ip);
    }
}
