package podnet.cni.spec;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import podnet.linux.inet.Cidr;

/**
 * A CNI result (0.3.0 … 1.1.0 share one shape): interfaces, IPs, routes, DNS. Parsed from and
 * printed in any supported version: 0.3.x/0.4.0 carry {@code ips[].version}, 1.1.0 adds route
 * and interface fields that older versions drop.
 */
public record Result(String cniVersion, List<Iface> interfaces, List<IpConfig> ips,
        List<RouteEntry> routes, Dns dns) {

    public record Iface(String name, String mac, Integer mtu, String sandbox, String socketPath, String pciID) {
        public Iface(String name, String mac, String sandbox) {
            this(name, mac, null, sandbox, null, null);
        }
    }

    /** {@code iface} is an index into interfaces, or null. */
    public record IpConfig(Cidr address, InetAddress gateway, Integer iface) {
        public IpConfig withIface(Integer i) {
            return new IpConfig(address, gateway, i);
        }

        public IpConfig withGateway(InetAddress g) {
            return new IpConfig(address, g, iface);
        }
    }

    /** {@code dst} with {@code gw} null means "via the interface's gateway". */
    public record RouteEntry(Cidr dst, InetAddress gw, Integer mtu, Integer advmss, Integer priority,
            Integer table, Integer scope) {
        public RouteEntry(Cidr dst, InetAddress gw) {
            this(dst, gw, null, null, null, null, null);
        }
    }

    public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
        public static final Dns EMPTY = new Dns(List.of(), null, List.of(), List.of());

        public boolean isEmpty() {
            return nameservers.isEmpty() && domain == null && search.isEmpty() && options.isEmpty();
        }
    }

    public Result {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        dns = dns == null ? Dns.EMPTY : dns;
    }

    public static Result empty(String version) {
        return new Result(version, List.of(), List.of(), List.of(), Dns.EMPTY);
    }

    public Result withVersion(String v) {
        return new Result(v, interfaces, ips, routes, dns);
    }

    // ---- printing ---------------------------------------------------------------------------

    /** The result as JSON in {@code version} (fields that version lacks are dropped). */
    public Map<String, Object> toJson(String version) {
        Versions.require(version);
        boolean v11 = Versions.atLeast(version, "1.1.0");
        boolean legacy = !Versions.atLeast(version, "1.0.0");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", version);
        if (!interfaces.isEmpty()) {
            List<Object> l = new ArrayList<>();
            for (Iface i : interfaces) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("name", i.name());
                putIf(o, "mac", i.mac());
                if (v11) {
                    putIf(o, "mtu", i.mtu());
                }
                putIf(o, "sandbox", i.sandbox());
                if (v11) {
                    putIf(o, "socketPath", i.socketPath());
                    putIf(o, "pciID", i.pciID());
                }
                l.add(o);
            }
            m.put("interfaces", l);
        }
        if (!ips.isEmpty()) {
            List<Object> l = new ArrayList<>();
            for (IpConfig ip : ips) {
                Map<String, Object> o = new LinkedHashMap<>();
                if (legacy) {
                    o.put("version", ip.address().isIpv4() ? "4" : "6");
                }
                putIf(o, "interface", ip.iface());
                o.put("address", ip.address().toString());
                if (ip.gateway() != null) {
                    o.put("gateway", Cidr.text(ip.gateway()));
                }
                l.add(o);
            }
            m.put("ips", l);
        }
        if (!routes.isEmpty()) {
            List<Object> l = new ArrayList<>();
            for (RouteEntry r : routes) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("dst", r.dst().toString());
                if (r.gw() != null) {
                    o.put("gw", Cidr.text(r.gw()));
                }
                if (v11) {
                    putIf(o, "mtu", r.mtu());
                    putIf(o, "advmss", r.advmss());
                    putIf(o, "priority", r.priority());
                    putIf(o, "table", r.table());
                    putIf(o, "scope", r.scope());
                }
                l.add(o);
            }
            m.put("routes", l);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        if (!dns.nameservers().isEmpty()) {
            d.put("nameservers", dns.nameservers());
        }
        putIf(d, "domain", dns.domain());
        if (!dns.search().isEmpty()) {
            d.put("search", dns.search());
        }
        if (!dns.options().isEmpty()) {
            d.put("options", dns.options());
        }
        m.put("dns", d);
        return m;
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    // ---- parsing ----------------------------------------------------------------------------

    /** Parses a result (e.g. prevResult) written in {@code version}. */
    public static Result fromJson(Map<String, Object> m, String version) {
        String v = Json.str(m, "cniVersion", version);
        if (v == null || !Versions.supported(v)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "result version \"" + v
                    + "\" cannot be converted: supported are " + String.join(", ", Versions.SUPPORTED));
        }
        if (m.containsKey("ip4") || m.containsKey("ip6")) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "result in 0.2.0 format (ip4/ip6) is not supported");
        }
        List<Iface> ifaces = new ArrayList<>();
        List<Object> il = Json.list(m, "interfaces");
        if (il != null) {
            for (Object o : il) {
                Map<String, Object> i = Json.asObject(o, "interfaces[]");
                String name = Json.str(i, "name", null);
                if (name == null) {
                    throw CniError.decode("result: interfaces[].name missing");
                }
                ifaces.add(new Iface(name, Json.str(i, "mac", null), optInt(i, "mtu"), Json.str(i, "sandbox", null),
                        Json.str(i, "socketPath", null), Json.str(i, "pciID", null)));
            }
        }
        List<IpConfig> ips = new ArrayList<>();
        List<Object> ipl = Json.list(m, "ips");
        if (ipl != null) {
            for (Object o : ipl) {
                Map<String, Object> i = Json.asObject(o, "ips[]");
                Cidr addr = cidr(Json.str(i, "address", null), "ips[].address");
                String gw = Json.str(i, "gateway", null);
                Integer idx = optInt(i, "interface");
                if (idx != null && (idx < 0 || idx >= ifaces.size())) {
                    throw CniError.decode("result: ips[].interface " + idx + " out of range");
                }
                ips.add(new IpConfig(addr, gw == null ? null : address(gw, "ips[].gateway"), idx));
            }
        }
        List<RouteEntry> routes = new ArrayList<>();
        List<Object> rl = Json.list(m, "routes");
        if (rl != null) {
            for (Object o : rl) {
                routes.add(route(Json.asObject(o, "routes[]")));
            }
        }
        return new Result(v, ifaces, ips, routes, dns(Json.object(m, "dns")));
    }

    public static RouteEntry route(Map<String, Object> r) {
        Cidr dst = cidr(Json.str(r, "dst", null), "routes[].dst");
        String gw = Json.str(r, "gw", null);
        return new RouteEntry(dst.network(), gw == null ? null : address(gw, "routes[].gw"), optInt(r, "mtu"),
                optInt(r, "advmss"), optInt(r, "priority"), optInt(r, "table"), optInt(r, "scope"));
    }

    public static Dns dns(Map<String, Object> d) {
        if (d == null) {
            return Dns.EMPTY;
        }
        List<String> ns = Json.strings(d, "nameservers");
        List<String> search = Json.strings(d, "search");
        List<String> options = Json.strings(d, "options");
        return new Dns(ns == null ? List.of() : ns, Json.str(d, "domain", null),
                search == null ? List.of() : search, options == null ? List.of() : options);
    }

    private static Integer optInt(Map<String, Object> m, String k) {
        return m.get(k) == null ? null : Json.integer(m, k, 0);
    }

    static Cidr cidr(String s, String what) {
        if (s == null) {
            throw CniError.decode("result: " + what + " missing");
        }
        try {
            return Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            throw CniError.decode("result: " + what + ": " + e.getMessage());
        }
    }

    static InetAddress address(String s, String what) {
        try {
            return Cidr.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw CniError.decode("result: " + what + ": " + e.getMessage());
        }
    }

    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
