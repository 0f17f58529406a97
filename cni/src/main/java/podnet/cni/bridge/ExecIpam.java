package podnet.cni.bridge;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import podnet.cni.spec.Call;
import podnet.cni.spec.Exec;
import podnet.cni.spec.Json;
import podnet.cni.spec.Result;

/** An IPAM plugin exec'd from CNI_PATH with the call's stdin, like the reference's ipam.ExecAdd. */
final class ExecIpam implements Ipam {
    private final Path binary;

    ExecIpam(Path binary) {
        this.binary = binary;
    }

    @Override
    public void validate(Call call) {
        // found in CNI_PATH already; its config is its own business
    }

    @Override
    public Result add(Call call) {
        byte[] out = exec(call, "ADD");
        return Result.fromJson(Json.parseObject(out, binary.getFileName() + " result"), call.conf().cniVersion());
    }

    @Override
    public List<InetAddress> del(Call call) {
        exec(call, "DEL");
        return List.of();
    }

    @Override
    public void check(Call call) {
        exec(call, "CHECK");
    }

    @Override
    public List<InetAddress> gc(Call call) {
        exec(call, "GC");
        return List.of();
    }

    @Override
    public void status(Call call) {
        exec(call, "STATUS");
    }

    @Override
    public Set<InetAddress> leased(Call call) {
        return null;
    }

    private byte[] exec(Call call, String command) {
        Map<String, String> env = new HashMap<>(call.rawEnv());
        env.put("CNI_COMMAND", command);
        return Exec.call(binary, env, call.stdin());
    }
}
