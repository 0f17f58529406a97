package podnet.linux.inet;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with a prefix length, e.g. {@code 10.244.2.7/24} (an interface address) or
 * {@code 10.244.2.0/24} (a network). Parsing accepts only numeric addresses: no DNS.
 */
public record Cidr(InetAddress address, int prefixLength) {
    public Cidr {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for "
                    + address.getHostAddress());
        }
    }

    /** Parses {@code ADDR/LEN}; a bare address gets /32 or /128. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a;
        try {
            a = parseAddress(addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": " + e.getMessage());
        }
        int max = a instanceof Inet4Address ? 32 : 128;
        int len = max;
        if (slash >= 0) {
            String l = text.substring(slash + 1);
            if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("invalid CIDR \"" + text + "\": bad prefix length");
            }
            len = Integer.parseInt(l);
            if (len > max) {
                throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length over " + max);
            }
        }
        return new Cidr(a, len);
    }

    /** Parses a numeric IPv4 or IPv6 address, never resolving a name. */
    public static InetAddress parseAddress(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        boolean v4 = text.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        boolean v6 = text.indexOf(':') >= 0
                && text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (v4) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
                }
                b[i] = (byte) v;
            }
            return byAddress(b);
        }
        if (v6) {
            try {
                // Only hex, ':' and '.' get here, so this parses a literal and never asks DNS.
                InetAddress a = InetAddress.getByName(text);
                if (a instanceof Inet4Address) { // "::ffff:1.2.3.4" collapses to v4; keep 16 bytes
                    byte[] m = new byte[16];
                    m[10] = m[11] = (byte) 0xff;
                    System.arraycopy(a.getAddress(), 0, m, 12, 4);
                    return byAddress(m);
                }
                return a;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
            }
        }
        throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }

    /** The address of these 4 or 16 bytes; 16 stay IPv6 even when IPv4-mapped. */
    public static InetAddress byAddress(byte[] b) {
        try {
            // InetAddress.getByAddress would turn ::ffff:a.b.c.d into an IPv4 address.
            return b.length == 16 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public int bits() {
        return isIpv4() ? 32 : 128;
    }

    /** The network: the address with host bits cleared. */
    public Cidr network() {
        return new Cidr(byAddress(mask(address.getAddress(), prefixLength, false)), prefixLength);
    }

    /** The last address of the network (IPv4 broadcast). */
    public InetAddress lastAddress() {
        return byAddress(mask(address.getAddress(), prefixLength, true));
    }

    public boolean contains(InetAddress a) {
        if ((a instanceof Inet4Address) != isIpv4()) {
            return false;
        }
        return new Cidr(a, prefixLength).network().address.equals(network().address);
    }

    public boolean overlaps(Cidr other) {
        if (other.isIpv4() != isIpv4()) {
            return false;
        }
        return contains(other.network().address) || other.contains(network().address);
    }

    /** The address {@code n} after this one (negative for before); wraps are the caller's problem. */
    public static InetAddress add(InetAddress a, long n) {
        BigInteger v = new BigInteger(1, a.getAddress()).add(BigInteger.valueOf(n));
        int len = a.getAddress().length;
        byte[] raw = v.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(raw.length, len);
        System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
        return byAddress(out);
    }

    /** Unsigned numeric comparison of two addresses of one family. */
    public static int compare(InetAddress a, InetAddress b) {
        return new BigInteger(1, a.getAddress()).compareTo(new BigInteger(1, b.getAddress()));
    }

    private static byte[] mask(byte[] b, int len, boolean setHostBits) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length * 8; i++) {
            if (i >= len) {
                int bit = 0x80 >> (i % 8);
                if (setHostBits) {
                    out[i / 8] |= (byte) bit;
                } else {
                    out[i / 8] &= (byte) ~bit;
                }
            }
        }
        return out;
    }

    /** Text of an address without Java's leading '/' or zone. */
    public static String text(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        s = pct >= 0 ? s.substring(0, pct) : s;
        if (!(a instanceof Inet4Address)) {
            s = compressV6(s);
        }
        return s;
    }

    /** Java prints "fe80:0:0:0:..."; the rest of the world prints "fe80::...". */
    private static String compressV6(String full) {
        String[] g = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }

    @Override
    public String toString() {
        return text(address) + "/" + prefixLength;
    }
}
