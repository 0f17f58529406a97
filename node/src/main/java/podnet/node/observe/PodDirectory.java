package podnet.node.observe;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import podnet.linux.inet.Cidr;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodStore;

/**
 * Pod names by address: from podnet's pod records and the CNI result cache in the state
 * directory (so pods made by `podnet pod run`, or by any runtime using podnet's cache, have
 * their names), and, for anything else, the name of the namespace behind the port the address
 * was first seen on. Re-read at most once a second when an unknown address shows up.
 */
final class PodDirectory {
    private static final String SANDBOX_PREFIX = "podnet-";
    private static final long RELOAD_NANOS = 1_000_000_000L;

    private final Path stateDir;
    private final Map<String, String> byIp = new ConcurrentHashMap<>();
    private final Map<String, String> learned = new ConcurrentHashMap<>();
    private volatile long loadedAt;

    PodDirectory(Path stateDir) {
        this.stateDir = stateDir;
        reload();
    }

    /** The pod with address {@code ip} (text form), or null. */
    String podOf(String ip) {
        String p = byIp.get(ip);
        if (p == null) {
            p = learned.get(ip);
        }
        if (p == null && System.nanoTime() - loadedAt > RELOAD_NANOS) {
            reload();
            p = byIp.get(ip);
        }
        return p;
    }

    /** Remembers that {@code ip} came from the namespace called {@code label} (a port's peer). */
    void learn(String ip, String label) {
        if (label != null && !byIp.containsKey(ip)) {
            learned.putIfAbsent(ip, label.startsWith(SANDBOX_PREFIX) ? label.substring(SANDBOX_PREFIX.length()) : label);
        }
    }

    void reload() {
        loadedAt = System.nanoTime();
        if (stateDir == null) {
            return;
        }
        try {
            for (PodRecord r : new PodStore(stateDir).list()) {
                if (r.ip() != null) {
                    byIp.put(Cidr.text(Cidr.parse(r.ip()).address()), r.name());
                }
            }
        } catch (RuntimeException e) {
            // an unreadable record: the others still count, names just stay unknown
        }
        Path cache = stateDir.resolve("cni-results");
        if (!Files.isDirectory(cache)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cache)) {
            for (Path f : files) {
                readCache(f);
            }
        } catch (IOException e) {
            // no cache to read
        }
    }

    /** A libcni cache file: {"containerId": ..., "result": {"ips": [{"address": "10.244.2.5/24"}]}}. */
    @SuppressWarnings("unchecked")
    private void readCache(Path f) {
        try {
            Map<String, Object> c = JSON.std.mapFrom(Files.readString(f));
            Object id = c.get("containerId");
            if (!(id instanceof String cid) || !(c.get("result") instanceof Map<?, ?> result)) {
                return;
            }
            String name = cid.startsWith(SANDBOX_PREFIX) ? cid.substring(SANDBOX_PREFIX.length())
                    : cid.length() > 12 ? cid.substring(0, 12) : cid;
            if (result.get("ips") instanceof List<?> ips) {
                for (Object o : ips) {
                    if (o instanceof Map<?, ?> ip && ip.get("address") instanceof String a) {
                        byIp.putIfAbsent(Cidr.text(Cidr.parse(a).address()), name);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a cache file being written, or not ours
        }
    }
}
