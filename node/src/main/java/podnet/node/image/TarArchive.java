package podnet.node.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A POSIX ustar archive built in memory: directories, regular files and symlinks, owned by
 * root, with a fixed modification time so the same input gives the same bytes (and the same
 * layer digest) on every build.
 */
final class TarArchive {
    private static final int BLOCK = 512;
    /** 2026-01-01T00:00:00Z: any fixed time; 0 makes some tools print 1970 dates. */
    static final long MTIME = 1767225600L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarArchive dir(String name, int mode) {
        entry(name.endsWith("/") ? name : name + "/", mode, '5', "", new byte[0]);
        return this;
    }

    TarArchive file(String name, int mode, byte[] content) {
        entry(name, mode, '0', "", content);
        return this;
    }

    TarArchive symlink(String name, String target) {
        entry(name, 0777, '2', target, new byte[0]);
        return this;
    }

    /** The archive with its two zero end blocks. */
    byte[] finish() {
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private void entry(String name, int mode, char type, String link, byte[] content) {
        byte[] h = new byte[BLOCK];
        String prefix = "";
        if (utf8(name).length > 100) {
            // ustar: a long path is split at a '/' into prefix (155) and name (100)
            int cut = name.lastIndexOf('/', name.length() - 2);
            while (cut > 0 && (utf8(name.substring(cut + 1)).length > 100 || utf8(name.substring(0, cut)).length > 155)) {
                cut = name.lastIndexOf('/', cut - 1);
            }
            if (cut <= 0) {
                throw new IllegalArgumentException("path too long for a tar header: " + name);
            }
            prefix = name.substring(0, cut);
            name = name.substring(cut + 1);
        }
        put(h, 0, 100, utf8(name));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, content.length);
        octal(h, 136, 12, MTIME);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, 100, utf8(link));
        put(h, 257, 6, utf8("ustar\0"));
        put(h, 263, 2, utf8("00"));
        put(h, 265, 32, utf8("root"));
        put(h, 297, 32, utf8("root"));
        put(h, 345, 155, utf8(prefix));
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        out.writeBytes(h);
        out.writeBytes(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.writeBytes(new byte[pad]);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        if (v.length > len) {
            throw new IllegalArgumentException("tar header field too long: " + new String(v, StandardCharsets.UTF_8));
        }
        System.arraycopy(v, 0, h, off, v.length);
    }

    /** An octal number, zero padded, NUL terminated, in a field of {@code len} bytes. */
    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("tar header number too large: " + v);
        }
        put(h, off, len, ("0".repeat(len - 1 - s.length()) + s + "\0").getBytes(StandardCharsets.US_ASCII));
    }
}
