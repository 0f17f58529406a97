package podnet.linux.packet.decode;

/** A non-first IP fragment: the upper-layer header is in an earlier fragment. */
public record Fragment(int protocol, int offset, int length) implements TransportLayer {}
