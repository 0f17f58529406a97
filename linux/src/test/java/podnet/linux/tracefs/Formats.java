package podnet.linux.tracefs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The kfree_skb format file as this machine's kernel (6.18) printed it, kept under test resources. */
final class Formats {
    private Formats() {}

    static EventFormat kfreeSkb() {
        try (InputStream in = Formats.class.getResourceAsStream("/tracefs/kfree_skb.format")) {
            return EventFormat.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
