package podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A call's phase marks: recorded only between start and end, on the calling thread. */
class PhasesTest {
    @Test
    void marksBetweenStartAndEndAreReportedInOrder() {
        Phases.start();
        Phases.mark("one");
        Phases.mark("two");
        String s = Phases.end();
        assertThat(s).matches("total=[0-9.]+ one=[0-9.]+ two=[0-9.]+");
        assertThat(Phases.end()).as("ended").isNull();
    }

    @Test
    void marksWithoutAStartCostNothingAndLeaveNothing() {
        Phases.mark("ignored");
        assertThat(Phases.end()).isNull();
    }
}
