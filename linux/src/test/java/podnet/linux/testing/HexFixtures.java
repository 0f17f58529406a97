package podnet.linux.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import podnet.linux.netlink.nl.NlMessage;

/**
 * Netlink datagrams captured from the kernel once and kept as hex under
 * {@code src/test/resources/netlink/} (one datagram per line, as our socket received it), so
 * the codec and parsers are tested without root.
 */
public final class HexFixtures {
    private HexFixtures() {}

    public static List<ByteBuffer> datagrams(String name) {
        try (InputStream in = HexFixtures.class.getResourceAsStream("/netlink/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            List<ByteBuffer> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(ByteBuffer.wrap(HexFormat.of().parseHex(line.strip())).order(ByteOrder.nativeOrder()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every message of every datagram of the fixture, in order. */
    public static List<NlMessage> messages(String name) {
        List<NlMessage> out = new ArrayList<>();
        for (ByteBuffer d : datagrams(name)) {
            out.addAll(NlMessage.parseAll(d));
        }
        return out;
    }
}
