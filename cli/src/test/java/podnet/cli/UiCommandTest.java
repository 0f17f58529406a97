package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code podnet ui}: bad --listen values and a missing node fail before anything is served. */
class UiCommandTest {
    @Test
    void badListenAddressesAreUsageErrors() {
        Podnet p = new Podnet();
        assertThat(p.run("ui", "--listen", "7474").err()).contains("give HOST:PORT");
        assertThat(p.run("ui", "--listen", "127.0.0.1:99999").err()).contains("the port must be 0..65535");
        assertThat(p.run("ui", "--listen", "127.0.0.1:x").exit()).isEqualTo(2);
        assertThat(p.run("ui", "--listen", "example.com:80").err()).contains("give an IP address");
    }

    @Test
    void aMissingNodeNamespace() {
        Podnet.Result r = new Podnet().run("ui", "-n", "no-such-node-ui", "--listen", "127.0.0.1:0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("does not exist").contains("podnet: hint:");
    }
}
