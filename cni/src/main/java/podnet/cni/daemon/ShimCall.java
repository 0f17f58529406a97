package podnet.cni.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.linux.sys.UnixSocket;

/**
 * One plugin call as the exec shim forwards it (see cni/src/main/c/podnet-shim.c):
 * {@code "PNC1" u32 nEnv {u32 len, "K=V"}* u32 len plugin u32 len stdin}, native byte order.
 */
public record ShimCall(String plugin, Map<String, String> env, byte[] stdin) {
    static final byte[] MAGIC = {'P', 'N', 'C', '1'};
    /** Bounds on what a well-behaved shim sends; anything larger is refused, not allocated. */
    static final int MAX_ITEM = 64 << 20, MAX_ENV = 4096;

    static ShimCall read(UnixSocket s) {
        byte[] magic = s.readFully(4);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not a podnet shim request");
        }
        int nEnv = u32(s);
        if (nEnv < 0 || nEnv > MAX_ENV) {
            throw new IllegalArgumentException("too many environment variables: " + nEnv);
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < nEnv; i++) {
            String kv = new String(item(s), StandardCharsets.UTF_8);
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        String plugin = new String(item(s), StandardCharsets.UTF_8);
        return new ShimCall(plugin, env, item(s));
    }

    /** The reply: {@code u32 exitCode, u32 len, stdout}. */
    static void reply(UnixSocket s, int exitCode, byte[] stdout) {
        ByteBuffer b = ByteBuffer.allocate(8 + stdout.length).order(ByteOrder.nativeOrder());
        b.putInt(exitCode).putInt(stdout.length).put(stdout);
        s.writeFully(b.array());
    }

    private static byte[] item(UnixSocket s) {
        int n = u32(s);
        if (n < 0 || n > MAX_ITEM) {
            throw new IllegalArgumentException("request item too large: " + n);
        }
        return s.readFully(n);
    }

    private static int u32(UnixSocket s) {
        return ByteBuffer.wrap(s.readFully(4)).order(ByteOrder.nativeOrder()).getInt();
    }
}
