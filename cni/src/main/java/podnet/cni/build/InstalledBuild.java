package podnet.cni.build;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Which build an installed executable belongs to. {@code podnet cni install} appends a trailer
 * {@code "\n# podnet-build ID\n"} to every executable it writes (the shim's ELF ignores trailing
 * bytes, the scripts read it as a comment), ID being the {@link BuildId} of the plugin jars.
 * The bridge runs host-local in its own JVM only when the host-local it would exec is such a
 * file of the running build: any other program there (a wrapper, the reference, another build)
 * is exec'd, as the reference would.
 */
public final class InstalledBuild {
    private InstalledBuild() {}

    /** Where the installer keeps each build's jars: {@code <binDir>/podnet-lib/<build id>/}. */
    public static final String LIB_DIR = "podnet-lib";
    private static final String MARK = "\n# podnet-build ";
    private static final int TAIL = 64;

    public static byte[] trailer(String buildId) {
        return (MARK + buildId + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The build id in {@code executable}'s trailer, or null if it has none (not written by our installer). */
    public static String of(Path executable) {
        try (FileChannel ch = FileChannel.open(executable, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(TAIL, size));
            ch.read(b, size - b.capacity());
            String tail = new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
            int at = tail.lastIndexOf(MARK);
            if (at < 0 || !tail.endsWith("\n")) {
                return null;
            }
            String id = tail.substring(at + MARK.length(), tail.length() - 1);
            return id.matches("[0-9a-f]{16}") ? id : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether {@code executable} was installed from the build this JVM runs. */
    public static boolean isCurrent(Path executable) {
        String id = of(executable);
        return id != null && id.equals(current());
    }

    /** The running build's id: the installed jars' directory name when we run from it, else the digest. */
    public static String current() {
        return Current.ID;
    }

    private static final class Current {
        static final String ID = compute(PluginClasspath.of());
    }

    static String compute(List<Path> classpath) {
        Path dir = classpath.getFirst().getParent();
        boolean installed = dir != null && dir.getParent() != null
                && dir.getParent().getFileName().toString().equals(LIB_DIR)
                && dir.getFileName().toString().matches("[0-9a-f]{16}");
        for (Path p : classpath) {
            installed &= dir != null && dir.equals(p.getParent());
        }
        // The installer names that directory by the digest of the very jars in it: no need to hash again.
        return installed ? dir.getFileName().toString() : BuildId.of(classpath);
    }
}
