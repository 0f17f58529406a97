package podnet.node.policy;

import java.util.List;

/** One ingress or egress rule: from/to these peers (none: every peer) on these ports (none: every port). */
public record PolicyRule(List<PolicyPeer> peers, List<PolicyPort> ports) {
    public PolicyRule {
        peers = List.copyOf(peers);
        ports = List.copyOf(ports);
    }
}
