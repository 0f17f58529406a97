package podnet.node.etcd;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Makes the unconnected TCP sockets the client uses. A socket belongs to the network namespace
 * of the thread that created it, so an agent acting for a node namespace hands in one that
 * creates them from a thread switched into it; connecting and I/O then happen on any thread.
 */
@FunctionalInterface
public interface SocketOpener {
    SocketChannel open() throws IOException;

    /** Sockets of the calling thread's namespace. */
    SocketOpener CURRENT = SocketChannel::open;
}
