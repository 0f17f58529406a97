package podnet.cni.bridge;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import podnet.cni.ipam.HostLocal;
import podnet.cni.spec.Call;
import podnet.cni.spec.Exec;
import podnet.cni.spec.Json;
import podnet.cni.spec.Result;

/**
 * Runs the configured IPAM plugin: host-local in this JVM (same code as its executable), any
 * other type exec'd from CNI_PATH with the same stdin, like the reference's ipam.ExecAdd.
 */
final class IpamDelegate {
    private IpamDelegate() {}

    static Result add(Call call, String type) {
        if (type.equals("host-local")) {
            return HostLocal.allocate(call.conf(), call.env());
        }
        byte[] out = exec(call, type, "ADD");
        return Result.fromJson(Json.parseObject(out, type + " result"), call.conf().cniVersion());
    }

    /** Returns the addresses released when known (host-local), else an empty list. */
    static List<InetAddress> del(Call call, String type) {
        if (type.equals("host-local")) {
            return HostLocal.release(call.conf(), call.env());
        }
        exec(call, type, "DEL");
        return List.of();
    }

    static void check(Call call, String type) {
        if (type.equals("host-local")) {
            new HostLocal().check(call);
            return;
        }
        exec(call, type, "CHECK");
    }

    static List<InetAddress> gc(Call call, String type) {
        if (type.equals("host-local")) {
            return HostLocal.collect(call.conf());
        }
        exec(call, type, "GC");
        return List.of();
    }

    static void status(Call call, String type) {
        if (type.equals("host-local")) {
            new HostLocal().status(call);
            return;
        }
        exec(call, type, "STATUS");
    }

    private static byte[] exec(Call call, String type, String command) {
        Map<String, String> env = new HashMap<>(call.rawEnv());
        env.put("CNI_COMMAND", command);
        return Exec.call(Exec.require(type, call.env().path()), env, call.stdin());
    }
}
