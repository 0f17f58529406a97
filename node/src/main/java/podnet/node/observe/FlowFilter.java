package podnet.node.observe;

import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which flows to show: of a pod (either end), with a verdict, of a protocol (tcp, udp, icmp —
 * ICMPv6 included — or arp). Null means any.
 */
public record FlowFilter(String pod, Verdict verdict, String protocol) implements Predicate<FlowRecord> {
    public static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp", "arp");
    public static final FlowFilter ALL = new FlowFilter(null, null, null);

    /** From command-line words; a bad verdict or protocol fails naming the choices. */
    public static FlowFilter parse(String pod, String verdict, String protocol) {
        Verdict v = null;
        if (verdict != null) {
            try {
                v = Verdict.valueOf(verdict.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--verdict " + verdict + ": one of forwarded, dropped, error, seen");
            }
        }
        String p = protocol == null ? null : protocol.toLowerCase(Locale.ROOT);
        if (p != null && !PROTOCOLS.contains(p)) {
            throw new IllegalArgumentException("--protocol " + protocol + ": one of tcp, udp, icmp, arp");
        }
        return new FlowFilter(pod, v, p);
    }

    @Override
    public boolean test(FlowRecord r) {
        if (pod != null && !r.involves(pod)) {
            return false;
        }
        if (verdict != null && r.verdict() != verdict) {
            return false;
        }
        if (protocol == null) {
            return true;
        }
        return protocol.equals("icmp") ? r.protocol().startsWith("icmp") : protocol.equals(r.protocol());
    }
}
