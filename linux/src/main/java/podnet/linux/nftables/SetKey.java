package podnet.linux.nftables;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One element key of a {@link FilterSet}: an IPv4 address ({@code ipv4_addr}, 4 bytes), or an
 * address, IP protocol and port ({@code ipv4_addr . inet_proto . inet_service}, 12 bytes: each
 * field padded to a 32-bit register, as the kernel compares a concatenation).
 */
public final class SetKey {
    private final byte[] bytes;

    private SetKey(byte[] bytes) {
        this.bytes = bytes;
    }

    public static SetKey address(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("only IPv4 set keys: " + a);
        }
        return new SetKey(a.getAddress());
    }

    /** {@code proto} is the IP protocol number (6 TCP, 17 UDP), {@code port} 1..65535. */
    public static SetKey service(InetAddress a, int proto, int port) {
        if (port < 0 || port > 0xffff || proto < 0 || proto > 0xff) {
            throw new IllegalArgumentException("protocol " + proto + " port " + port);
        }
        byte[] b = new byte[12];
        System.arraycopy(address(a).bytes, 0, b, 0, 4);
        b[4] = (byte) proto;
        b[8] = (byte) (port >> 8);
        b[9] = (byte) port;
        return new SetKey(b);
    }

    /** A key as the kernel lists it (4 or 12 bytes). */
    static SetKey ofBytes(byte[] b) {
        if (b.length != 4 && b.length != 12) {
            throw new IllegalArgumentException("set key of " + b.length + " bytes");
        }
        return new SetKey(b.clone());
    }

    byte[] bytes() {
        return bytes.clone();
    }

    public boolean isService() {
        return bytes.length == 12;
    }

    public InetAddress addressPart() {
        try {
            return InetAddress.getByAddress(Arrays.copyOf(bytes, 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** As nft prints it: {@code 10.244.2.5} or {@code 10.244.2.5 . tcp . 80}. */
    @Override
    public String toString() {
        String a = addressPart().getHostAddress();
        if (!isService()) {
            return a;
        }
        int proto = bytes[4] & 0xff;
        String p = proto == 6 ? "tcp" : proto == 17 ? "udp" : Integer.toString(proto);
        return a + " . " + p + " . " + (((bytes[8] & 0xff) << 8) | (bytes[9] & 0xff));
    }

    String hex() {
        return HexFormat.of().formatHex(bytes);
    }
}
