package podnet.linux.inet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void parsesIpv4AndIpv6() {
        Cidr v4 = Cidr.parse("10.244.2.7/24");
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4.prefixLength()).isEqualTo(24);
        assertThat(v4.bits()).isEqualTo(32);
        assertThat(v4).hasToString("10.244.2.7/24");
        Cidr v6 = Cidr.parse("fd00:10:0:0::1/64");
        assertThat(v6.isIpv4()).isFalse();
        assertThat(v6).hasToString("fd00:10::1/64");
    }

    @Test
    void aBareAddressIsAHostPrefix() {
        assertThat(Cidr.parse("192.168.1.1").prefixLength()).isEqualTo(32);
        assertThat(Cidr.parse("::1").prefixLength()).isEqualTo(128);
    }

    @Test
    void networkAndLastAddress() {
        Cidr c = Cidr.parse("10.244.2.7/24");
        assertThat(c.network()).isEqualTo(Cidr.parse("10.244.2.0/24"));
        assertThat(Cidr.text(c.lastAddress())).isEqualTo("10.244.2.255");
        assertThat(Cidr.parse("10.1.2.3/0").network()).hasToString("0.0.0.0/0");
        assertThat(Cidr.parse("10.1.2.3/31").network()).hasToString("10.1.2.2/31");
        assertThat(Cidr.parse("fd00::1:2/112").network()).hasToString("fd00::1:0/112");
        assertThat(Cidr.text(Cidr.parse("fd00::/64").lastAddress())).isEqualTo("fd00::ffff:ffff:ffff:ffff");
    }

    @Test
    void containsAndOverlaps() {
        Cidr net = Cidr.parse("10.244.0.0/16");
        assertThat(net.contains(Cidr.parseAddress("10.244.255.1"))).isTrue();
        assertThat(net.contains(Cidr.parseAddress("10.245.0.1"))).isFalse();
        assertThat(net.contains(Cidr.parseAddress("::1"))).isFalse();
        assertThat(net.overlaps(Cidr.parse("10.244.2.0/24"))).isTrue();
        assertThat(Cidr.parse("10.244.2.0/24").overlaps(net)).isTrue();
        assertThat(net.overlaps(Cidr.parse("10.0.0.0/16"))).isFalse();
        assertThat(net.overlaps(Cidr.parse("fd00::/8"))).isFalse();
    }

    @Test
    void addressArithmetic() {
        assertThat(Cidr.text(Cidr.add(Cidr.parseAddress("10.0.0.255"), 1))).isEqualTo("10.0.1.0");
        assertThat(Cidr.text(Cidr.add(Cidr.parseAddress("10.0.1.0"), -1))).isEqualTo("10.0.0.255");
        assertThat(Cidr.text(Cidr.add(Cidr.parseAddress("fd00::ffff"), 1))).isEqualTo("fd00::1:0");
        assertThat(Cidr.compare(Cidr.parseAddress("10.0.0.2"), Cidr.parseAddress("10.0.0.10"))).isNegative();
        assertThat(Cidr.compare(Cidr.parseAddress("200.0.0.1"), Cidr.parseAddress("10.0.0.1"))).isPositive();
    }

    @Test
    void textCompressesIpv6LikeEveryoneElse() {
        assertThat(Cidr.text(Cidr.parseAddress("fe80:0:0:0:ff:fe00:b0:0"))).isEqualTo("fe80::ff:fe00:b0:0");
        assertThat(Cidr.text(Cidr.parseAddress("::"))).isEqualTo("::");
        assertThat(Cidr.text(Cidr.parseAddress("fd00:1::2:0:0:3"))).isEqualTo("fd00:1::2:0:0:3");
        assertThat(Cidr.text(Cidr.parseAddress("1:0:2:3:4:5:6:7"))).as("a single zero group stays").isEqualTo("1:0:2:3:4:5:6:7");
    }

    @Test
    void aMappedIpv4AddressKeepsSixteenBytes() {
        assertThat(Cidr.parseAddress("::ffff:10.1.2.3").getAddress()).hasSize(16);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/ 8", "10.0.0/8",
            "10.0.0.256/8", "10.0.0.1.2", "1..2.3", "localhost", "example.com/24", "fd00::1/129",
            "fd00::g/64", "10.0.0.1/1234", "1:2:3:4:5:6:7:8:9"})
    void rejectsWhatIsNotANumericCidr(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .message().satisfiesAnyOf(
                        m -> assertThat(m).contains("invalid CIDR \"" + text + "\""),
                        m -> assertThat(m).isEqualTo("empty CIDR"));
    }

    @Test
    void aPrefixLengthOutOfRangeIsRefusedByTheRecordToo() {
        assertThatThrownBy(() -> new Cidr(Cidr.parseAddress("10.0.0.1"), 33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33");
        assertThatThrownBy(() -> Cidr.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
