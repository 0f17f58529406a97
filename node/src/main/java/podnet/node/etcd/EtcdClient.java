package podnet.node.etcd;

import static podnet.node.etcd.EtcdJson.b64;
import static podnet.node.etcd.EtcdJson.map;
import static podnet.node.etcd.EtcdJson.num;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An etcd v3 client over etcd's JSON gateway ({@code /v3/kv/*}, {@code /v3/lease/*},
 * {@code /v3/watch}): just what a subnet registry needs. Requests go to the first endpoint
 * that answers, over one kept-alive connection; sockets come from a {@link SocketOpener}.
 * Safe to share between threads (requests are serialised; a watch has its own connection).
 */
public final class EtcdClient implements AutoCloseable {
    private final List<URI> endpoints;
    private final SocketOpener opener;
    private final int timeoutMillis;
    private HttpConnection idle;
    private int current;

    public EtcdClient(List<URI> endpoints, SocketOpener opener, Duration timeout) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoint given");
        }
        this.endpoints = List.copyOf(endpoints);
        this.opener = opener;
        this.timeoutMillis = (int) timeout.toMillis();
    }

    /** Parses {@code http://HOST:PORT[,http://…]}; anything else is refused with the reason. */
    public static List<URI> parseEndpoints(String text) {
        List<URI> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            URI u;
            try {
                u = URI.create(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd endpoint \"" + p + "\" is not a URL");
            }
            if ("https".equals(u.getScheme())) {
                throw new IllegalArgumentException("etcd endpoint " + p + ": TLS is not supported; give http://HOST:PORT");
            }
            if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() <= 0) {
                throw new IllegalArgumentException("etcd endpoint \"" + p + "\": give http://HOST:PORT, e.g. http://10.0.0.2:2379");
            }
            out.add(u);
        }
        return out;
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    // ---- kv -------------------------------------------------------------------------------

    public Optional<EtcdKv> get(String key) {
        Map<String, Object> r = call("/v3/kv/range", Map.of("key", b64(key)));
        return EtcdJson.list(r.get("kvs")).stream().map(o -> EtcdJson.kv(map(o))).findFirst();
    }

    /** Every pair whose key starts with {@code prefix}, and the revision they were read at. */
    public Range range(String prefix) {
        Map<String, Object> r = call("/v3/kv/range", Map.of("key", b64(prefix), "range_end", EtcdJson.prefixEnd(prefix)));
        List<EtcdKv> kvs = new ArrayList<>();
        for (Object o : EtcdJson.list(r.get("kvs"))) {
            kvs.add(EtcdJson.kv(map(o)));
        }
        return new Range(kvs, EtcdJson.revision(r));
    }

    /** Puts {@code key} (attached to {@code lease} unless 0); returns the new revision. */
    public long put(String key, String value, long lease) {
        return EtcdJson.revision(call("/v3/kv/put", putRequest(key, value, lease)));
    }

    /** Puts {@code key} only if it does not exist (one transaction); false when it does. */
    public boolean createIfAbsent(String key, String value, long lease) {
        return txn(Map.of("target", "CREATE", "key", b64(key), "create_revision", "0"), key, value, lease);
    }

    /** Puts {@code key} only if it was last changed at {@code modRevision}; false otherwise. */
    public boolean replaceIfUnchanged(String key, String value, long lease, long modRevision) {
        return txn(Map.of("target", "MOD", "key", b64(key), "mod_revision", Long.toString(modRevision)), key, value, lease);
    }

    private boolean txn(Map<String, Object> compare, String key, String value, long lease) {
        Map<String, Object> req = Map.of("compare", List.of(compare),
                "success", List.of(Map.of("request_put", putRequest(key, value, lease))));
        return Boolean.TRUE.equals(call("/v3/kv/txn", req).get("succeeded"));
    }

    private static Map<String, Object> putRequest(String key, String value, long lease) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", b64(key));
        m.put("value", b64(value));
        if (lease != 0) {
            m.put("lease", Long.toString(lease));
        }
        return m;
    }

    /** Deletes {@code key}; returns how many keys went (0 or 1). */
    public long delete(String key) {
        return num(call("/v3/kv/deleterange", Map.of("key", b64(key))).get("deleted"));
    }

    // ---- leases ---------------------------------------------------------------------------

    /** A new lease of {@code ttlSeconds}; returns its id. */
    public long grant(long ttlSeconds) {
        return num(call("/v3/lease/grant", Map.of("TTL", Long.toString(ttlSeconds))).get("ID"));
    }

    /** Renews the lease once; returns its TTL again, or 0 when it no longer exists. */
    public long keepAlive(long lease) {
        Map<String, Object> r = call("/v3/lease/keepalive", Map.of("ID", Long.toString(lease)));
        return Math.max(0, num(map(r.get("result")).get("TTL")));
    }

    /** Seconds the lease has left; -1 when it does not exist. */
    public long timeToLive(long lease) {
        return num(call("/v3/lease/timetolive", Map.of("ID", Long.toString(lease))).get("TTL"));
    }

    /** Ends the lease, deleting the keys attached to it; an unknown lease is fine. */
    public void revoke(long lease) {
        try {
            call("/v3/lease/revoke", Map.of("ID", Long.toString(lease)));
        } catch (EtcdException e) {
            if (e.code() != 5) { // NOT_FOUND: gone already
                throw e;
            }
        }
    }

    // ---- watch ----------------------------------------------------------------------------

    /** Watches every key under {@code prefix} from revision {@code fromRevision} on, on a connection of its own. */
    public EtcdWatch watch(String prefix, long fromRevision) {
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("key", b64(prefix));
        create.put("range_end", EtcdJson.prefixEnd(prefix));
        create.put("start_revision", Long.toString(fromRevision));
        byte[] body = json(Map.of("create_request", create));
        EtcdException last = null;
        for (int i = 0; i < endpoints.size(); i++) {
            URI e = endpoint(i);
            HttpConnection c = null;
            try {
                c = HttpConnection.open(opener, e, timeoutMillis);
                InputStream in = c.stream("/v3/watch", body);
                return new EtcdWatch(c, in);
            } catch (IOException ex) {
                if (c != null) {
                    c.close();
                }
                last = EtcdException.unreachable("etcd at " + e + ": " + describe(ex), ex);
            }
        }
        throw last;
    }

    // ---- plumbing -------------------------------------------------------------------------

    private URI endpoint(int offset) {
        return endpoints.get((current + offset) % endpoints.size());
    }

    /** One request; on a connection failure the next endpoint is tried, each once. */
    private synchronized Map<String, Object> call(String path, Map<String, Object> request) {
        byte[] body = json(request);
        EtcdException last = null;
        for (int i = 0; i < endpoints.size(); i++) {
            boolean reused = idle != null;
            HttpConnection c = idle;
            idle = null;
            try {
                if (c == null) {
                    c = HttpConnection.open(opener, endpoint(0), timeoutMillis);
                }
                HttpConnection.Response r = c.post(path, body, timeoutMillis);
                if (r.reusable()) {
                    idle = c;
                } else {
                    c.close();
                }
                return answer(path, r);
            } catch (IOException e) {
                if (c != null) {
                    c.close();
                }
                if (reused) {
                    i--; // a kept-alive connection the server had closed: once more, fresh
                    continue;
                }
                last = EtcdException.unreachable("etcd at " + endpoint(0) + ": " + describe(e), e);
                current = (current + 1) % endpoints.size();
            }
        }
        throw last;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Map<String, Object> answer(String path, HttpConnection.Response r) {
        Map<String, Object> m;
        try {
            m = r.body().length == 0 ? Map.of() : JSON.std.mapFrom(r.body());
        } catch (IOException e) {
            throw EtcdException.refused(path + ": etcd answered HTTP " + r.status() + " that is not JSON", -1);
        }
        if (r.status() / 100 != 2 || m.containsKey("error")) {
            Object msg = m.containsKey("message") ? m.get("message") : m.get("error");
            throw EtcdException.refused(path + ": " + (msg == null ? "HTTP " + r.status() : msg), (int) num(m.get("code")));
        }
        return m;
    }

    private static byte[] json(Map<String, Object> m) {
        try {
            return JSON.std.asBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (idle != null) {
            idle.close();
            idle = null;
        }
    }
}
