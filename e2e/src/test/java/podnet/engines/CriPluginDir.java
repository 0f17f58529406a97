package podnet.engines;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What containerd's CRI plugin is given: a plugin directory with copies of a set's
 * {@code bridge}, {@code host-local}, {@code portmap} (and podnet's one-shot launcher), plus a
 * {@code loopback} that first logs the CNI_ARGS it was called with (the proof that the
 * Kubernetes pod arguments reached a plugin), and a conflist bridge → portmap → loopback, as
 * a kubelet's node has (flannel's default chain has portmap too).
 */
record CriPluginDir(Path bin, Path conf, Path argsLog) {
    static final List<String> COPIED = List.of("bridge", "host-local", "portmap", "podnet-oneshot");

    static CriPluginDir create(CniPlugins set, PodNetworkConf net, Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path real = Files.createDirectories(dir.resolve("real"));
        for (String p : COPIED) {
            Path src = set.dir().resolve(p);
            if (Files.isRegularFile(src)) {
                Files.copy(src, bin.resolve(p), StandardCopyOption.COPY_ATTRIBUTES);
            } else if (!p.equals("podnet-oneshot")) {
                throw new IllegalStateException(set + " has no " + p);
            }
        }
        Files.copy(set.dir().resolve("loopback"), real.resolve("loopback"), StandardCopyOption.COPY_ATTRIBUTES);
        if (Files.exists(bin.resolve("podnet-oneshot"))) {
            // podnet's shim falls back to the one-shot launcher next to itself
            Files.copy(bin.resolve("podnet-oneshot"), real.resolve("podnet-oneshot"), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path log = dir.resolve("cni-args.log");
        Path wrapper = bin.resolve("loopback");
        Files.writeString(wrapper, """
                #!/bin/sh
                printf '%%s %%s\\n' "$CNI_COMMAND" "$CNI_ARGS" >> %s
                exec %s "$@"
                """.formatted(PrivateMounts.quote(log), PrivateMounts.quote(real.resolve("loopback"))));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(conf.resolve(PodNetworkConf.CONFLIST), withPortmap(net.json()));
        return new CriPluginDir(bin, conf, log);
    }

    /** The pod network's conflist with portmap after bridge (unless it has one already). */
    @SuppressWarnings("unchecked")
    static String withPortmap(String conflist) throws IOException {
        Map<String, Object> m = JSON.std.mapFrom(conflist);
        List<Object> plugins = new ArrayList<>((List<Object>) m.get("plugins"));
        if (plugins.stream().noneMatch(p -> "portmap".equals(((Map<String, Object>) p).get("type")))) {
            Map<String, Object> portmap = new LinkedHashMap<>();
            portmap.put("type", "portmap");
            portmap.put("capabilities", Map.of("portMappings", true));
            plugins.add(1, portmap);
        }
        m.put("plugins", plugins);
        return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(m);
    }

    List<String> argsCalls() throws IOException {
        return Files.exists(argsLog) ? Files.readAllLines(argsLog) : List.of();
    }
}
