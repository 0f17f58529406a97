package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the engines are given: conflist, containerd config, containers.conf, rootfs. */
class ConfigFilesTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void conflistIsBridgeWithHostLocalThenLoopback() throws Exception {
        PodNetworkConf net = PodNetworkConf.in(tmp).write();
        Map<String, Object> conf = JSON.std.mapFrom(Files.readString(net.confDir().resolve(PodNetworkConf.CONFLIST)));
        assertThat(conf).containsEntry("cniVersion", "1.0.0").containsEntry("name", "podnet");
        List<Map<String, Object>> plugins = (List<Map<String, Object>>) conf.get("plugins");
        assertThat(plugins).extracting(p -> p.get("type")).containsExactly("bridge", "portmap", "loopback");
        assertThat(plugins.get(0)).containsEntry("bridge", "cni0").containsEntry("isGateway", true)
                .containsEntry("ipMasq", true).containsEntry("hairpinMode", true);
        Map<String, Object> ipam = (Map<String, Object>) plugins.get(0).get("ipam");
        assertThat(ipam).containsEntry("type", "host-local").containsEntry("dataDir", tmp.resolve("cni-ipam").toString());
    }

    @Test
    void subnetMembershipAndLeases() throws Exception {
        PodNetworkConf net = PodNetworkConf.in(tmp).write();
        assertThat(net.contains("10.244.2.7")).isTrue();
        assertThat(net.contains("10.244.2.0")).isFalse();
        assertThat(net.contains("10.244.2.255")).isFalse();
        assertThat(net.contains("10.244.20.7")).isFalse();
        assertThat(net.leases()).isEmpty();
        Path dir = Files.createDirectories(net.dataDir().resolve("podnet"));
        Files.writeString(dir.resolve("10.244.2.2"), "id\r\neth0");
        Files.writeString(dir.resolve("last_reserved_ip.0"), "10.244.2.2");
        Files.writeString(dir.resolve("lock"), "");
        assertThat(net.leases()).containsExactly("10.244.2.2");
    }

    @Test
    void containerdConfigIsPrivateAndWithoutCri() {
        String toml = Containerd.config(tmp);
        assertThat(toml).contains("root = \"" + tmp.resolve("root") + "\"")
                .contains("state = \"" + tmp.resolve("state") + "\"")
                .contains("\"io.containerd.grpc.v1.cri\"").contains("\"io.containerd.internal.v1.opt\"")
                .contains("address = \"/run/containerd/containerd.sock\"");
    }

    @Test
    void podmanUsesTheTestsCniDirectoriesAndTheSandboxFriendlySettings() throws Exception {
        PodNetworkConf net = PodNetworkConf.in(tmp);
        String conf = Podman.containersConf(tmp, new CniPlugins("x", Path.of("/plugins")), net);
        assertThat(conf).contains("network_backend = \"cni\"").contains("cni_plugin_dirs = [\"/plugins\"]")
                .contains("network_config_dir = \"" + net.confDir() + "\"").contains("cgroup_manager = \"cgroupfs\"")
                .contains("events_logger = \"file\"").contains("default_ulimits");
        assertThat(Podman.storageConf(tmp)).contains("driver = \"vfs\"");
    }

    @Test
    void busyboxRootfsHasTheAppletsTheTestsRun() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(BusyboxRootfs.BUSYBOX));
        Path root = BusyboxRootfs.build(tmp.resolve("rootfs"));
        for (String applet : List.of("sh", "sleep", "ip", "ping")) {
            assertThat(Files.readSymbolicLink(root.resolve("bin").resolve(applet))).isEqualTo(Path.of("busybox"));
        }
        assertThat(root.resolve("bin/busybox")).isExecutable();
    }
}
