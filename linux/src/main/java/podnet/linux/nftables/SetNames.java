package podnet.linux.nftables;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The set names of a CNI network: {@code pn4-NAME} and {@code pn6-NAME}. A network name that
 * is not a plain nft identifier (letters, digits, {@code _ . -}), or is long, is cleaned and
 * gets a hash of the original, so two networks never share a set and nft(8) can print it.
 */
final class SetNames {
    private SetNames() {}

    static final int MAX_NAME = 48;

    static String of(String network, boolean ipv6) {
        return (ipv6 ? "pn6-" : "pn4-") + clean(network);
    }

    static String clean(String network) {
        if (network == null || network.isEmpty()) {
            throw new IllegalArgumentException("network name is empty");
        }
        StringBuilder sb = new StringBuilder();
        for (char c : network.toCharArray()) {
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            sb.append(plain ? c : '_');
        }
        if (sb.toString().equals(network) && network.length() <= MAX_NAME) {
            return network;
        }
        CRC32 crc = new CRC32();
        crc.update(network.getBytes(StandardCharsets.UTF_8));
        String hash = String.format("%08x", crc.getValue());
        String head = sb.length() > MAX_NAME - 9 ? sb.substring(0, MAX_NAME - 9) : sb.toString();
        return head + "-" + hash;
    }
}
