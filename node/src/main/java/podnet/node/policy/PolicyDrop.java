package podnet.node.policy;

import java.net.InetAddress;
import java.util.List;

/**
 * A packet the node's policy table dropped, as the kernel's trace of it says: its addresses,
 * protocol and ports, the direction whose isolation dropped it, and the policies isolating that
 * side (see {@link DeniedChains} for what "the policy that dropped it" means).
 *
 * @param sourcePort TCP/UDP port; for an ICMP echo its id (both ports), as observe keys flows
 * @param policies {@code ns/name} of each isolating policy of the direction, in table order
 * @param iif      the ifindex the packet came in on, as the forward hook saw it (0 if none)
 */
public record PolicyDrop(InetAddress source, InetAddress destination, int protocol, int sourcePort, int destinationPort,
        String direction, List<String> policies, long timeNanos, int iif) {

    public PolicyDrop {
        policies = List.copyOf(policies);
    }

    /** {@code by policy x/deny-all}, {@code by policies x/a, x/b}. */
    public String byPolicies() {
        return byPolicies(policies);
    }

    /** The same for a list of policy keys (for records that kept only the list). */
    public static String byPolicies(List<String> policies) {
        if (policies.isEmpty()) {
            return "by policy (unnamed: the table changed meanwhile)";
        }
        return "by " + (policies.size() == 1 ? "policy " : "policies ") + String.join(", ", policies);
    }

    /** Whether it is a packet from {@code a} to {@code b}. */
    public boolean between(InetAddress a, InetAddress b) {
        return a.equals(source) && b.equals(destination);
    }
}
