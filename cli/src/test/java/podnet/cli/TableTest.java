package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void padsColumnsToTheWidestCellLikeKubectl() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Table("NAME", "READY", "IP").row("busybox1", "1/1", "10.244.2.2").row("b", "0/1", null)
                .print(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(buf.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "NAME       READY   IP",
                "busybox1   1/1     10.244.2.2",
                "b          0/1");
    }
}
