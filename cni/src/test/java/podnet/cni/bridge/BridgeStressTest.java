package podnet.cni.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.testing.Cni;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** 50 concurrent ADDs then 50 concurrent DELs on one node: unique addresses, then nothing left. */
class BridgeStressTest {
    static final int PODS = 50;
    @RegisterExtension
    final ThrowawayNamespaces ns = new ThrowawayNamespaces("st");
    @TempDir
    Path data;

    @Test
    void fiftyConcurrentAddsThenDels() throws Exception {
        Netns node = ns.add("node");
        List<Netns> pods = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            pods.add(ns.add("p" + i));
        }
        String conf = """
                {"cniVersion":"1.1.0","name":"stress","type":"bridge","bridge":"cni0","isGateway":true,"hairpinMode":true,
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.244.2.0/24"}}""".formatted(data);
        ExecutorService pool = Executors.newFixedThreadPool(PODS);
        try {
            List<Future<Cni.Out>> adds = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                Cni c = Cni.of("ADD", "pod" + i, pods.get(i).path().toString(), "eth0");
                adds.add(pool.submit(() -> c.ours(node, "bridge", conf)));
            }
            Set<String> addrs = new HashSet<>();
            for (Future<Cni.Out> f : adds) {
                addrs.add(f.get().ok().address(0));
            }
            assertThat(addrs).hasSize(PODS);
            assertThat(Ip.json(node.name(), "link", "show", "master", "cni0")).hasSize(PODS);
            assertThat(Ip.ping(pods.get(0).name(), "10.244.2.1", 1)).isTrue();

            List<Future<Cni.Out>> dels = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                Cni c = Cni.of("DEL", "pod" + i, pods.get(i).path().toString(), "eth0");
                dels.add(pool.submit(() -> c.ours(node, "bridge", conf)));
            }
            for (Future<Cni.Out> f : dels) {
                f.get().ok();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).isEmpty();
        assertThat(data.resolve("stress").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
    }
}
