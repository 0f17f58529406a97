package podnet.cni.ipam;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.cni.spec.CniEnv;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.linux.inet.Cidr;

/**
 * host-local's configuration: {@code ipam.ranges} (or the legacy top-level range keys),
 * {@code ipam.routes}, {@code dataDir}, {@code resolvConf}, the {@code ipRanges} capability,
 * and the addresses asked for by {@code IP=}, {@code args.cni.ips} or the {@code ips} capability.
 */
public record IpamConfig(String network, List<RangeSet> rangeSets, List<Result.RouteEntry> routes,
        Path dataDir, Path resolvConf, List<InetAddress> requestedIps) {
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/networks");

    public static IpamConfig parse(NetConf conf, CniEnv env) {
        Map<String, Object> ipam = Json.object(conf.raw(), "ipam");
        if (ipam == null) {
            throw CniError.config("IPAM config missing \"ipam\" key");
        }
        List<RangeSet> sets = new ArrayList<>();
        List<Object> runtimeRanges = Json.list(conf.runtimeConfig(), "ipRanges");
        List<Object> ranges = runtimeRanges != null && !runtimeRanges.isEmpty() ? runtimeRanges : Json.list(ipam, "ranges");
        String where = runtimeRanges != null && !runtimeRanges.isEmpty() ? "runtimeConfig.ipRanges" : "ipam.ranges";
        if (ipam.get("subnet") != null && (runtimeRanges == null || runtimeRanges.isEmpty())) {
            sets.add(RangeSet.of(List.of(Range.parse(ipam, "ipam")), "ipam"));
        }
        if (ranges != null) {
            for (int i = 0; i < ranges.size(); i++) {
                if (!(ranges.get(i) instanceof List<?> l)) {
                    throw CniError.decode(where + "[" + i + "] must be an array of ranges");
                }
                List<Range> rs = new ArrayList<>();
                for (int j = 0; j < l.size(); j++) {
                    rs.add(Range.parse(Json.asObject(l.get(j), where + "[" + i + "][" + j + "]"), where + "[" + i + "][" + j + "]"));
                }
                sets.add(RangeSet.of(rs, where + "[" + i + "]"));
            }
        }
        if (sets.isEmpty()) {
            throw CniError.config("ipam: no IP ranges specified (\"ranges\" or \"subnet\")");
        }
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                if (sets.get(i).overlaps(sets.get(j))) {
                    throw CniError.config("ipam: range set " + i + " overlaps with " + j);
                }
            }
        }
        List<Result.RouteEntry> routes = new ArrayList<>();
        List<Object> rl = Json.list(ipam, "routes");
        if (rl != null) {
            for (Object o : rl) {
                try {
                    routes.add(Result.route(Json.asObject(o, "ipam.routes[]")));
                } catch (CniError e) {
                    throw CniError.config("ipam.routes: " + e.getMessage().replace("result: ", ""));
                }
            }
        }
        String dataDir = Json.str(ipam, "dataDir", null);
        String resolv = Json.str(ipam, "resolvConf", null);
        return new IpamConfig(conf.name(), List.copyOf(sets), List.copyOf(routes),
                dataDir == null || dataDir.isEmpty() ? DEFAULT_DATA_DIR : Path.of(dataDir),
                resolv == null || resolv.isEmpty() ? null : Path.of(resolv), requested(conf, env));
    }

    private static List<InetAddress> requested(NetConf conf, CniEnv env) {
        List<InetAddress> out = new ArrayList<>();
        String ipArg = env == null ? null : env.args().get("IP");
        if (ipArg != null && !ipArg.isEmpty()) {
            for (String s : ipArg.split(",")) {
                out.add(ip(s.strip(), "CNI_ARGS IP"));
            }
        }
        Object cniIps = conf.cniArg("ips");
        if (cniIps instanceof List<?> l) {
            for (Object o : l) {
                out.add(ip(String.valueOf(o), "args.cni.ips"));
            }
        } else if (cniIps != null) {
            throw CniError.decode("args.cni.ips must be an array of strings");
        }
        List<String> capIps = Json.strings(conf.runtimeConfig(), "ips");
        if (capIps != null) {
            for (String s : capIps) {
                out.add(ip(s, "runtimeConfig.ips"));
            }
        }
        return List.copyOf(out);
    }

    private static InetAddress ip(String s, String where) {
        try {
            return Cidr.parse(s).address(); // "10.0.0.5/24" and "10.0.0.5" both mean the address
        } catch (IllegalArgumentException e) {
            throw new CniError(CniError.INVALID_CONFIG, where + ": invalid IP \"" + s + "\"");
        }
    }
}
