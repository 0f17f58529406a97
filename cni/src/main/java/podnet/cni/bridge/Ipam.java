package podnet.cni.bridge;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import podnet.cni.build.InstalledBuild;
import podnet.cni.spec.Call;
import podnet.cni.spec.Delegation;
import podnet.cni.spec.Exec;
import podnet.cni.spec.Result;

/**
 * The IPAM plugin the bridge delegates addresses to, per the spec's delegation rules: the
 * same stdin and environment, CNI_COMMAND set to the operation. The plugin is the first
 * executable named {@code ipam.type} in CNI_PATH, exec'd ({@link ExecIpam}); host-local runs
 * in this JVM instead ({@link HostLocalIpam}) when that executable is our own of the same
 * build, or when podnet's own runtime made the call (see {@link Delegation}).
 */
interface Ipam {
    /** The plugin for {@code type}, the config's {@code ipam.type}; code 7 if CNI_PATH has none. */
    static Ipam of(String type, Call call) {
        if (type.equals(HostLocalIpam.TYPE) && call.delegation() == Delegation.IN_PROCESS) {
            return new HostLocalIpam();
        }
        Path binary = Exec.require(type, call.env().path());
        if (type.equals(HostLocalIpam.TYPE) && InstalledBuild.isCurrent(binary)) {
            return new HostLocalIpam();
        }
        return new ExecIpam(binary);
    }

    /** Checks what can be checked before ADD changes anything (host-local: the whole config). */
    void validate(Call call);

    Result add(Call call);

    /** Releases the attachment's addresses; returns them when the plugin tells (else empty). */
    List<InetAddress> del(Call call);

    void check(Call call);

    /** Releases what is not in the valid attachments; returns what it released when known. */
    List<InetAddress> gc(Call call);

    void status(Call call);

    /** Every address leased in the network, or null when the plugin cannot tell. */
    Set<InetAddress> leased(Call call);
}
