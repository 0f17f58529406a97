package podnet.cni.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.spec.CniError;
import podnet.cni.testing.Cni;
import podnet.linux.ns.Netns;

class HostLocalTest {
    @TempDir
    Path tmp;

    String conf(String ipam) {
        return conf("1.1.0", ipam);
    }

    String conf(String version, String ipam) {
        return """
                {"cniVersion":"%s","name":"net1","type":"host-local",
                 "ipam":{"type":"host-local","dataDir":"%s",%s}}""".formatted(version, tmp, ipam);
    }

    static Cni add(String id) {
        return Cni.of("ADD", id, "/nonexistent", "eth0");
    }

    Cni.Out run(Cni c, String conf) {
        return c.ours(Netns.CURRENT, "host-local", conf);
    }

    @Test
    void allocatesAfterGatewayAndStoresLikeTheReference() throws IOException {
        String c = conf("\"subnet\":\"10.1.0.0/24\"");
        Cni.Out r = run(add("ctr1"), c).ok();
        assertThat(r.address(0)).isEqualTo("10.1.0.2/24");
        assertThat(r.list("ips").get(0).get("gateway")).isEqualTo("10.1.0.1");
        Path dir = tmp.resolve("net1");
        assertThat(Files.readAllBytes(dir.resolve("10.1.0.2"))).isEqualTo("ctr1\r\neth0".getBytes(StandardCharsets.US_ASCII));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("10.1.0.2")))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(dir.resolve("last_reserved_ip.0"))).isEqualTo("10.1.0.2");
        assertThat(dir.resolve("lock")).exists();

        // round robin: after DEL the next ADD takes the following address
        run(add("ctr1").command("DEL"), c).ok();
        assertThat(dir.resolve("10.1.0.2")).doesNotExist();
        assertThat(run(add("ctr2"), c).ok().address(0)).isEqualTo("10.1.0.3/24");
        // DEL of an unknown container succeeds
        run(add("nobody").command("DEL"), c).ok();
    }

    @Test
    void rangeStartEndGatewayRoutesAndDns() throws IOException {
        Path resolv = tmp.resolve("resolv.conf");
        Files.writeString(resolv, "nameserver 10.0.0.53\nsearch a.local b.local\ndomain x.local\noptions ndots:5\n");
        String c = conf("\"ranges\":[[{\"subnet\":\"10.2.0.0/24\",\"rangeStart\":\"10.2.0.100\",\"rangeEnd\":\"10.2.0.101\","
                + "\"gateway\":\"10.2.0.254\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.2.0.1\"}],"
                + "\"resolvConf\":\"" + resolv + "\"");
        Cni.Out r = run(add("a"), c).ok();
        assertThat(r.address(0)).isEqualTo("10.2.0.100/24");
        assertThat(r.list("ips").get(0).get("gateway")).isEqualTo("10.2.0.254");
        assertThat(r.list("routes")).hasSize(2);
        assertThat(r.list("routes").get(1)).containsEntry("gw", "10.2.0.1");
        assertThat(r.json().get("dns").toString()).contains("10.0.0.53", "a.local", "x.local", "ndots:5");
        assertThat(run(add("b"), c).ok().address(0)).isEqualTo("10.2.0.101/24");
        Cni.Out full = run(add("c"), c);
        assertThat(full.code()).isEqualTo(CniError.INTERNAL);
        assertThat(full.msg()).contains("no IP addresses available in range set: 10.2.0.100-10.2.0.101");
        assertThat(tmp.resolve("net1").toFile().list()).hasSize(4); // 2 leases, lock, last_reserved_ip.0
    }

    @Test
    void dualStackOneAddressPerRangeSet() {
        String c = conf("\"ranges\":[[{\"subnet\":\"10.3.0.0/24\"}],[{\"subnet\":\"fd00:3::/64\"}]]");
        Cni.Out r = run(add("ds"), c).ok();
        assertThat(r.address(0)).isEqualTo("10.3.0.2/24");
        assertThat(r.address(1)).isEqualTo("fd00:3::2/64");
        assertThat(r.list("ips").get(1).get("gateway")).isEqualTo("fd00:3::1");
        assertThat(tmp.resolve("net1/fd00:3::2")).exists();
        assertThat(tmp.resolve("net1/last_reserved_ip.1")).exists();
        // 0.3.1 results carry ips[].version
        Cni.Out old = run(add("ds2"), conf("0.3.1", "\"ranges\":[[{\"subnet\":\"10.3.0.0/24\"}],[{\"subnet\":\"fd00:3::/64\"}]]")).ok();
        assertThat(old.list("ips").get(0)).containsEntry("version", "4");
        assertThat(old.list("ips").get(1)).containsEntry("version", "6");
    }

    @Test
    void requestedAddressesByArgsCapabilityAndArgsConvention() {
        String c = conf("\"subnet\":\"10.4.0.0/24\"");
        assertThat(run(add("a").args("IP=10.4.0.50"), c).ok().address(0)).isEqualTo("10.4.0.50/24");
        String withCap = """
                {"cniVersion":"1.1.0","name":"net1","type":"host-local","runtimeConfig":{"ips":["10.4.0.60/24"]},
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.4.0.0/24"}}""".formatted(tmp);
        assertThat(run(add("b"), withCap).ok().address(0)).isEqualTo("10.4.0.60/24");
        String withArgs = """
                {"cniVersion":"1.1.0","name":"net1","type":"host-local","args":{"cni":{"ips":["10.4.0.70"]}},
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.4.0.0/24"}}""".formatted(tmp);
        assertThat(run(add("c"), withArgs).ok().address(0)).isEqualTo("10.4.0.70/24");
        // taken, gateway, outside every range
        assertThat(run(add("d").args("IP=10.4.0.50"), c).msg()).contains("10.4.0.50 is not available");
        assertThat(run(add("e").args("IP=10.4.0.1"), c).code()).isEqualTo(CniError.INVALID_CONFIG);
        Cni.Out outside = run(add("f").args("IP=10.9.9.9"), c);
        assertThat(outside.code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(outside.msg()).contains("10.9.9.9");
        // a failed request leaves no lease behind
        assertThat(tmp.resolve("net1").toFile().list()).hasSize(5);
        // unknown CNI_ARGS key without IgnoreUnknown
        Cni.Out unknown = run(add("g").args("FOO=1"), c);
        assertThat(unknown.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat(unknown.msg()).contains("CNI_ARGS", "FOO");
        run(add("g").args("IgnoreUnknown=1;FOO=1;K8S_POD_NAME=x"), c).ok();
    }

    @Test
    void ipRangesCapabilityReplacesTheConfiguredRanges() {
        String c = """
                {"cniVersion":"1.1.0","name":"net1","type":"host-local",
                 "runtimeConfig":{"ipRanges":[[{"subnet":"10.44.0.0/24","rangeStart":"10.44.0.9"}]]},
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.4.0.0/24"}}""".formatted(tmp);
        assertThat(run(add("r"), c).ok().address(0)).isEqualTo("10.44.0.9/24");
    }

    @Test
    void duplicateAllocationIsRefused() {
        String c = conf("\"subnet\":\"10.5.0.0/24\"");
        run(add("x"), c).ok();
        assertThat(run(add("x"), c).msg()).contains("duplicate allocation is not allowed");
        run(Cni.of("ADD", "x", "/nonexistent", "eth1"), c).ok(); // another interface of the same container
    }

    @Test
    void badConfigurationsNameTheKey() {
        assertThat(run(add("a"), conf("\"subnet\":\"10.6.0.1/24\"")).msg()).contains("host bits set");
        assertThat(run(add("a"), conf("\"subnet\":\"10.6.0.0/31\"")).msg()).contains("too small");
        assertThat(run(add("a"), conf("\"subnet\":\"10.6.0.0/24\",\"rangeStart\":\"10.7.0.1\"")).msg()).contains("rangeStart");
        assertThat(run(add("a"), conf("\"ranges\":[[{\"subnet\":\"10.6.0.0/24\"}],[{\"subnet\":\"10.6.0.0/25\"}]]")).msg())
                .contains("overlaps");
        assertThat(run(add("a"), conf("\"ranges\":[[{\"subnet\":\"10.6.0.0/24\"},{\"subnet\":\"fd00::/64\"}]]")).msg())
                .contains("mixed");
        assertThat(run(add("a"), conf("\"routes\":[]")).msg()).contains("no IP ranges");
        assertThat(run(add("a"), conf("\"subnet\":\"banana\"")).code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(run(add("a"), conf("\"subnet\":42")).code()).isEqualTo(CniError.DECODING_FAILURE);
        String noIpam = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"host-local\"}";
        assertThat(run(add("a"), noIpam).msg()).contains("ipam");
        String escape = "{\"cniVersion\":\"1.1.0\",\"name\":\"../etc\",\"type\":\"host-local\",\"ipam\":{\"subnet\":\"10.6.0.0/24\",\"dataDir\":\"" + tmp + "\"}}";
        assertThat(run(add("a"), escape).code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(run(Cni.of("ADD", "../x", "/n", "eth0"), conf("\"subnet\":\"10.6.0.0/24\"")).code())
                .isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat(tmp.resolve("etc")).doesNotExist();
    }

    @Test
    void checkGcAndStatus() throws IOException {
        String c = conf("\"subnet\":\"10.8.0.0/30\""); // one usable address: .2 (.1 is the gateway)
        String prev = c.replace("\"type\":\"host-local\",", "\"type\":\"host-local\",\"prevResult\":{\"cniVersion\":\"1.1.0\"},");
        assertThat(run(add("a").command("CHECK"), prev).code()).isEqualTo(CniError.UNKNOWN_CONTAINER);
        run(Cni.of("STATUS", null, null, null), c).ok();
        run(add("a"), c).ok();
        run(add("a").command("CHECK"), prev).ok();
        Cni.Out st = run(Cni.of("STATUS", null, null, null), c);
        assertThat(st.code()).isEqualTo(CniError.NOT_AVAILABLE);
        // GC keeps valid attachments (either key), releases the rest
        String gcKeep = c.replace("\"type\":\"host-local\",", "\"type\":\"host-local\",\"cni.dev/attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}],");
        run(Cni.of("GC", null, null, null), gcKeep).ok();
        assertThat(tmp.resolve("net1/10.8.0.2")).exists();
        String gcDrop = c.replace("\"type\":\"host-local\",", "\"type\":\"host-local\",\"cni.dev/valid-attachments\":[],");
        run(Cni.of("GC", null, null, null), gcDrop).ok();
        assertThat(tmp.resolve("net1/10.8.0.2")).doesNotExist();
        assertThat(run(Cni.of("GC", null, null, null), conf("1.0.0", "\"subnet\":\"10.8.0.0/30\"")).code())
                .isEqualTo(CniError.INCOMPATIBLE_VERSION);
        // an unusable store: dataDir is a file
        Path file = tmp.resolve("afile");
        Files.writeString(file, "x");
        String bad = c.replace(tmp.toString(), file.toString());
        assertThat(run(Cni.of("STATUS", null, null, null), bad).code()).isEqualTo(CniError.NOT_AVAILABLE);
        assertThat(run(add("z"), bad).code()).isEqualTo(CniError.IO_FAILURE);
    }

    @Test
    void manyThreadsNeverShareAnAddress() throws Exception {
        String c = conf("\"subnet\":\"10.9.0.0/24\"");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Cni.Out>> fs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = "c" + i;
                fs.add(pool.submit(() -> run(add(id), c)));
            }
            Set<String> addrs = new HashSet<>();
            for (Future<Cni.Out> f : fs) {
                addrs.add(f.get().ok().address(0));
            }
            assertThat(addrs).hasSize(100);
            List<Future<Cni.Out>> dels = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = "c" + i;
                dels.add(pool.submit(() -> run(add(id).command("DEL"), c)));
            }
            for (Future<Cni.Out> f : dels) {
                f.get().ok();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(tmp.resolve("net1").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
    }
}
