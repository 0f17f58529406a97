package podnet.linux.packet.filter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import podnet.linux.inet.MacAddress;
import podnet.linux.packet.filter.FilterExpr.Dir;
import podnet.linux.packet.filter.FilterExpr.Proto;

/**
 * Parses the small subset of pcap-filter(7) that podnet understands:
 * <pre>
 *   expr      := and ( ("or" | "||") and )*
 *   and       := unary ( ("and" | "&&") unary )*
 *   unary     := ("not" | "!") unary | "(" expr ")" | primitive
 *   primitive := arp | ip | ip6 | icmp | icmp6 | tcp | udp
 *              | [src|dst] host ADDR | [src|dst] net A.B.C.D/LEN
 *              | [tcp|udp] [src|dst] port N | ether [src|dst] host MAC | vlan [ID]
 * </pre>
 * Addresses are literal (no name lookups). Anything else is an error naming the offending word.
 */
public final class FilterParser {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    private final List<String> tokens;
    private int pos;

    private FilterParser(List<String> tokens) {
        this.tokens = tokens;
    }

    public static FilterExpr parse(String text) {
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("filter: empty expression");
        }
        FilterParser p = new FilterParser(tokens);
        FilterExpr e = p.or();
        if (p.pos < tokens.size()) {
            throw p.error("expected 'and', 'or' or the end");
        }
        return e;
    }

    static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == '!') {
                out.add(String.valueOf(c));
                i++;
            } else if (text.startsWith("&&", i) || text.startsWith("||", i)) {
                out.add(text.substring(i, i + 2));
                i += 2;
            } else {
                int j = i;
                while (j < text.length() && !Character.isWhitespace(text.charAt(j)) && "()!&|".indexOf(text.charAt(j)) < 0) {
                    j++;
                }
                if (j == i) {
                    throw new IllegalArgumentException("filter: unexpected '" + c + "'");
                }
                out.add(text.substring(i, j));
                i = j;
            }
        }
        return out;
    }

    private FilterExpr or() {
        FilterExpr left = and();
        while (accept("or") || accept("||")) {
            left = new FilterExpr.Or(left, and());
        }
        return left;
    }

    private FilterExpr and() {
        FilterExpr left = unary();
        while (accept("and") || accept("&&")) {
            left = new FilterExpr.And(left, unary());
        }
        return left;
    }

    private FilterExpr unary() {
        if (accept("not") || accept("!")) {
            return new FilterExpr.Not(unary());
        }
        if (accept("(")) {
            FilterExpr e = or();
            if (!accept(")")) {
                throw error("expected ')'");
            }
            return e;
        }
        return primitive();
    }

    private FilterExpr primitive() {
        String w = next("a filter primitive");
        switch (w) {
            case "arp", "ip", "ip6", "icmp", "icmp6" -> {
                return new FilterExpr.Protocol(Proto.valueOf(w.toUpperCase(Locale.ROOT)));
            }
            case "tcp", "udp" -> {
                Proto proto = Proto.valueOf(w.toUpperCase(Locale.ROOT));
                if (peekIs("port") || peekIs("src") || peekIs("dst")) {
                    return port(proto, direction());
                }
                return new FilterExpr.Protocol(proto);
            }
            case "ether" -> {
                Dir dir = direction();
                expect("host");
                String mac = next("a MAC address");
                try {
                    return new FilterExpr.EtherHost(dir, MacAddress.parse(mac));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("filter: '" + mac + "' is not a MAC address");
                }
            }
            case "vlan" -> {
                if (pos < tokens.size() && tokens.get(pos).matches("\\d{1,4}")) {
                    int id = Integer.parseInt(tokens.get(pos++));
                    if (id > 4095) {
                        throw new IllegalArgumentException("filter: VLAN id " + id + " is above 4095");
                    }
                    return new FilterExpr.Vlan(id);
                }
                return new FilterExpr.Vlan(null);
            }
            default -> {
                pos--;
                Dir dir = direction();
                String kind = next("'host', 'net' or 'port'");
                return switch (kind) {
                    case "host" -> new FilterExpr.Host(dir, address(next("an IP address")));
                    case "net" -> net(dir, next("a network A.B.C.D/LEN"));
                    case "port" -> {
                        pos--;
                        yield port(null, dir);
                    }
                    default -> {
                        pos--;
                        throw error("unknown filter primitive (podnet understands arp, ip, ip6, icmp, icmp6, "
                                + "tcp, udp, host, net, port, ether host, vlan)");
                    }
                };
            }
        }
    }

    private FilterExpr port(Proto proto, Dir dir) {
        Dir d = dir == Dir.ANY ? direction() : dir;
        expect("port");
        String n = next("a port number");
        if (!n.matches("\\d{1,5}") || Integer.parseInt(n) > 65535) {
            pos--;
            throw error("not a port number (0..65535)");
        }
        return new FilterExpr.Port(proto, d, Integer.parseInt(n));
    }

    private FilterExpr net(Dir dir, String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || !IPV4.matcher(text.substring(0, slash)).matches() || !text.substring(slash + 1).matches("\\d{1,2}")) {
            throw new IllegalArgumentException("filter: '" + text + "' is not an IPv4 network A.B.C.D/LEN");
        }
        int len = Integer.parseInt(text.substring(slash + 1));
        if (len > 32) {
            throw new IllegalArgumentException("filter: prefix length " + len + " is above 32");
        }
        InetAddress a = address(text.substring(0, slash));
        byte[] b = a.getAddress();
        int v = ((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff)
                & (len == 0 ? 0 : -1 << (32 - len));
        return new FilterExpr.Net(dir, address(((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "."
                + ((v >>> 8) & 0xff) + "." + (v & 0xff)), len);
    }

    private static InetAddress address(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !IPV6.matcher(text).matches()) {
            throw new IllegalArgumentException("filter: '" + text + "' is not an IP address (names are not looked up)");
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("filter: '" + text + "' is not an IPv4 address");
                }
            }
        }
        try {
            InetAddress a = InetAddress.getByName(text); // a literal: no lookup happens
            if (v4 != (a instanceof Inet4Address)) {
                throw new IllegalArgumentException("filter: '" + text + "' is not a plain IP address");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("filter: '" + text + "' is not an IP address");
        }
    }

    private Dir direction() {
        if (accept("src")) {
            return Dir.SRC;
        }
        if (accept("dst")) {
            return Dir.DST;
        }
        return Dir.ANY;
    }

    private boolean peekIs(String w) {
        return pos < tokens.size() && tokens.get(pos).equals(w);
    }

    private boolean accept(String w) {
        if (peekIs(w)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String w) {
        if (!accept(w)) {
            throw error("expected '" + w + "'");
        }
    }

    private String next(String what) {
        if (pos >= tokens.size()) {
            throw new IllegalArgumentException("filter: expected " + what + " at the end");
        }
        return tokens.get(pos++);
    }

    private IllegalArgumentException error(String msg) {
        String at = pos < tokens.size() ? "'" + tokens.get(pos) + "'" : "the end";
        return new IllegalArgumentException("filter: " + msg + " at " + at);
    }
}
