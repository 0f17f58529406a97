package podnet.cni.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every podnet class of the plugin classpath when podnetd starts. The JVM loads classes
 * lazily, and a class that cannot be loaded once (its file not opened: EMFILE, the very
 * condition the daemon must ride out) leaves a NoClassDefFoundError behind for good: the
 * constant pool entry stays failed. Loaded up front, nothing on the serving path needs a file.
 */
final class ClassPreload {
    private ClassPreload() {}

    /** Loads (without initialising) the podnet classes in {@code classpath}; returns how many. */
    static int podnetClasses(List<Path> classpath) {
        int n = 0;
        ClassLoader loader = ClassPreload.class.getClassLoader();
        for (Path p : classpath) {
            for (String name : classNames(p)) {
                try {
                    Class.forName(name, false, loader);
                    n++;
                } catch (Throwable t) {
                    // not loadable here (a stray class file): it would not be used either
                }
            }
        }
        return n;
    }

    private static List<String> classNames(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p.resolve("podnet"))) {
                    return s.map(f -> p.relativize(f).toString()).filter(ClassPreload::isClass).map(ClassPreload::name).toList();
                }
            }
            try (JarFile jar = new JarFile(p.toFile())) {
                java.util.ArrayList<String> out = new java.util.ArrayList<>();
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String f = e.nextElement().getName();
                    if (f.startsWith("podnet/") && isClass(f)) {
                        out.add(name(f));
                    }
                }
                return out;
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static boolean isClass(String file) {
        return file.endsWith(".class") && !file.endsWith("module-info.class") && !file.endsWith("package-info.class");
    }

    private static String name(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.');
    }
}
