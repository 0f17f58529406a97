package podnet.node.cluster;

import java.nio.channels.SocketChannel;
import podnet.linux.ns.Netns;
import podnet.node.etcd.SocketOpener;

/**
 * Sockets that belong to the node's namespace: created on a thread switched into it (a
 * socket stays in the namespace it was made in), then used from any thread — so the agent's
 * connections to etcd leave through the node's links while its files stay in the caller's
 * mount namespace.
 */
final class NodeSockets {
    private NodeSockets() {}

    static SocketOpener in(Netns netns) {
        if (netns.isCurrent()) {
            return SocketOpener.CURRENT;
        }
        return () -> {
            try {
                return netns.call(SocketChannel::open);
            } catch (RuntimeException e) {
                // A namespace that vanished, or no descriptors left: the registry is unreachable from here.
                throw new java.io.IOException("cannot open a socket in " + netns + ": "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
            }
        };
    }
}
