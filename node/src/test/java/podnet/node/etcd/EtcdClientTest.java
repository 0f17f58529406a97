package podnet.node.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.TestNetns;
import podnet.node.testing.EtcdServer;

/**
 * The JSON-gateway client against a real etcd 3.4 in a throwaway namespace, with etcdctl as
 * the oracle. The etcd address exists only inside that namespace, so every passing call also
 * shows the sockets came from the {@link SocketOpener}, not the test JVM's namespace.
 */
class EtcdClientTest {
    static TestNetns namespaces;
    static Netns ns;
    static EtcdServer etcd;
    static EtcdClient client;

    @BeforeAll
    static void start() {
        EtcdServer.assumeInstalled();
        namespaces = new TestNetns("etcdc");
        ns = namespaces.add("etcd");
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().setUp("lo");
            h.links().addVeth("e0", "e1", ns, 0);
            h.addresses().add("e0", Cidr.parse("10.77.0.1/24"));
            h.links().setUp("e0");
            h.links().setUp("e1");
        }
        etcd = EtcdServer.start(ns, "10.77.0.1");
        client = new EtcdClient(List.of(etcd.url()), opener(), Duration.ofSeconds(5));
    }

    static SocketOpener opener() {
        return () -> ns.call(SocketChannel::open);
    }

    @AfterAll
    static void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (etcd != null) {
                etcd.close();
            }
        } finally {
            if (namespaces != null) {
                namespaces.close();
            }
        }
    }

    @Test
    void putGetRangeDelete() {
        long rev = client.put("/t1/a", "{\"x\":1}", 0);
        client.put("/t1/b", "two", 0);
        client.put("/t10", "outside the prefix", 0);
        assertThat(client.get("/t1/a")).hasValueSatisfying(kv -> {
            assertThat(kv.value()).isEqualTo("{\"x\":1}");
            assertThat(kv.modRevision()).isEqualTo(rev);
        });
        assertThat(client.get("/t1/none")).isEmpty();
        Range r = client.range("/t1/");
        assertThat(r.kvs()).extracting(EtcdKv::key).containsExactly("/t1/a", "/t1/b");
        assertThat(r.revision()).isGreaterThanOrEqualTo(rev);
        assertThat(etcd.etcdctl("get", "/t1/b", "--print-value-only").strip()).isEqualTo("two");
        assertThat(client.delete("/t1/a")).isEqualTo(1);
        assertThat(client.delete("/t1/a")).isZero();
        assertThat(etcd.etcdctl("get", "--prefix", "/t1/", "--keys-only")).doesNotContain("/t1/a");
    }

    @Test
    void createIfAbsentWinsOnceAndReplaceChecksTheRevision() {
        assertThat(client.createIfAbsent("/t2/k", "first", 0)).isTrue();
        assertThat(client.createIfAbsent("/t2/k", "second", 0)).isFalse();
        EtcdKv kv = client.get("/t2/k").orElseThrow();
        assertThat(kv.value()).isEqualTo("first");
        assertThat(client.replaceIfUnchanged("/t2/k", "third", 0, kv.modRevision() - 1)).isFalse();
        assertThat(client.replaceIfUnchanged("/t2/k", "third", 0, kv.modRevision())).isTrue();
        assertThat(etcd.etcdctl("get", "/t2/k", "--print-value-only").strip()).isEqualTo("third");
    }

    @Test
    void leasesGrantKeepAliveAndRevokeTakeTheirKeys() {
        long lease = client.grant(60);
        client.put("/t3/leased", "v", lease);
        assertThat(client.get("/t3/leased").orElseThrow().lease()).isEqualTo(lease);
        assertThat(client.timeToLive(lease)).isBetween(50L, 60L);
        assertThat(client.keepAlive(lease)).isEqualTo(60);
        assertThat(etcd.etcdctl("lease", "timetolive", Long.toHexString(lease))).contains("granted with TTL(60s)");
        client.revoke(lease);
        client.revoke(lease);
        assertThat(client.get("/t3/leased")).isEmpty();
        assertThat(client.timeToLive(lease)).isEqualTo(-1);
        assertThat(client.keepAlive(lease)).isZero();
        assertThatThrownBy(() -> client.put("/t3/x", "v", lease)).isInstanceOf(EtcdException.class)
                .hasMessageContaining("lease not found").satisfies(e -> assertThat(((EtcdException) e).unreachable()).isFalse());
    }

    @Test
    void aWatchSeesPutsAndDeletesFromItsRevisionOn() throws Exception {
        long rev = client.put("/t4/before", "1", 0);
        try (EtcdWatch w = client.watch("/t4/", rev)) {
            List<WatchEvent> first = w.next();
            assertThat(first).extracting(e -> e.kv().key()).containsExactly("/t4/before");
            etcd.etcdctl("put", "/t4/x", "hello");
            etcd.etcdctl("del", "/t4/x");
            List<WatchEvent> seen = new ArrayList<>();
            while (seen.size() < 2) {
                seen.addAll(w.next());
            }
            assertThat(seen.get(0).deleted()).isFalse();
            assertThat(seen.get(0).kv().value()).isEqualTo("hello");
            assertThat(seen.get(1).deleted()).isTrue();
            assertThat(seen.get(1).kv().key()).isEqualTo("/t4/x");
            // Closing from another thread ends a blocked next().
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    w.next();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            w.close();
            assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(EtcdException.class)
                    .satisfies(t -> assertThat(((EtcdException) t).unreachable()).isTrue());
        }
    }

    @Test
    void aDeadEndpointIsSkippedAndNoEndpointSaysUnreachable() {
        URI dead = URI.create("http://10.77.0.9:2379");
        try (EtcdClient two = new EtcdClient(List.of(URI.create("http://10.77.0.1:1"), etcd.url()), opener(),
                Duration.ofSeconds(2))) {
            assertThat(two.put("/t5/k", "v", 0)).isPositive();
        }
        try (EtcdClient none = new EtcdClient(List.of(dead), opener(), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> none.get("/t5/k")).isInstanceOf(EtcdException.class)
                    .hasMessageContaining("etcd at " + dead)
                    .satisfies(e -> assertThat(((EtcdException) e).unreachable()).isTrue());
        }
        try (EtcdClient wrongNs = new EtcdClient(List.of(etcd.url()), SocketOpener.CURRENT, Duration.ofMillis(300))) {
            assertThatThrownBy(() -> wrongNs.get("/t5/k")).as("from the test's own namespace there is no such address")
                    .isInstanceOf(EtcdException.class);
        }
    }

    @Test
    void endpointsAreParsedOrRefusedWithTheReason() {
        assertThat(EtcdClient.parseEndpoints("http://10.0.0.2:2379, http://10.0.0.3:2379"))
                .containsExactly(URI.create("http://10.0.0.2:2379"), URI.create("http://10.0.0.3:2379"));
        assertThatThrownBy(() -> EtcdClient.parseEndpoints("https://10.0.0.2:2379")).hasMessageContaining("TLS");
        assertThatThrownBy(() -> EtcdClient.parseEndpoints("10.0.0.2")).hasMessageContaining("give http://HOST:PORT");
        assertThat(EtcdJson.prefixEnd("/a/")).isEqualTo(EtcdJson.b64("/a0"));
    }
}
