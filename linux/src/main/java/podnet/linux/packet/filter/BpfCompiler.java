package podnet.linux.packet.filter;

import static podnet.linux.packet.filter.BpfInstruction.ABS;
import static podnet.linux.packet.filter.BpfInstruction.ALU;
import static podnet.linux.packet.filter.BpfInstruction.AND;
import static podnet.linux.packet.filter.BpfInstruction.B;
import static podnet.linux.packet.filter.BpfInstruction.H;
import static podnet.linux.packet.filter.BpfInstruction.IND;
import static podnet.linux.packet.filter.BpfInstruction.JEQ;
import static podnet.linux.packet.filter.BpfInstruction.JMP;
import static podnet.linux.packet.filter.BpfInstruction.JSET;
import static podnet.linux.packet.filter.BpfInstruction.K;
import static podnet.linux.packet.filter.BpfInstruction.LD;
import static podnet.linux.packet.filter.BpfInstruction.LDX;
import static podnet.linux.packet.filter.BpfInstruction.MSH;
import static podnet.linux.packet.filter.BpfInstruction.RET;
import static podnet.linux.packet.filter.BpfInstruction.W;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.linux.packet.filter.FilterExpr.Dir;
import podnet.linux.packet.filter.FilterExpr.Proto;

/**
 * Compiles a {@link FilterExpr} to classic BPF for an Ethernet packet socket, the way libpcap
 * does for these primitives (offsets into an untagged frame: the kernel has already moved any
 * VLAN tag aside). Each node is compiled with a "true" and a "false" label, so and/or/not are
 * only label wiring; every jump goes forward, as classic BPF demands. Yields nothing when the
 * expression uses a Java-only primitive or the program would need a jump longer than 255.
 */
public final class BpfCompiler {
    private static final int ETHERTYPE = 12, IP = 14, IP6 = 14;

    private static final class Label {
        int at = -1;
    }

    /** An instruction whose jumps still name labels (resolved by {@link #assemble}). */
    private record Insn(int code, int k, Label t, Label f, Label target) {}

    private final List<Insn> code = new ArrayList<>();

    private BpfCompiler() {}

    public static Optional<BpfProgram> compile(FilterExpr e, int snapLength) {
        if (!compilable(e)) {
            return Optional.empty();
        }
        BpfCompiler c = new BpfCompiler();
        Label accept = new Label(), reject = new Label();
        c.node(e, accept, reject);
        c.place(accept);
        c.code.add(new Insn(RET | K, snapLength, null, null, null));
        c.place(reject);
        c.code.add(new Insn(RET | K, 0, null, null, null));
        return c.assemble();
    }

    static boolean compilable(FilterExpr e) {
        return switch (e) {
            case FilterExpr.And(var l, var r) -> compilable(l) && compilable(r);
            case FilterExpr.Or(var l, var r) -> compilable(l) && compilable(r);
            case FilterExpr.Not(var x) -> compilable(x);
            case FilterExpr.Vlan v -> false;
            default -> true;
        };
    }

