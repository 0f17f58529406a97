package podnet.linux.packet.decode;

/** A protocol we do not decode: its number (EtherType or IP protocol) and its length. */
public record OtherPayload(int protocol, int length) implements NetworkLayer, TransportLayer {}
