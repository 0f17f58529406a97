package podnet.cni.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import podnet.cni.spec.Json;

/**
 * Mutated CNI calls for the fuzz test: a valid bridge config and environment, then keys
 * dropped or given values of every kind, versions and names that are not, and the bytes
 * themselves cut, flipped, doubled or buried in junk. What could reach outside the test's
 * throwaway node is pinned: the IPAM data dir (also against the byte mutations), the IPAM type
 * (host-local or a missing one), CNI_PATH (the test's bin dir or nothing).
 */
final class Mutator {
    record Case(Map<String, String> env, byte[] stdin) {}

    private static final String[] KEYS = {"cniVersion", "cniVersions", "name", "type", "bridge", "isGateway",
            "isDefaultGateway", "ipMasq", "ipMasqBackend", "mtu", "hairpinMode", "promiscMode", "vlan", "vlanTrunk",
            "preserveDefaultVlan", "macspoofchk", "mac", "dns", "prevResult", "runtimeConfig", "args", "ipam",
            "disableContainerInterface", "forceAddress", "enabledad", "portIsolation", "cni.dev/valid-attachments"};
    private static final String[] STRINGS = {"", "\\", "\"", "\\\"", "1.0.0", "1.1.0", "0.4.0", "0.1.0", "9.9.9",
            "1.0\\\"x", "cni0", "lo", "fzbr1", "eth0", "a/b", "nftables", "iptables", "10.244.62.0/24", "10.244.62.0/33",
            "not-a-cidr", "::1", "0a:58:0a:f4:3e:05", "zz:zz", "\u00e9\u4e2d\ud83d\ude00", "\u0000", "\n", "x".repeat(300),
            "host-local", "faults", "../etc"};
    private static final String[] COMMANDS = {"ADD", "ADD", "ADD", "ADD", "ADD", "DEL", "DEL", "CHECK", "VERSION",
            "GC", "STATUS", "FROB", "", "add"};

    private final Random rnd;
    private final String binDir, dataDir, nodeNetns;
    private final List<String> pods;

    Mutator(long seed, String binDir, String dataDir, String nodeNetns, List<String> pods) {
        this.rnd = new Random(seed);
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.nodeNetns = nodeNetns;
        this.pods = pods;
    }