    private Optional<BpfProgram> assemble() {
        List<BpfInstruction> out = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            Insn n = code.get(i);
            if (n.target() != null) {
                out.add(new BpfInstruction(n.code(), 0, 0, n.target().at - i - 1));
            } else if (n.t() != null) {
                int jt = n.t().at - i - 1, jf = n.f().at - i - 1;
                if (jt > 255 || jf > 255) {
                    return Optional.empty(); // too far for a conditional jump: filter in Java instead
                }
                out.add(new BpfInstruction(n.code(), jt, jf, n.k()));
            } else {
                out.add(new BpfInstruction(n.code(), 0, 0, n.k()));
            }
        }
        return out.size() > BpfProgram.MAX_INSTRUCTIONS ? Optional.empty() : Optional.of(new BpfProgram(out));
    }

    private void place(Label l) {
        l.at = code.size();
    }

    private void ld(int size, int offset) {
        code.add(new Insn(LD | size | ABS, offset, null, null, null));
    }

    private void jeq(int k, Label t, Label f) {
        code.add(new Insn(JMP | JEQ | K, k, t, f, null));
    }

    private void jset(int k, Label t, Label f) {
        code.add(new Insn(JMP | JSET | K, k, t, f, null));
    }

    private void node(FilterExpr e, Label t, Label f) {
        switch (e) {
            case FilterExpr.And(var l, var r) -> {
                Label mid = new Label();
                node(l, mid, f);
                place(mid);
                node(r, t, f);
            }
            case FilterExpr.Or(var l, var r) -> {
                Label mid = new Label();
                node(l, t, mid);
                place(mid);
                node(r, t, f);
            }
            case FilterExpr.Not(var x) -> node(x, f, t);
            case FilterExpr.Protocol(var p) -> protocol(p, t, f);
            case FilterExpr.Host(var dir, var a) -> host(dir, a, t, f);
            case FilterExpr.Net(var dir, var a, var len) -> net(dir, a, len, t, f);
            case FilterExpr.Port(var p, var dir, var port) -> port(p, dir, port, t, f);
            case FilterExpr.EtherHost(var dir, var mac) -> etherHost(dir, mac.bytes(), t, f);
            case FilterExpr.Vlan v -> throw new IllegalStateException("vlan is filtered in Java");
        }
    }

    private void etherType(int type, Label t, Label f) {
        ld(H, ETHERTYPE);
        jeq(type, t, f);
    }

    private void protocol(Proto p, Label t, Label f) {
        switch (p) {
            case ARP -> etherType(0x0806, t, f);
            case IP -> etherType(0x0800, t, f);
            case IP6 -> etherType(0x86dd, t, f);
            case ICMP -> ipProto(0x0800, 1, t, f);
            case ICMP6 -> ipProto(0x86dd, 58, t, f);
            case TCP, UDP -> {
                int n = p == Proto.TCP ? 6 : 17;
                Label v4 = new Label(), notV4 = new Label(), v6 = new Label();
                ld(H, ETHERTYPE);
                jeq(0x0800, v4, notV4);
                place(v4);
                ld(B, IP + 9);
                jeq(n, t, f);
                place(notV4);
                jeq(0x86dd, v6, f);
                place(v6);
                ld(B, IP6 + 6);
                jeq(n, t, f);
            }
        }
    }

    private void ipProto(int etherType, int proto, Label t, Label f) {
        Label ok = new Label();
        etherType(etherType, ok, f);
        place(ok);
        ld(B, etherType == 0x0800 ? IP + 9 : IP6 + 6);
        jeq(proto, t, f);
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | b[i + 3] & 0xff;
    }

    private void host(Dir dir, InetAddress a, Label t, Label f) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int v = word(b, 0);
            Label ip = new Label(), notIp = new Label(), arp = new Label();
            ld(H, ETHERTYPE);
            jeq(0x0800, ip, notIp);
            place(ip);
            words(dir, new int[] {v}, IP + 12, IP + 16, t, f);
            place(notIp);
            jeq(0x0806, arp, f); // like tcpdump, "host" also matches ARP's sender/target address
            place(arp);
            words(dir, new int[] {v}, IP + 14, IP + 24, t, f);
        } else {
            int[] v = {word(b, 0), word(b, 4), word(b, 8), word(b, 12)};
            Label ip6 = new Label();
            etherType(0x86dd, ip6, f);
            place(ip6);
            words(dir, v, IP6 + 8, IP6 + 24, t, f);
        }
    }

    /** Matches the words {@code v} at {@code src} and/or {@code dst} as {@code dir} says. */
    private void words(Dir dir, int[] v, int src, int dst, Label t, Label f) {
        if (dir == Dir.ANY) {
            Label trySrc = new Label();
            Label tryDst = new Label();
            place(trySrc);
            sequence(v, src, t, tryDst);
            place(tryDst);
            sequence(v, dst, t, f);
        } else {
            sequence(v, dir == Dir.SRC ? src : dst, t, f);
        }
    }

    private void sequence(int[] v, int offset, Label t, Label f) {
        for (int i = 0; i < v.length; i++) {
            Label next = i == v.length - 1 ? t : new Label();
            ld(W, offset + 4 * i);
            jeq(v[i], next, f);
            if (next != t) {
                place(next);
            }
        }
    }

    private void net(Dir dir, InetAddress a, int len, Label t, Label f) {
        int mask = len == 0 ? 0 : -1 << (32 - len);
        int v = word(a.getAddress(), 0) & mask;
        Label ip = new Label(), notIp = new Label(), arp = new Label();
        ld(H, ETHERTYPE);
        jeq(0x0800, ip, notIp);
        place(ip);
        masked(dir, mask, v, IP + 12, IP + 16, t, f);
        place(notIp);
        jeq(0x0806, arp, f); // like tcpdump, "net" also matches ARP's sender/target address
        place(arp);
        masked(dir, mask, v, IP + 14, IP + 24, t, f);
    }

    private void masked(Dir dir, int mask, int v, int src, int dst, Label t, Label f) {
        Label tryDst = new Label();
        if (dir != Dir.DST) {
            ld(W, src);
            code.add(new Insn(ALU | AND | K, mask, null, null, null));
            jeq(v, t, dir == Dir.ANY ? tryDst : f);
        }
        if (dir != Dir.SRC) {
            place(tryDst);
            ld(W, dst);
            code.add(new Insn(ALU | AND | K, mask, null, null, null));
            jeq(v, t, f);
        }
    }

    private void port(Proto p, Dir dir, int port, Label t, Label f) {
        Label v4 = new Label(), notV4 = new Label(), v6 = new Label();
        ld(H, ETHERTYPE);
        jeq(0x0800, v4, notV4);
        place(v4);
        Label protoOk = new Label();
        ld(B, IP + 9);
        l4(p, protoOk, f);
        place(protoOk);
        Label first = new Label();
        ld(H, IP + 6);
        jset(0x1fff, f, first); // a later fragment has no ports
        place(first);
        code.add(new Insn(LDX | B | MSH, IP, null, null, null)); // X = IP header length
        ports(dir, port, IND, IP, t, f);
        place(notV4);
        jeq(0x86dd, v6, f);
        place(v6);
        Label protoOk6 = new Label();
        ld(B, IP6 + 6);
        l4(p, protoOk6, f);
        place(protoOk6);
        ports(dir, port, ABS, IP6 + 40, t, f);
    }

    /** A holds the IP protocol: go to {@code t} if it is the one asked for (tcp or udp if none). */
    private void l4(Proto p, Label t, Label f) {
        if (p == null) {
            Label udp = new Label();
            jeq(6, t, udp);
            place(udp);
            jeq(17, t, f);
        } else {
            jeq(p == Proto.TCP ? 6 : 17, t, f);
        }
    }

    private void ports(Dir dir, int port, int mode, int base, Label t, Label f) {
        Label tryDst = new Label();
        if (dir != Dir.DST) {
            code.add(new Insn(LD | H | mode, base, null, null, null));
            jeq(port, t, dir == Dir.ANY ? tryDst : f);
        }
        if (dir != Dir.SRC) {
            place(tryDst);
            code.add(new Insn(LD | H | mode, base + 2, null, null, null));
            jeq(port, t, f);
        }
    }

    private void etherHost(Dir dir, byte[] mac, Label t, Label f) {
        int low = word(mac, 2), high = (mac[0] & 0xff) << 8 | mac[1] & 0xff;
        Label tryDst = new Label();
        if (dir != Dir.DST) {
            Label hi = new Label();
            ld(W, 8);
            jeq(low, hi, dir == Dir.ANY ? tryDst : f);
            place(hi);
            ld(H, 6);
            jeq(high, t, dir == Dir.ANY ? tryDst : f);
        }
        if (dir != Dir.SRC) {
            place(tryDst);
            Label hi = new Label();
            ld(W, 2);
            jeq(low, hi, f);
            place(hi);
            ld(H, 0);
            jeq(high, t, f);
        }
    }
}
