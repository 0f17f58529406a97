package podnet.linux.tracefs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventFormatTest {
    @Test
    void kfreeSkbFieldsAndReasonNames() {
        EventFormat f = Formats.kfreeSkb();
        assertThat(f.name()).isEqualTo("kfree_skb");
        assertThat(f.id()).isPositive();
        assertThat(f.fields().get("reason").offset()).isEqualTo(36);
        assertThat(f.fields().get("reason").size()).isEqualTo(4);
        assertThat(f.fields().get("protocol").size()).isEqualTo(2);
        assertThat(f.fields().get("skbaddr").declaration()).isEqualTo("void * skbaddr");
        assertThat(f.symbol("reason", 12)).isEqualTo("NETFILTER_DROP");
        assertThat(f.symbol("reason", 88)).isEqualTo("IP_INNOROUTES");
        assertThat(f.symbol("reason", 58)).isEqualTo("NEIGH_FAILED");
        assertThat(f.symbol("reason", 110)).isEqualTo("VXLAN_VNI_NOT_FOUND");
        assertThat(f.symbol("reason", 9999)).isNull();
        assertThat(f.valueOf("reason", "NOT_SPECIFIED")).isEqualTo(2);
        assertThat(f.valueOf("reason", "NO_SUCH_REASON")).isEqualTo(-1);
    }

    @Test
    void hexValuesAndNestedParentheses() {
        String text = """
                name: demo
                ID: 7
                format:
                \tfield:int x;\toffset:8;\tsize:4;\tsigned:1;
                \tfield:char name[16];\toffset:12;\tsize:16;\tsigned:0;

                print fmt: "%s %s", __print_symbolic(REC->x, { 0x10, "SIXTEEN" }, { 2, "TWO" }), (REC->name)
                """;
        EventFormat f = EventFormat.parse(text);
        assertThat(f.symbol("x", 16)).isEqualTo("SIXTEEN");
        assertThat(f.symbol("x", 2)).isEqualTo("TWO");
        assertThat(f.fields().get("name").size()).isEqualTo(16);
        assertThat(f.fields().get("x").signed()).isTrue();
    }

    @Test
    void notAFormatFile() {
        assertThatThrownBy(() -> EventFormat.parse("hello")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void filterLeavesOutIgnoredReasonsByNumber() {
        EventFormat f = Formats.kfreeSkb();
        assertThat(SkbDropWatch.filter(f, java.util.Set.of("QUEUE_PURGE", "NOT_SPECIFIED", "UNKNOWN_TO_KERNEL")))
                .isEqualTo("reason != 2 && reason != 104");
        assertThat(SkbDropWatch.filter(f, java.util.Set.of())).isEmpty();
    }
}
