package podnet.cni.daemon;

import java.io.PrintStream;
import java.util.Map;
import podnet.cni.CniResponse;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.cni.spec.NetConf;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.SysException;
import podnet.linux.sys.UnixSocket;

/**
 * One shim's call on one connection: read it within the limits and the memory budget, run it
 * in the caller's namespaces, answer. Every request read is answered with a result or the
 * spec's error JSON naming the reason (a bad request, a caller that is not root, namespaces
 * that cannot be entered, anything the handler throws); code 11 only when podnetd cannot
 * serve it now (overloaded).
 */
final class ShimConnection {
    /** PODNET_TRACE=1 in podnetd's environment: each call's phases (see {@link podnet.cni.spec.Phases}) in its log. */
    static final boolean TRACE = "1".equals(System.getenv("PODNET_TRACE"));
    private final UnixSocket conn;
    private final Podnetd.Plugins plugins;
    private final MemoryBudget budget;
    private final int idleTimeoutMillis;
    private final PrintStream log;

    /** Told of each call read that is not the daemon's own warm-up's (its container ID is {@link Warmup#CONTAINER_ID}). */
    private final Runnable realCall;

    ShimConnection(UnixSocket conn, Podnetd.Plugins plugins, MemoryBudget budget, int idleTimeoutMillis, PrintStream log) {
        this(conn, plugins, budget, idleTimeoutMillis, log, () -> {});
    }

    ShimConnection(UnixSocket conn, Podnetd.Plugins plugins, MemoryBudget budget, int idleTimeoutMillis, PrintStream log,
            Runnable realCall) {
        this.realCall = realCall;
        this.conn = conn;
        this.plugins = plugins;
        this.budget = budget;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.log = log;
    }

    void serve() {
        boolean trace = TRACE;
        if (trace) {
            podnet.cni.spec.Phases.start();
        }
        try (conn; MemoryBudget.Charge charge = budget.charge()) {
            conn.setTimeouts(idleTimeoutMillis); // a client that stalls mid-request is dropped, not waited for
            ShimCall call;
            try {
                call = ShimCall.read(conn, charge);
                podnet.cni.spec.Phases.mark("read");
                if (!Warmup.CONTAINER_ID.equals(call.env().get("CNI_CONTAINERID"))) {
                    realCall.run();
                }
            } catch (ShimCall.BadRequest e) {
                answer(null, e.code, e.getMessage(), null);
                return;
            } catch (MemoryBudget.Exhausted e) {
                answer(null, CniError.TRY_AGAIN_LATER, e.getMessage(), "the call may be retried");
                return;
            } catch (RuntimeException e) {
                log.println("podnetd: dropped a connection: " + reason(e));
                return; // EOF or timeout mid-request: nobody is there to read an answer
            }
            UnixSocket.PeerCredentials peer = conn.peerCredentials();
            if (peer.uid() != 0) {
                // Plugins change the node's network: only root may ask (as only root may exec them).
                answer(call.stdin(), 100, "podnetd serves root callers only",
                        "caller uid " + peer.uid() + " pid " + peer.pid());
                return;
            }
            CniResponse r = run(call);
            ShimCall.reply(conn, r.exitCode(), r.stdout());
            podnet.cni.spec.Phases.mark("reply");
            if (trace) {
                String p = podnet.cni.spec.Phases.end();
                log.println("podnetd: trace " + call.env().get("CNI_COMMAND") + " " + call.env().get("CNI_CONTAINERID") + " " + p);
            }
        } catch (Throwable t) {
            log.println("podnetd: call failed: " + reason(t));
        }
    }

    private CniResponse run(ShimCall call) {
        if ("VERSION".equals(call.env().get("CNI_COMMAND"))) {
            // Touches no namespace or path: no need to find the caller or enter its namespaces.
            return plugins.run(call.plugin(), call.env(), call.stdin());
        }
        FileDescriptor caller;
        try {
            caller = CallerNamespaces.pidfd(conn);
        } catch (RuntimeException e) {
            return error(call.stdin(), CniError.INTERNAL, "podnetd cannot identify the caller: " + reason(e), null);
        }
        try (caller) {
            long pid = CallerPaths.pidInOwnNamespace(caller, conn.peerCredentials().pid());
            Map<String, String> env = CallerPaths.resolve(call.env(), pid); // before the switch: /proc/thread-self is ours
            podnet.cni.spec.Phases.mark("caller");
            // This thread is the connection's own and ends with it: it may stay in the caller's namespaces.
            return CallerNamespaces.callOnOwnThread(caller, () -> plugins.run(call.plugin(), env, call.stdin()));
        } catch (SysException e) {
            String why = e.is(Errno.ESRCH) ? "the caller exited" : reason(e);
            return error(call.stdin(), CniError.INTERNAL, "podnetd cannot enter the caller's namespaces: " + why, null);
        } catch (Throwable t) {
            // PluginRunner never throws; a stand-in or an Error in the switch might
            return error(call.stdin(), CniError.INTERNAL, "podnetd: " + reason(t), null);
        }
    }

    private void answer(byte[] stdin, int code, String msg, String details) {
        CniResponse r = error(stdin, code, msg, details);
        try {
            ShimCall.reply(conn, r.exitCode(), r.stdout());
        } catch (RuntimeException e) {
            log.println("podnetd: could not answer \"" + msg + "\": " + reason(e));
        }
    }

    /** The spec's error JSON in the caller's cniVersion when it names one we speak. */
    static CniResponse error(byte[] stdin, int code, String msg, String details) {
        String version = stdin == null ? null : NetConf.versionOnly(stdin);
        Map<String, Object> m = new CniError(code, msg, details, null).toJson(version);
        return new CniResponse(1, Json.write(m));
    }

    private static String reason(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

}
