package podnet.linux.packet;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Hand-made frames for decoder tests (checksums left zero: tcpdump -n does not check them). */
public final class FrameBuilder {
    private FrameBuilder() {}

    public static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a}, MAC_B = {0x02, 0, 0, 0, 0, 0x0b},
            BROADCAST = {-1, -1, -1, -1, -1, -1};

    public static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    public static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    public static byte[] ip(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static byte[] ether(byte[] dst, byte[] src, int type, byte[] payload) {
        return cat(dst, src, u16(type), payload);
    }

    public static byte[] vlan(int tci, int type, byte[] payload) {
        return cat(u16(tci), u16(type), payload);
    }

    public static byte[] arp(int op, byte[] sha, String spa, byte[] tha, String tpa) {
        return cat(u16(1), u16(0x0800), new byte[] {6, 4}, u16(op), sha, ip(spa), tha, ip(tpa));
    }

    public static byte[] ipv4(String src, String dst, int proto, byte[] payload) {
        return ipv4(src, dst, proto, 0, payload);
    }

    /** {@code fragField} = flags (DF 0x4000, MF 0x2000) | offset in 8-byte units. */
    public static byte[] ipv4(String src, String dst, int proto, int fragField, byte[] payload) {
        return cat(new byte[] {0x45, 0}, u16(20 + payload.length), u16(0x1234), u16(fragField),
                new byte[] {64, (byte) proto}, u16(0), ip(src), ip(dst), payload);
    }

    public static byte[] ipv6(String src, String dst, int next, byte[] payload) {
        return cat(new byte[] {0x60, 0, 0, 0}, u16(payload.length), new byte[] {(byte) next, 64}, ip(src), ip(dst),
                payload);
    }

    public static byte[] udp(int sport, int dport, byte[] data) {
        return cat(u16(sport), u16(dport), u16(8 + data.length), u16(0), data);
    }

    public static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int win, byte[] options, byte[] data) {
        int hlen = 20 + options.length;
        return cat(u16(sport), u16(dport), u32(seq), u32(ack), new byte[] {(byte) ((hlen / 4) << 4), (byte) flags},
                u16(win), u16(0), u16(0), options, data);
    }

    public static byte[] icmp(int type, int code, int rest1, int rest2, byte[] data) {
        return cat(new byte[] {(byte) type, (byte) code}, u16(0), u16(rest1), u16(rest2), data);
    }
}
