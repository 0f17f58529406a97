package podnet.cni.spec;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The common part of a plugin's network configuration: version, name, type, prevResult,
 * runtimeConfig and args. Plugin-specific keys are read from {@link #raw()}.
 */
public record NetConf(String cniVersion, String name, String type, Map<String, Object> raw,
        Result prevResult, Map<String, Object> runtimeConfig, Map<String, Object> args) {
    private static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public static NetConf parse(byte[] stdin) {
        return of(Json.parseObject(stdin, "network configuration"));
    }

    /** The config from stdin already parsed into {@code m}. */
    public static NetConf of(Map<String, Object> m) {
        String version = Versions.choose(Json.str(m, "cniVersion", null), Json.strings(m, "cniVersions"));
        String name = Json.str(m, "name", null);
        if (name == null || name.isEmpty()) {
            throw CniError.config("network configuration: \"name\" missing");
        }
        validateName(name);
        String type = Json.str(m, "type", "");
        Map<String, Object> prev = Json.object(m, "prevResult");
        Result prevResult = prev == null ? null : Result.fromJson(prev, version);
        Map<String, Object> rc = Json.object(m, "runtimeConfig");
        return new NetConf(version, name, type, m, prevResult, rc == null ? Map.of() : rc, Json.object(m, "args"));
    }

    public static void validateName(String name) {
        if (!NETWORK_NAME.matcher(name).matches() || name.length() > 255) {
            throw CniError.config("network name \"" + name
                    + "\" is invalid: letters, digits, '_', '.', '-', starting with a letter or digit");
        }
    }

    /** The version negotiated for VERSION: the caller's if we support it. */
    public static String versionOnly(byte[] stdin) {
        if (stdin == null || stdin.length == 0) {
            return Versions.LATEST;
        }
        try {
            return versionOf(Json.parseObject(stdin, "stdin"));
        } catch (CniError e) {
            return Versions.LATEST;
        }
    }

    /** The caller's cniVersion when we support it, else the latest: what an error is answered in. */
    public static String versionOf(Map<String, Object> m) {
        Object v = m.get("cniVersion");
        return v instanceof String s && Versions.supported(s) ? s : Versions.LATEST;
    }

    /** {@code args.cni.<key>} (the "args" convention), or null. */
    public Object cniArg(String key) {
        Map<String, Object> cni = args == null ? null : Json.object(args, "cni");
        return cni == null ? null : cni.get(key);
    }

    /** The GC attachment list: {@code cni.dev/valid-attachments} or the older {@code cni.dev/attachments}. */
    public List<Attachment> validAttachments() {
        List<Object> l = Json.list(raw, "cni.dev/valid-attachments");
        if (l == null) {
            l = Json.list(raw, "cni.dev/attachments");
        }
        if (l == null) {
            throw CniError.config("GC: \"cni.dev/valid-attachments\" missing");
        }
        return l.stream().map(o -> {
            Map<String, Object> a = Json.asObject(o, "cni.dev/valid-attachments[]");
            return new Attachment(Json.str(a, "containerID", ""), Json.str(a, "ifname", ""));
        }).toList();
    }

    public record Attachment(String containerId, String ifName) {}
}
