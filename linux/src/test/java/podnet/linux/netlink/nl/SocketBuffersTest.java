package podnet.linux.netlink.nl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pooled socket buffers: a closed socket's set serves the next one, once, and a set grows its send buffer. */
class SocketBuffersTest {
    @Test
    void aClosedSocketsBuffersGoBackToThePoolOnceEvenIfClosedTwice() {
        NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE);
        int before = SocketBuffers.pooled();
        s.close();
        s.close();
        assertThat(SocketBuffers.pooled()).isEqualTo(Math.min(before + 1, SocketBuffers.MAX_POOLED));
        NetlinkSocket again = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE);
        assertThat(SocketBuffers.pooled()).as("taken by the next socket").isEqualTo(Math.min(before + 1, SocketBuffers.MAX_POOLED) - 1);
        again.close();
    }

    @Test
    void theSendBufferGrowsForALargeDatagram() {
        SocketBuffers b = SocketBuffers.take(1024);
        assertThat(b.send(100).byteSize()).isEqualTo(4096);
        assertThat(b.send(10_000).byteSize()).isGreaterThanOrEqualTo(10_000);
        assertThat(b.recv.byteSize()).isEqualTo(1024);
    }
}
