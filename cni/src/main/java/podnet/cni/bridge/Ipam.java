package podnet.cni.bridge;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import podnet.cni.spec.Call;
import podnet.cni.spec.Result;

/**
 * The IPAM plugin the bridge delegates addresses to, per the spec's delegation rules: the
 * same stdin and environment, CNI_COMMAND set to the operation. host-local runs in this JVM
 * ({@link HostLocalIpam}); any other type is exec'd from CNI_PATH ({@link ExecIpam}).
 */
interface Ipam {
    /** The plugin for {@code type}, the config's {@code ipam.type}. */
    static Ipam of(String type) {
        return type.equals(HostLocalIpam.TYPE) ? new HostLocalIpam() : new ExecIpam(type);
    }

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
