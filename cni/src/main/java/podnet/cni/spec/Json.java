package podnet.cni.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * JSON through jackson-jr (light to load) into plain maps and lists, with typed getters whose
 * errors name the offending key.
 */
public final class Json {
    private Json() {}

    private static final JSON STD = JSON.std;
    /** Reads strictly: a duplicate key is an error, not "the last one wins". */
    private static final JSON STRICT = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);
    /** A CNI config is a few levels deep; 64 keeps a hostile one from overflowing the stack. */
    static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();

    /**
     * Exactly one JSON object, nothing after it but whitespace, no key twice, at most
     * {@link #MAX_DEPTH} levels: anything else is a decoding failure (code 6), never "the first
     * object wins".
     */
    public static Map<String, Object> parseObject(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw CniError.decode(what + ": empty input");
        }
        try (JsonParser p = FACTORY.createParser(bytes)) {
            Object o = STRICT.anyFrom(p);
            if (!(o instanceof Map<?, ?> m)) {
                throw CniError.decode(what + ": expected a JSON object");
            }
            trailing(p, what);
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return map;
        } catch (IOException e) {
            throw new CniError(CniError.DECODING_FAILURE, what + ": invalid JSON: " + firstLine(e.getMessage()), null, e);
        }
    }

    private static void trailing(JsonParser p, String what) {
        try {
            if (p.nextToken() == null) {
                return;
            }
        } catch (IOException e) {
            // not even a token: junk
        }
        throw CniError.decode(what + ": invalid JSON: unexpected data after the object at offset "
                + p.currentTokenLocation().getByteOffset());
    }

    public static byte[] write(Object o) {
        try {
            return STD.asBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String writeString(Object o) {
        try {
            return STD.asString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public static String str(Map<String, Object> m, String key, String dflt) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw CniError.decode("\"" + key + "\" must be a string, got " + Json.writeString(v));
    }

    public static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw CniError.decode("\"" + key + "\" must be a boolean, got " + Json.writeString(v));
    }

    public static int integer(Map<String, Object> m, String key, int dflt) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        throw CniError.decode("\"" + key + "\" must be an integer, got " + Json.writeString(v));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?>) {
            return (Map<String, Object>) v;
        }
        throw CniError.decode("\"" + key + "\" must be an object, got " + Json.writeString(v));
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?>) {
            return (List<Object>) v;
        }
        throw CniError.decode("\"" + key + "\" must be an array, got " + Json.writeString(v));
    }

    public static List<String> strings(Map<String, Object> m, String key) {
        List<Object> l = list(m, key);
        if (l == null) {
            return null;
        }
        for (Object o : l) {
            if (!(o instanceof String)) {
                throw CniError.decode("\"" + key + "\" must be an array of strings");
            }
        }
        return l.stream().map(String.class::cast).toList();
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object o, String what) {
        if (o instanceof Map<?, ?>) {
            return (Map<String, Object>) o;
        }
        throw CniError.decode(what + " must be an object, got " + (o == null ? "null" : Json.writeString(o)));
    }
}
