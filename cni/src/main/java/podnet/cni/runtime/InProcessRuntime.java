package podnet.cni.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import podnet.cni.CniResponse;
import podnet.cni.spec.Log;
import podnet.cni.PluginRunner;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Exec;
import podnet.cni.spec.Json;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Versions;

/**
 * libcni in this JVM: a conflist's plugins in order for ADD (prevResult chained), in reverse for
 * DEL, CHECK against the cached result. Our plugin types go through {@link PluginRunner} on the
 * calling thread (whose netns is the host side); other types are exec'd from {@link #binDirs()}
 * with the CNI environment, so the reference {@code portmap} or {@code tuning} chain after ours.
 */
public final class InProcessRuntime implements CniRuntime {
    public static final Path DEFAULT_CACHE = Path.of("/var/lib/cni/results");

    private final List<Path> binDirs;
    private final Path cacheDir;
    /** How long one exec'd plugin may take before it is killed ({@link Exec#TIMEOUT}; tests set less). */
    private final Duration execTimeout;

    public InProcessRuntime(List<Path> binDirs, Path cacheDir) {
        this(binDirs, cacheDir, Exec.TIMEOUT);
    }

    InProcessRuntime(List<Path> binDirs, Path cacheDir, Duration execTimeout) {
        this.binDirs = List.copyOf(binDirs);
        this.cacheDir = cacheDir;
        this.execTimeout = execTimeout;
    }

    public InProcessRuntime(List<Path> binDirs) {
        this(binDirs, DEFAULT_CACHE);
    }

    @Override
    public List<Path> binDirs() {
        return binDirs;
    }

    /** A parsed conflist: its name, chosen version, plugin configs and raw bytes. */
    record ConfList(String name, String version, List<Map<String, Object>> plugins, byte[] raw) {}

