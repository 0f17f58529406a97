package podnet.linux.inet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
    @Test
    void parsesAndPrintsLowerCaseColonSeparated() {
        MacAddress m = MacAddress.parse("02:AB:cd:0:1:ff");
        assertThat(m).hasToString("02:ab:cd:00:01:ff");
        assertThat(MacAddress.parse("02-ab-cd-00-01-ff")).isEqualTo(m);
        assertThat(m.hashCode()).isEqualTo(MacAddress.parse("02:ab:cd:00:01:ff").hashCode());
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] raw = {2, 0, 0, 0, 0, 1};
        MacAddress m = new MacAddress(raw);
        raw[5] = 9;
        assertThat(m).hasToString("02:00:00:00:00:01");
        m.bytes()[0] = 7;
        assertThat(m).hasToString("02:00:00:00:00:01");
    }

    @Test
    void randomLocalIsUnicastAndLocallyAdministered() {
        for (int i = 0; i < 100; i++) {
            MacAddress m = MacAddress.randomLocal();
            assertThat(m.isMulticast()).isFalse();
            assertThat(m.bytes()[0] & 0x02).isEqualTo(2);
        }
        assertThat(MacAddress.parse("01:00:5e:00:00:01").isMulticast()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:00:00:00", "02:00:00:00:00:00:00", "02:00:00:00:00:0g",
            "02:00:00:00:00:100", "02::00:00:00:00", "02:00:00:00:00:+1"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid MAC address");
    }

    @Test
    void rejectsTheWrongLength() {
        assertThatThrownBy(() -> new MacAddress(new byte[5])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 bytes");
    }
}
