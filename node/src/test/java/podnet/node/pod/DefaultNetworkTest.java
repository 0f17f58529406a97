package podnet.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default network: the article's cni0 and 10.244.2.0/24, written once under the state dir. */
class DefaultNetworkTest {
    @TempDir
    Path state;

    @Test
    @SuppressWarnings("unchecked")
    void writesTheArticlesNetworkOnceAndKeepsEdits() throws Exception {
        Path file = DefaultNetwork.ensure(state);
        assertThat(file).isEqualTo(state.resolve("net.d/10-podnet.conflist"));
        Map<String, Object> conf = JSON.std.mapFrom(Files.readString(file));
        assertThat(conf).containsEntry("name", "podnet").containsEntry("cniVersion", "1.0.0");
        List<Map<String, Object>> plugins = (List<Map<String, Object>>) (List<?>) conf.get("plugins");
        assertThat(plugins).extracting(p -> p.get("type")).containsExactly("bridge", "portmap", "loopback");
        assertThat(plugins.get(0)).containsEntry("bridge", "cni0").containsEntry("isGateway", true);
        Map<String, Object> ipam = (Map<String, Object>) plugins.get(0).get("ipam");
        assertThat(ipam).containsEntry("type", "host-local").containsEntry("dataDir", state.resolve("ipam").toString());
        assertThat(Files.readString(file)).contains("10.244.2.0/24");

        Files.writeString(file, Files.readString(file).replace("10.244.2.0/24", "10.244.3.0/24"));
        DefaultNetwork.ensure(state);
        assertThat(Files.readString(file)).contains("10.244.3.0/24");
    }
}
