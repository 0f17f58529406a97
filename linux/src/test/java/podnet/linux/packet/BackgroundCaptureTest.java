package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.packet.decode.Summary;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** A capture on its own thread while the caller pings; nothing reaches the sink after close. */
class BackgroundCaptureTest {
    TestNetns namespaces;
    VethPair pair;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("bgcap");
        Root.assumeProgram("ping");
        pair = VethPair.create(namespaces);
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    @Test
    void seesThePingAndNothingAfterClose() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (BackgroundCapture c = BackgroundCapture.start(pair.netA(), pair.devA(), "bgcap-test",
                p -> seen.add(Summary.of(p.data(), p.wireLength())))) {
            assertThat(Ip.ping(pair.netA().name(), VethPair.B, 1)).isTrue();
            Thread.sleep(2 * CaptureOptions.defaults().blockTimeoutMillis() + 50); // let the last block retire
        }
        assertThat(seen).contains("ARP, Request who-has 10.244.2.208 tell 10.244.2.207, length 28");
        assertThat(seen).anyMatch(l -> l.contains("ICMP echo reply"));
        int after = seen.size();
        assertThat(Ip.ping(pair.netA().name(), VethPair.B, 1)).isTrue();
        Thread.sleep(100);
        assertThat(seen).hasSize(after);
    }

    @Test
    void aMissingDeviceFailsAtStart() {
        assertThatThrownBy(() -> BackgroundCapture.start(pair.netA(), "nosuchdev0", "bgcap-test", p -> {}))
                .hasMessageContaining("nosuchdev0");
    }
}
