package podnet.node.etcd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * etcd's v3 JSON gateway encoding (grpc-gateway over the gRPC messages): keys and values are
 * base64, int64 fields travel as strings, fields at their zero value are left out.
 */
final class EtcdJson {
    private EtcdJson() {}

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(Object o) {
        return o == null ? "" : new String(Base64.getDecoder().decode((String) o), StandardCharsets.UTF_8);
    }

    /** The key right after every key that starts with {@code prefix}: etcd's range_end for a prefix. */
    static String prefixEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if ((b[i] & 0xff) != 0xff) {
                b[i]++;
                return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b, i + 1));
            }
        }
        return Base64.getEncoder().encodeToString(new byte[] {0}); // every key
    }

    static long num(Object o) {
        if (o == null) {
            return 0;
        }
        if (o instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(o.toString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    static EtcdKv kv(Map<String, Object> m) {
        return new EtcdKv(unb64(m.get("key")), unb64(m.get("value")), num(m.get("create_revision")),
                num(m.get("mod_revision")), num(m.get("lease")));
    }

    static long revision(Map<String, Object> answer) {
        return num(map(answer.get("header")).get("revision"));
    }
}
