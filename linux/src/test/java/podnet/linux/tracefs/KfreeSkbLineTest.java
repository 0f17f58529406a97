package podnet.linux.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KfreeSkbLineTest {
    private final KfreeSkbLine parser = new KfreeSkbLine(Formats.kfreeSkb(), 1_000_000_000_000L);

    @Test
    void netfilterDrop() {
        SkbDrop d = parser.parse("            ping-8068    [000] ..s1.   616.736567: kfree_skb: skbaddr=00000000991602c6"
                + " rx_sk=0000000000000000 protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP");
        assertThat(d).isNotNull();
        assertThat(d.comm()).isEqualTo("ping");
        assertThat(d.pid()).isEqualTo(8068);
        assertThat(d.cpu()).isZero();
        assertThat(d.protocol()).isEqualTo(0x0800);
        assertThat(d.reason()).isEqualTo("NETFILTER_DROP");
        assertThat(d.location()).isEqualTo("nft_do_chain+0x46f/0x690");
        assertThat(d.function()).isEqualTo("nft_do_chain");
        assertThat(d.timeNanos()).isEqualTo(616_736_567_000L + 1_000_000_000_000L);
    }

    @Test
    void taskNameWithSpacesAndDashes() {
        SkbDrop d = parser.parse(" C1 CompilerThre-6068    [001] .Ns1.   620.157447: kfree_skb: skbaddr=00000000e51dcb8d"
                + " rx_sk=00000000de2b7c5a protocol=2048 location=tcp_data_queue+0x7a5/0xe70 reason: TCP_OLD_DATA");
        assertThat(d.comm()).isEqualTo("C1 CompilerThre");
        assertThat(d.pid()).isEqualTo(6068);
        assertThat(d.cpu()).isEqualTo(1);
        d = parser.parse("     kworker/0:2-14369   [000] b....   619.045535: kfree_skb: skbaddr=000000001df625da"
                + " rx_sk=0000000000000000 protocol=34525 location=vxlan_xmit+0xdb0/0x1630 reason: NO_TX_TARGET");
        assertThat(d.comm()).isEqualTo("kworker/0:2");
        assertThat(d.protocol()).isEqualTo(0x86dd);
    }

    @Test
    void numericReasonIsNamedFromTheFormat() {
        SkbDrop d = parser.parse("  <idle>-0 [001] ..s2. 12.5: kfree_skb: skbaddr=0 protocol=2054 location=0xffffffff81000000 reason: 58");
        assertThat(d.reason()).isEqualTo("NEIGH_FAILED");
        assertThat(d.comm()).isEqualTo("<idle>");
        assertThat(d.timeNanos()).isEqualTo(12_500_000_000L + 1_000_000_000_000L);
        assertThat(d.function()).isEqualTo("0xffffffff81000000");
    }

    @Test
    void otherLinesAreNotEvents() {
        assertThat(parser.parse("CPU:1 [LOST 12 EVENTS]")).isNull();
        assertThat(parser.parse("")).isNull();
        assertThat(parser.parse("  sh-1 [000] ..... 1.000001: consume_skb: skbaddr=0")).isNull();
    }

    @Test
    void monotonicToWallClockOffsetIsSane() {
        long offset = KfreeSkbLine.monoToWallNanos();
        long wall = System.nanoTime() + offset;
        assertThat(Math.abs(wall - System.currentTimeMillis() * 1_000_000L)).isLessThan(50_000_000L);
    }
}
