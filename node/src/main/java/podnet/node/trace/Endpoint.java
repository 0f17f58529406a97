package podnet.node.trace;

import java.net.InetAddress;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;

/**
 * One end of a traced path: a pod (or any namespace) with its interface and address, and where
 * that interface's veth leads on the node: the host end and the bridge it is a port of (null
 * when it is not a port of any).
 */
public record Endpoint(String label, Netns netns, String ifname, InetAddress ip, MacAddress mac,
        Netns node, String hostVeth, String bridge) {}