    Map<String, Object> baseConfig() {
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "host-local");
        ipam.put("dataDir", dataDir);
        ipam.put("ranges", List.of(List.of(Map.of("subnet", "10.244.62.0/24"))));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", "1.0.0");
        m.put("name", "faults");
        m.put("type", "bridge");
        m.put("bridge", "cni0");
        m.put("isGateway", true);
        m.put("ipMasq", true);
        m.put("ipam", ipam);
        return m;
    }

    Case next(int i) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", pick(COMMANDS));
        env.put("CNI_CONTAINERID", "fz-" + i);
        env.put("CNI_NETNS", pods.get(rnd.nextInt(pods.size())));
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", binDir);
        if (rnd.nextInt(10) < 3) {
            mutateEnv(env);
        }
        Map<String, Object> conf = baseConfig();
        int n = rnd.nextInt(10) < 8 ? 1 + rnd.nextInt(3) : 0;
        for (int k = 0; k < n; k++) {
            mutateConfig(conf);
        }
        pinIpam(conf);
        byte[] pinned = Json.write(conf);
        byte[] stdin = pinned;
        if (rnd.nextInt(10) < 3) {
            stdin = mutateBytes(stdin);
            if (!staysInDataDir(stdin)) {
                stdin = pinned; // a byte that moved the store ("/t}mp/...", no dataDir: /var/lib/cni) is not sent
            }
        }
        if (rnd.nextInt(400) == 0) {
            stdin = rnd.nextBoolean() ? big() : deep();
        }
        return new Case(env, stdin);
    }

    private void mutateEnv(Map<String, String> env) {
        switch (rnd.nextInt(9)) {
            case 0 -> env.remove(pick(new String[] {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"}));
            case 1 -> env.put("CNI_CONTAINERID", pick(new String[] {"", "../x", "a b", "x".repeat(300), "\u00e9"}));
            case 2 -> env.put("CNI_IFNAME", pick(new String[] {"", "a/b", "x".repeat(16), "lo", "eth0 ", ".", "..", "e:0"}));
            // (not /proc/self/ns/net: ShimAndDaemonTest covers it without a kernel in reach, for if it ever
            // meant the daemon's own netns again)
            case 3 -> env.put("CNI_NETNS", pick(new String[] {"/nonexistent/netns", "", "/run/netns/" + nodeNetns,
                    "/dev/null", "/dev/fd/0"}));
            case 4 -> env.put("CNI_ARGS", pick(new String[] {"IgnoreUnknown=1;IP=10.244.62.9", "FOO=bar", "IP=bogus",
                    "K8S_POD_NAME=x;;", "=", "MAC=zz", "IgnoreUnknown=1;" + "K=V;".repeat(200)}));
            case 5 -> env.put("CNI_PATH", pick(new String[] {"", "/nonexistent", ":" + binDir + ":"}));
            case 6 -> env.put("PAD", "p".repeat(rnd.nextInt(4) == 0 ? 120_000 : 100));
            case 7 -> env.put("CNI_COMMAND", pick(COMMANDS));
            default -> env.put("weird key\u00e9", "\u0001\u0002");
        }
    }

    @SuppressWarnings("unchecked")
    private void mutateConfig(Map<String, Object> conf) {
        int what = rnd.nextInt(10);
        if (what < 2) {
            conf.remove(pick(KEYS));
        } else if (what < 7) {
            conf.put(pick(KEYS), value(2));
        } else if (conf.get("ipam") instanceof Map<?, ?> ipam) {
            Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) ipam);
            switch (rnd.nextInt(7)) {
                case 0 -> m.put("ranges", List.of(List.of(Map.of("subnet", pick(STRINGS)))));
                case 1 -> m.put("subnet", pick(new String[] {"10.244.62.0/24", "10.244.90.0/33", "not-a-cidr", "fd00::/120"}));
                case 2 -> m.put("rangeStart", pick(new String[] {"10.244.62.250", "10.99.0.5", "x"}));
                case 3 -> m.put("routes", java.util.Arrays.asList(Map.of("dst", pick(STRINGS)), value(1)));
                case 4 -> m.put("type", pick(new String[] {"host-local", "", "no-such-ipam"}));
                case 5 -> m.put("resolvConf", pick(new String[] {"/nonexistent/resolv.conf", "/etc/resolv.conf", ""}));
                default -> m.remove(pick(new String[] {"ranges", "type", "routes"}));
            }
            conf.put("ipam", m);
        } else {
            conf.put("cniVersion", pick(STRINGS));
        }
    }

    /**
     * Whether bytes the plugin would accept still keep IPAM in the test's data dir: a flipped or
     * inserted byte can land in the pinned path or its key. What the plugin refuses (code 6)
     * touches no file.
     */
    private boolean staysInDataDir(byte[] stdin) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(stdin, "case");
        } catch (RuntimeException refused) {
            return true;
        }
        return !(m.get("ipam") instanceof Map<?, ?> ipam) || dataDir.equals(ipam.get("dataDir"));
    }

    /** Nothing a mutation does may write outside the test's data dir or run another program. */
    @SuppressWarnings("unchecked")
    private void pinIpam(Map<String, Object> conf) {
        if (conf.get("ipam") instanceof Map<?, ?> ipam) {
            Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) ipam);
            m.put("dataDir", dataDir);
            Object t = m.get("type");
            if (!"host-local".equals(t) && !"no-such-ipam".equals(t) && !"".equals(t)) {
                m.put("type", "no-such-ipam");
            }
            conf.put("ipam", m);
        } else if (conf.containsKey("ipam")) {
            conf.put("ipam", conf.get("ipam") == null ? null : "not an object");
        }
    }

    private Object value(int depth) {
        int k = rnd.nextInt(depth > 0 ? 9 : 6);
        return switch (k) {
            case 0 -> rnd.nextBoolean();
            case 1 -> pick(new long[] {0, 1, -1, 1500, 65536, 4095, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE});
            case 2 -> rnd.nextDouble() * 1e6;
            case 3, 4 -> pick(STRINGS);
            case 5 -> null;
            case 6 -> {
                List<Object> l = new ArrayList<>();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    l.add(value(depth - 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    m.put(rnd.nextBoolean() ? pick(KEYS) : pick(new String[] {"ips", "mac", "ipRanges", "id", "minID",
                            "maxID", "address", "gateway", "interfaces", "nameservers"}), value(depth - 1));
                }
                yield m;
            }
        };
    }

    private byte[] mutateBytes(byte[] in) {
        String s = new String(in, StandardCharsets.UTF_8);
        String out = switch (rnd.nextInt(8)) {
            case 0 -> s.substring(0, rnd.nextInt(s.length() + 1));
            case 1 -> s + " junk";
            case 2 -> s + s;
            case 3 -> "{\"name\":\"dup\"," + s.substring(1);
            case 4 -> "[" + s + "]";
            case 5 -> "";
            case 6 -> {
                int at = rnd.nextInt(s.length() + 1);
                yield s.substring(0, at) + pick(new String[] {"\u0000", "}", "{", ",", "\"", "\\", "\ud800", "//"})
                        + s.substring(at);
            }
            default -> null;
        };
        if (out != null) {
            return out.getBytes(StandardCharsets.UTF_8);
        }
        byte[] b = in.clone();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256); // also invalid UTF-8
        }
        return b;
    }

    private byte[] big() {
        return ("{\"cniVersion\":\"1.0.0\",\"name\":\"faults\",\"pad\":\"" + "x".repeat(1_500_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private byte[] deep() {
        return ("{\"cniVersion\":\"1.0.0\",\"name\":\"faults\",\"ipam\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String pick(String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    private long pick(long[] a) {
        return a[rnd.nextInt(a.length)];
    }
}
