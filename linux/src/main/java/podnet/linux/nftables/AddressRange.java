package podnet.linux.nftables;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import podnet.linux.inet.Cidr;

/** An inclusive range of IPv4 addresses, as unsigned 32-bit numbers; an element of an interval set. */
public record AddressRange(long first, long last) implements Comparable<AddressRange> {
    public AddressRange {
        if (first < 0 || last > 0xffffffffL || first > last) {
            throw new IllegalArgumentException("address range " + first + ".." + last);
        }
    }

    public static AddressRange of(Cidr c) {
        if (!c.isIpv4()) {
            throw new IllegalArgumentException("only IPv4 ranges: " + c);
        }
        long base = number(c.network().address());
        long size = 1L << (32 - c.prefixLength());
        return new AddressRange(base, base + size - 1);
    }

    public static long number(InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("not IPv4: " + a);
        }
        byte[] b = a.getAddress();
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    public static InetAddress address(long n) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(long n) {
        return n >= first && n <= last;
    }

    @Override
    public int compareTo(AddressRange o) {
        return first != o.first ? Long.compare(first, o.first) : Long.compare(last, o.last);
    }

    @Override
    public String toString() {
        return first == last ? address(first).getHostAddress()
                : address(first).getHostAddress() + "-" + address(last).getHostAddress();
    }
}
