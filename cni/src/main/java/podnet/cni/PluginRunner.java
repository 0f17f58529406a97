package podnet.cni;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.cni.bridge.Bridge;
import podnet.cni.ipam.HostLocal;
import podnet.cni.loopback.Loopback;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniEnv;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.Command;
import podnet.cni.spec.Delegation;
import podnet.cni.spec.Json;
import podnet.cni.spec.Limits;
import podnet.cni.spec.Log;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.cni.spec.Versions;
import podnet.linux.sys.Errno;
import podnet.linux.sys.SysException;

/**
 * The one way into our plugins, whatever the front door (one-shot executable, daemon,
 * in-process runtime): CNI env + stdin in, exit code + stdout out. Never throws. The host side
 * of the call is the calling thread's network namespace.
 */
public final class PluginRunner {
    private PluginRunner() {}

    public static final java.util.List<String> PLUGINS = java.util.List.of("bridge", "host-local", "loopback");

    /** A call from podnet's own runtime: delegated plugins of our types run in this JVM too. */
    public static CniResponse run(String plugin, Map<String, String> env, byte[] stdin) {
        return run(plugin, env, stdin, Delegation.IN_PROCESS);
    }

    /**
     * A call to an executable (the one-shot JVM, or podnetd for a shim): delegated plugins are
     * found in CNI_PATH like the reference finds them.
     */
    public static CniResponse runExecutable(String plugin, Map<String, String> env, byte[] stdin) {
        return run(plugin, env, stdin, Delegation.CNI_PATH);
    }

    public static CniResponse run(String plugin, Map<String, String> env, byte[] stdin, Delegation delegation) {
        String version = null;
        try {
            Limits.checkStdin(stdin.length);
            Limits.checkEnv(env);
            CniPlugin p = plugin(plugin);
            CniEnv e = CniEnv.parse(env);
            if (e.command() == Command.VERSION) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cniVersion", NetConf.versionOnly(stdin));
                m.put("supportedVersions", Versions.SUPPORTED);
                return new CniResponse(0, Json.write(m));
            }
            Map<String, Object> raw = Json.parseObject(stdin, "network configuration"); // the one parse
            version = NetConf.versionOf(raw);
            NetConf conf = NetConf.of(raw);
            version = conf.cniVersion();
            Call call = new Call(e, conf, stdin, env, delegation);
            switch (e.command()) {
                case ADD -> {
                    Result r = p.add(call);
                    return new CniResponse(0, Json.write(r.toJson(conf.cniVersion())));
                }
                case DEL -> p.del(call);
                case CHECK -> {
                    if (!Versions.atLeast(conf.cniVersion(), "0.4.0")) {
                        throw new CniError(CniError.INCOMPATIBLE_VERSION, "config version " + conf.cniVersion()
                                + " does not allow CHECK (needs 0.4.0 or later)");
                    }
                    p.check(call);
                }
                case GC -> {
                    requireV11(conf, "GC");
                    p.gc(call);
                }
                case STATUS -> {
                    requireV11(conf, "STATUS");
                    p.status(call);
                }
                default -> throw new IllegalStateException();
            }
            return new CniResponse(0, new byte[0]);
        } catch (Throwable t) {
            CniError err = toCniError(t);
            Log.error(plugin + ": " + err.getMessage(), t);
            return new CniResponse(1, Json.write(err.toJson(version)));
        }
    }

    private static void requireV11(NetConf conf, String what) {
        if (!Versions.atLeast(conf.cniVersion(), "1.1.0")) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "config version " + conf.cniVersion()
                    + " does not allow " + what + " (needs 1.1.0)");
        }
    }

    static CniPlugin plugin(String name) {
        return switch (name == null ? "" : name) {
            case "bridge" -> new Bridge();
            case "host-local" -> new HostLocal();
            case "loopback" -> new Loopback();
            default -> throw new CniError(CniError.INVALID_CONFIG, "unknown plugin \"" + name
                    + "\" (this program provides bridge, host-local and loopback)");
        };
    }

    /** Maps anything thrown to the spec's error codes. */
    public static CniError toCniError(Throwable t) {
        if (t instanceof CniError c) {
            return c;
        }
        if (t instanceof SysException s && (s.is(Errno.EAGAIN) || s.is(Errno.EBUSY))) {
            return new CniError(CniError.TRY_AGAIN_LATER, s.getMessage(), null, t);
        }
        if (t instanceof UncheckedIOException || t instanceof IOException) {
            return new CniError(CniError.IO_FAILURE, String.valueOf(t.getMessage()), null, t);
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        return new CniError(CniError.INTERNAL, msg, null, t);
    }
}
