package podnet.cni.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Limits;
import podnet.linux.sys.UnixSocket;

/**
 * One plugin call as the exec shim forwards it (see cni/src/main/c/podnet-shim.c):
 * {@code "PNC1" u32 nEnv {u32 len, "K=V"}* u32 len plugin u32 len stdin}, native byte order.
 * Every length is checked against {@link Limits} before anything is allocated for it, and
 * charged to the daemon's {@link MemoryBudget}.
 */
public record ShimCall(String plugin, Map<String, String> env, byte[] stdin) {
    static final byte[] MAGIC = {'P', 'N', 'C', '1'};
    static final int MAX_PLUGIN_NAME = 255;

    /** A request the daemon refuses, with the CNI code to answer it with. */
    static final class BadRequest extends RuntimeException {
        final int code;

        BadRequest(int code, String msg) {
            super(msg);
            this.code = code;
        }
    }

    /** Reads one request; what it holds is charged to {@code charge} (released by the caller). */
    static ShimCall read(UnixSocket s, MemoryBudget.Charge charge) {
        byte[] magic = s.readFully(4);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new BadRequest(CniError.DECODING_FAILURE, "not a podnet shim request (bad magic)");
        }
        int nEnv = u32(s);
        if (nEnv < 0 || nEnv > Limits.MAX_ENV_VARS) {
            throw new BadRequest(CniError.DECODING_FAILURE, Limits.tooMuchEnv(Integer.toUnsignedString(nEnv)
                    + " variables (the limit is " + Limits.MAX_ENV_VARS + ")").getMessage());
        }
        Map<String, String> env = new LinkedHashMap<>();
        long envBytes = 0;
        for (int i = 0; i < nEnv; i++) {
            int n = u32(s);
            envBytes += Integer.toUnsignedLong(n);
            if (n < 0 || envBytes > Limits.MAX_ENV_BYTES) {
                throw new BadRequest(CniError.DECODING_FAILURE, Limits.tooMuchEnv("more than "
                        + Limits.MAX_ENV_BYTES + " bytes").getMessage());
            }
            charge.add(n);
            String kv = new String(s.readFully(n), StandardCharsets.UTF_8);
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        int n = u32(s);
        if (n < 0 || n > MAX_PLUGIN_NAME) {
            throw new BadRequest(CniError.DECODING_FAILURE, "plugin name too long: " + Integer.toUnsignedString(n) + " bytes");
        }
        String plugin = new String(s.readFully(n), StandardCharsets.UTF_8);
        n = u32(s);
        if (n < 0 || n > Limits.MAX_STDIN) {
            throw new BadRequest(CniError.DECODING_FAILURE, "stdin is too large: more than " + Limits.MAX_STDIN + " bytes");
        }
        charge.add(n);
        return new ShimCall(plugin, env, s.readFully(n));
    }

    /** The reply: {@code u32 exitCode, u32 len, stdout}. */
    static void reply(UnixSocket s, int exitCode, byte[] stdout) {
        ByteBuffer b = ByteBuffer.allocate(8 + stdout.length).order(ByteOrder.nativeOrder());
        b.putInt(exitCode).putInt(stdout.length).put(stdout);
        s.writeFully(b.array());
    }

    private static int u32(UnixSocket s) {
        return ByteBuffer.wrap(s.readFully(4)).order(ByteOrder.nativeOrder()).getInt();
    }
}
