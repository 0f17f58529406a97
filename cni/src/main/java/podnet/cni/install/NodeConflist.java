package podnet.cni.install;

import java.nio.file.Path;
import podnet.linux.inet.Cidr;

/**
 * podnet's network configuration list, as `podnet cni install --conf-dir` writes it and as pods
 * and tests use it: bridge {@code cni0} as the pods' gateway with hairpin, host-local IPAM over
 * the node's pod subnet, then loopback. {@code mtu} 0 keeps the kernel's default; a null
 * {@code dataDir} keeps host-local's (/var/lib/cni/networks).
 */
public record NodeConflist(String subnet, int mtu, boolean ipMasq, Path dataDir) {
    public static final String NAME = "podnet";
    public static final String BRIDGE = "cni0";
    /** The node's network of the article: cni0 at 10.244.2.1/24, masquerade on. */
    public static final NodeConflist DEFAULT = new NodeConflist("10.244.2.0/24", 0, true, null);

    public NodeConflist {
        Cidr c;
        try {
            c = Cidr.parse(subnet);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--subnet " + subnet + ": " + e.getMessage());
        }
        if (!c.equals(c.network()) || c.prefixLength() > (c.isIpv4() ? 30 : 126)) {
            throw new IllegalArgumentException("--subnet " + subnet + ": give a network address with room for pods,"
                    + " e.g. 10.244.2.0/24");
        }
        if (mtu != 0 && (mtu < 576 || mtu > 65535)) {
            throw new IllegalArgumentException("--mtu " + mtu + ": between 576 and 65535");
        }
    }

    public NodeConflist withIpMasq(boolean on) {
        return new NodeConflist(subnet, mtu, on, dataDir);
    }

    public NodeConflist withDataDir(Path dir) {
        return new NodeConflist(subnet, mtu, ipMasq, dir);
    }

    /** The conflist text; cniVersion 1.0.0 is the newest the Debian reference plugins accept. */
    public String conflist() {
        return """
                {
                  "cniVersion": "1.0.0",
                  "cniVersions": ["0.4.0", "1.0.0", "1.1.0"],
                  "name": "%s",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": %s,
                      "hairpinMode": true,%s
                      "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": "%s"}]],
                        "routes": [{"dst": "%s"}]%s
                      }
                    },
                    {
                      "type": "loopback"
                    }
                  ]
                }
                """.formatted(NAME, BRIDGE, ipMasq, mtu > 0 ? "\n      \"mtu\": " + mtu + "," : "", subnet,
                subnet.contains(":") ? "::/0" : "0.0.0.0/0",
                dataDir == null ? "" : ",\n        \"dataDir\": \"" + dataDir + "\"");
    }
}
