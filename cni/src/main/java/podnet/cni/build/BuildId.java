package podnet.cni.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A short digest of the plugin classpath's bytes. The AOT cache is named by it: JDK 25 silently
 * serves stale classes from a cache made for an older jar at the same path, so a rebuilt jar
 * must never find the old cache under the name it looks for.
 */
public final class BuildId {
    private BuildId() {}

    public static String of(List<Path> classpath) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : classpath) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                            sha.update(f.toString().getBytes());
                            digest(sha, f);
                        }
                    }
                } else {
                    digest(sha, p);
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException("hash the plugin classpath", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void digest(MessageDigest sha, Path file) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
    }
}
