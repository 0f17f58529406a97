package podnet.linux.packet.decode;

import java.util.List;

/** A TCP header: ports, sequence numbers, flags, window, options, and the payload length. */
public record TcpSegment(int sourcePort, int destinationPort, long sequence, long acknowledgment, int flags,
        int window, int urgentPointer, List<TcpOption> options, int payloadLength) implements TransportLayer {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20,
            ECE = 0x40, CWR = 0x80;

    public TcpSegment {
        options = List.copyOf(options);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
