package podnet.node.etcd;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A watch on a key prefix over the gateway's streaming {@code /v3/watch}: {@link #next()}
 * blocks for the next batch of changes. The stream ends (an {@link EtcdException} that says
 * unreachable) when etcd goes away or {@link #close()} is called from another thread; a
 * compacted start revision ends it too ({@link #compacted()}): list again and watch anew.
 */
public final class EtcdWatch implements AutoCloseable {
    private final HttpConnection connection;
    private final InputStream in;
    private volatile boolean compacted;

    EtcdWatch(HttpConnection connection, InputStream in) {
        this.connection = connection;
        this.in = in;
    }

    /** The next changes (never empty); progress notices and the creation answer are skipped. */
    public List<WatchEvent> next() {
        while (true) {
            Map<String, Object> msg = readMessage();
            if (msg.containsKey("error")) {
                throw EtcdException.refused("watch: " + EtcdJson.map(msg.get("error")).get("message"), -1);
            }
            Map<String, Object> result = EtcdJson.map(msg.get("result"));
            if (EtcdJson.num(result.get("compact_revision")) > 0) {
                compacted = true;
                throw EtcdException.refused("watch: revision compacted (now "
                        + result.get("compact_revision") + "); list again", -1);
            }
            if (Boolean.TRUE.equals(result.get("canceled"))) {
                throw EtcdException.refused("watch canceled by etcd: " + result.get("cancel_reason"), -1);
            }
            List<WatchEvent> out = new ArrayList<>();
            for (Object e : EtcdJson.list(result.get("events"))) {
                Map<String, Object> ev = EtcdJson.map(e);
                out.add(new WatchEvent("DELETE".equals(ev.get("type")), EtcdJson.kv(EtcdJson.map(ev.get("kv")))));
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
    }

    public boolean compacted() {
        return compacted;
    }

    private Map<String, Object> readMessage() {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        try {
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw EtcdException.unreachable("watch stream from " + connection.endpoint() + " ended", null);
                }
                if (c == '\n') {
                    if (line.size() == 0) {
                        continue;
                    }
                    return JSON.std.mapFrom(line.toByteArray());
                }
                line.write(c);
            }
        } catch (IOException e) {
            throw EtcdException.unreachable("watch stream from " + connection.endpoint() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
