package podnet.cni;

import java.nio.charset.StandardCharsets;

/** What a plugin call produced: the exit code and the bytes for stdout (result or error JSON). */
public record CniResponse(int exitCode, byte[] stdout) {
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public boolean ok() {
        return exitCode == 0;
    }
}
