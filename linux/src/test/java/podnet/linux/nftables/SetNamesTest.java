package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SetNamesTest {
    @Test
    void plainNamesStayReadable() {
        assertThat(SetNames.of("mynet", false)).isEqualTo("pn4-mynet");
        assertThat(SetNames.of("k8s-pod-network", true)).isEqualTo("pn6-k8s-pod-network");
        assertThat(SetNames.of("cbr0.v1_x", false)).isEqualTo("pn4-cbr0.v1_x");
    }

    @Test
    void otherCharactersAreReplacedAndHashed() {
        String a = SetNames.of("my net", false);
        String b = SetNames.of("my/net", false);
        assertThat(a).startsWith("pn4-my_net-").matches("[A-Za-z0-9_.-]+");
        assertThat(b).startsWith("pn4-my_net-").isNotEqualTo(a);
        assertThat(SetNames.of("my net", false)).as("stable").isEqualTo(a);
    }

    @Test
    void longNamesAreCutWithAHash() {
        String longName = "n".repeat(200);
        String s = SetNames.of(longName, false);
        assertThat(s.length()).isLessThanOrEqualTo(4 + SetNames.MAX_NAME);
        assertThat(s).isNotEqualTo(SetNames.of("n".repeat(199), false));
    }

    @Test
    void emptyNameIsRefused() {
        assertThatThrownBy(() -> SetNames.of("", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SetNames.of(null, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