    ConfList load(Path conflist) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(conflist);
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot read " + conflist + ": " + e.getMessage(), null, e);
        }
        Map<String, Object> m = Json.parseObject(raw, conflist.toString());
        String name = Json.str(m, "name", null);
        if (name == null || name.isEmpty()) {
            throw CniError.config(conflist + ": \"name\" missing");
        }
        NetConf.validateName(name);
        List<Object> pl = Json.list(m, "plugins");
        List<Map<String, Object>> plugins = new ArrayList<>();
        if (pl == null) {
            plugins.add(m); // a single-plugin .conf
        } else {
            for (Object o : pl) {
                plugins.add(Json.asObject(o, conflist + ": plugins[]"));
            }
        }
        if (plugins.isEmpty()) {
            throw CniError.config(conflist + ": \"plugins\" is empty");
        }
        for (Map<String, Object> p : plugins) {
            String t = Json.str(p, "type", null);
            if (t == null || t.isEmpty()) {
                throw CniError.config(conflist + ": a plugin has no \"type\"");
            }
        }
        return new ConfList(name, chooseVersion(m, plugins), plugins, raw);
    }

    /**
     * The conflist's cniVersion; with a {@code cniVersions} array, the highest version every
     * plugin in the list supports (exec'd plugins are asked with VERSION).
     */
    private String chooseVersion(Map<String, Object> m, List<Map<String, Object>> plugins) {
        List<String> offered = Json.strings(m, "cniVersions");
        String declared = Json.str(m, "cniVersion", null);
        if (offered == null || offered.isEmpty()) {
            Versions.require(declared);
            return declared;
        }
        List<String> candidates = new ArrayList<>(offered.stream().filter(Versions::supported).toList());
        for (Map<String, Object> p : plugins) {
            String type = Json.str(p, "type", "");
            if (PluginRunner.PLUGINS.contains(type)) {
                continue;
            }
            Optional<Path> bin = Exec.find(type, binDirs);
            if (bin.isEmpty()) {
                continue; // reported when the plugin runs
            }
            Map<String, String> env = Map.of("CNI_COMMAND", "VERSION");
            Exec.Output o = Exec.run(bin.get(), env, "{\"cniVersion\":\"0.4.0\"}".getBytes(StandardCharsets.UTF_8),
                    execTimeout);
            if (o.exitCode() == 0) {
                List<String> sup = Json.strings(Json.parseObject(o.stdout(), type + " VERSION"), "supportedVersions");
                if (sup != null) {
                    candidates.retainAll(sup);
                }
            }
        }
        String best = null;
        for (String v : candidates) {
            if (best == null || Versions.compare(v, best) > 0) {
                best = v;
            }
        }
        if (best != null) {
            return best;
        }
        Versions.require(declared);
        return declared;
    }

    /** Like libcni: the process environment (PATH: portmap runs iptables) plus CNI_COMMAND and CNI_PATH. */
    private Map<String, String> listEnv(String command) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", String.join(":", binDirs.stream().map(Path::toString).toList()));
        return env;
    }

    /** A list-wide call's stdin (GC, STATUS): the plugin's keys with the list's name and a version. */
    private static Map<String, Object> listPluginConfig(ConfList list, Map<String, Object> plugin, String version) {
        Map<String, Object> c = new LinkedHashMap<>(plugin);
        c.put("cniVersion", version);
        c.put("name", list.name());
        c.remove("cniVersions");
        return c;
    }

    private Map<String, String> env(String command, Attachment a) {
        Map<String, String> env = listEnv(command);
        env.put("CNI_CONTAINERID", a.containerId());
        env.put("CNI_NETNS", a.netns() == null ? "" : a.netns().toString());
        env.put("CNI_IFNAME", a.ifName());
        StringBuilder args = new StringBuilder();
        if (a.args() != null) {
            a.args().forEach((k, v) -> args.append(args.isEmpty() ? "" : ";").append(k).append('=').append(v));
        }
        env.put("CNI_ARGS", args.toString());
        return env;
    }

    /** One plugin's stdin: its own keys plus name, cniVersion, runtimeConfig and prevResult. */
    @SuppressWarnings("unchecked")
    private static byte[] pluginConfig(ConfList list, Map<String, Object> plugin, Attachment a, Object prevResult) {
        Map<String, Object> c = new LinkedHashMap<>(plugin);
        c.put("cniVersion", list.version());
        c.put("name", list.name());
        c.remove("cniVersions");
        Map<String, Object> caps = Json.object(plugin, "capabilities");
        if (caps != null && a.capabilityArgs() != null) {
            Map<String, Object> rc = new LinkedHashMap<>();
            caps.forEach((k, v) -> {
                if (Boolean.TRUE.equals(v) && a.capabilityArgs().containsKey(k)) {
                    rc.put(k, a.capabilityArgs().get(k));
                }
            });
            if (!rc.isEmpty()) {
                c.put("runtimeConfig", rc);
            }
        }
        if (prevResult != null) {
            c.put("prevResult", prevResult);
        }
        return Json.write(c);
    }

    private CniResponse invoke(String type, Map<String, String> env, byte[] stdin) {
        if (PluginRunner.PLUGINS.contains(type)) {
            return PluginRunner.run(type, env, stdin);
        }
        Path bin = Exec.require(type, binDirs);
        Exec.Output o = Exec.run(bin, env, stdin, execTimeout);
        if (!o.stderr().isBlank()) {
            System.err.print(o.stderr());
        }
        return new CniResponse(o.exitCode(), o.stdout());
    }

    private static CniError error(String type, String command, CniResponse r) {
        try {
            Map<String, Object> m = Json.parseObject(r.stdout(), type + " error");
            return new CniError(Json.integer(m, "code", CniError.INTERNAL),
                    "plugin type=\"" + type + "\" " + command + ": " + Json.str(m, "msg", ""), Json.str(m, "details", null), null);
        } catch (CniError e) {
            return new CniError(CniError.INTERNAL, "plugin type=\"" + type + "\" " + command + " failed with exit "
                    + r.exitCode() + ": " + r.stdoutText());
        }
    }

    @Override
    public String add(Path conflist, Attachment a) {
        ConfList list = load(conflist);
        Object prev = null;
        for (Map<String, Object> p : list.plugins()) {
            String type = Json.str(p, "type", "");
            CniResponse r;
            CniError e = null;
            try {
                r = invoke(type, env("ADD", a), pluginConfig(list, p, a, prev));
                if (!r.ok()) {
                    e = error(type, "ADD", r);
                }
            } catch (CniError thrown) {
                e = new CniError(thrown.code(), "plugin type=\"" + type + "\" ADD: " + thrown.getMessage());
                r = null;
            }
            if (e != null) {
                try {
                    del(list, a, null);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            prev = Json.parseObject(r.stdout(), type + " result");
        }
        String result = Json.writeString(prev);
        writeCache(list, a, prev);
        return result;
    }

    @Override
    public void del(Path conflist, Attachment a) {
        ConfList list = load(conflist);
        del(list, a, readCache(list, a).orElse(null));
        deleteCache(list, a);
    }

    private void del(ConfList list, Attachment a, Object cached) {
        CniError first = null;
        for (int i = list.plugins().size() - 1; i >= 0; i--) {
            Map<String, Object> p = list.plugins().get(i);
            String type = Json.str(p, "type", "");
            CniResponse r;
            try {
                r = invoke(type, env("DEL", a), pluginConfig(list, p, a, cached));
            } catch (CniError e) {
                first = first == null ? e : first;
                continue;
            }
            if (!r.ok()) {
                CniError e = error(type, "DEL", r);
                Log.warn(e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void check(Path conflist, Attachment a) {
        ConfList list = load(conflist);
        if (!Versions.atLeast(list.version(), "0.4.0")) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "configuration version " + list.version() + " does not support CHECK");
        }
        Object cached = readCache(list, a).orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER,
                "no cached result for " + a.containerId() + "/" + a.ifName() + " in network " + list.name()));
        for (Map<String, Object> p : list.plugins()) {
            String type = Json.str(p, "type", "");
            CniResponse r = invoke(type, env("CHECK", a), pluginConfig(list, p, a, cached));
            if (!r.ok()) {
                throw error(type, "CHECK", r);
            }
        }
    }

    /**
     * GC for the list: every plugin gets the attachments that are still valid and releases the
     * rest. Our plugins always take part (they speak 1.1.0); an exec'd plugin only when the list
     * runs at 1.1.0, like libcni. Cached results of other attachments are removed too.
     */
    public void gc(Path conflist, List<Attachment> valid) {
        ConfList list = load(conflist);
        List<Object> atts = new ArrayList<>();
        for (Attachment a : valid) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("containerID", a.containerId());
            m.put("ifname", a.ifName());
            atts.add(m);
        }
        CniError first = null;
        for (Map<String, Object> p : list.plugins()) {
            String type = Json.str(p, "type", "");
            String version = versionFor11(list, type);
            if (version == null) {
                continue;
            }
            Map<String, Object> c = listPluginConfig(list, p, version);
            c.put("cni.dev/valid-attachments", atts);
            c.put("cni.dev/attachments", atts);
            try {
                CniResponse r = invoke(type, listEnv("GC"), Json.write(c));
                if (!r.ok()) {
                    first = first == null ? error(type, "GC", r) : first;
                }
            } catch (CniError e) {
                first = first == null ? e : first;
            }
        }
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (Attachment a : valid) {
            keep.add(list.name() + "-" + a.containerId() + "-" + a.ifName());
        }
        try (var files = Files.newDirectoryStream(cacheDir, list.name() + "-*")) {
            for (Path f : files) {
                if (!keep.contains(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // no cache yet, or unreadable: nothing to collect there
        }
        if (first != null) {
            throw first;
        }
    }

    /** STATUS for the list: the first plugin that is not ready throws its error (50, 51, ...). */
    public void status(Path conflist) {
        ConfList list = load(conflist);
        for (Map<String, Object> p : list.plugins()) {
            String type = Json.str(p, "type", "");
            String version = versionFor11(list, type);
            if (version == null) {
                continue;
            }
            CniResponse r = invoke(type, listEnv("STATUS"), Json.write(listPluginConfig(list, p, version)));
            if (!r.ok()) {
                throw error(type, "STATUS", r);
            }
        }
    }

    private static String versionFor11(ConfList list, String type) {
        if (Versions.atLeast(list.version(), "1.1.0")) {
            return list.version();
        }
        return PluginRunner.PLUGINS.contains(type) ? "1.1.0" : null;
    }

    // ---- the result cache, in libcni's layout: <cacheDir>/<network>-<containerID>-<ifname> ----

    private Path cacheFile(ConfList list, Attachment a) {
        return cacheDir.resolve(list.name() + "-" + a.containerId() + "-" + a.ifName());
    }

    private void writeCache(ConfList list, Attachment a, Object result) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kind", "cniCacheV1");
        c.put("containerId", a.containerId());
        c.put("config", Base64.getEncoder().encodeToString(list.raw()));
        c.put("ifName", a.ifName());
        c.put("networkName", list.name());
        if (a.capabilityArgs() != null && !a.capabilityArgs().isEmpty()) {
            c.put("capabilityArgs", a.capabilityArgs());
        }
        c.put("result", result);
        try {
            Files.createDirectories(cacheDir);
            Path f = cacheFile(list, a);
            Path tmp = Files.createTempFile(cacheDir, ".cache", ".tmp");
            Files.write(tmp, Json.write(c));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Log.warn("cannot write result cache in " + cacheDir + ": " + e.getMessage());
        }
    }

    private Optional<Object> readCache(ConfList list, Attachment a) {
        Path f = cacheFile(list, a);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> c = Json.parseObject(Files.readAllBytes(f), f.toString());
            return Optional.ofNullable(c.get("result"));
        } catch (IOException | CniError e) {
            Log.warn("ignoring unreadable result cache " + f + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private void deleteCache(ConfList list, Attachment a) {
        try {
            Files.deleteIfExists(cacheFile(list, a));
        } catch (IOException e) {
            Log.warn("cannot delete result cache: " + e.getMessage());
        }
    }
}
