package podnet.linux.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceNameTest {
    @Test
    void roundTripAndOwner() {
        InstanceName n = InstanceName.mine("podnet");
        assertThat(n.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(InstanceName.parse(n.text(), "podnet")).isEqualTo(n);
        assertThat(n.ownerAlive()).isTrue();
    }

    @Test
    void aReusedPidIsNotTheOwner() {
        InstanceName n = InstanceName.mine("podnet");
        InstanceName sameBeforeReuse = new InstanceName("podnet", n.pid(), n.startTime() - 1, "abcde");
        assertThat(sameBeforeReuse.ownerAlive()).isFalse();
        assertThat(new InstanceName("podnet", 999_999_999L, 1, "abcde").ownerAlive()).isFalse();
    }

    @Test
    void othersNamesAreLeftAlone() {
        assertThat(InstanceName.parse("foo", "podnet")).isNull();
        assertThat(InstanceName.parse("other-12-34-abc", "podnet")).isNull();
        assertThat(InstanceName.parse("podnet-12-34-xyz", "podnet")).isNull();
        assertThat(InstanceName.parse("podnet-x-12-34-abc", "podnet")).isNull();
        assertThat(InstanceName.parse("podnet-x-12-34-abc", "podnet-x")).isNotNull();
    }
}
