package podnet.cni.bridge;

import java.net.InetAddress;
import java.util.List;
import podnet.cni.Log;
import podnet.linux.inet.Cidr;

/**
 * ipMasq: source NAT for traffic leaving the pod network. One nftables table and chain per
 * node, one set of pod addresses per network, so ADD and DEL change a single set element.
 */
interface Masquerade extends AutoCloseable {
    void add(String network, Cidr subnet, InetAddress podIp);

    void remove(String network, InetAddress podIp);

    /** Members of the network's set (for GC); empty when unknown. */
    List<InetAddress> members(String network);

    @Override
    void close();

    static Masquerade open() {
        return new Unavailable();
    }

    /** Until the NFNETLINK backend is merged: accept the key and say that nothing was done. */
    final class Unavailable implements Masquerade {
        @Override
        public void add(String network, Cidr subnet, InetAddress podIp) {
            Log.warn("ipMasq: masquerade backend not available yet; " + Cidr.text(podIp) + " is not masqueraded");
        }

        @Override
        public void remove(String network, InetAddress podIp) {
        }

        @Override
        public List<InetAddress> members(String network) {
            return List.of();
        }

        @Override
        public void close() {
        }
    }
}
