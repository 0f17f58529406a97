package podnet.node.cluster;

import java.time.Instant;

/** One row of {@code podnet node list}. {@code self} marks the node the state directory belongs to. */
public record NodeInfo(String name, String subnet, String publicIp, String backend, String vtepMac, Instant expires,
        boolean self) {}
