package podnet.node.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void nearestRankPercentilesInMilliseconds() {
        Stats s = Stats.of(LongStream.rangeClosed(1, 100).map(i -> i * 1_000_000L).boxed().toList());
        assertThat(s.median()).isEqualTo(50.0);
        assertThat(s.p90()).isEqualTo(90.0);
        assertThat(s.percentile(99)).isEqualTo(99.0);
        assertThat(Stats.of(List.of(3_000_000L)).percentile(99)).isEqualTo(3.0);
        assertThat(Stats.of(List.of()).median()).isNaN();
    }
}
