package podnet.node.trace;

import podnet.linux.ns.Netns;

/** A place on the path where frames are captured: an interface in a namespace. */
public record Hop(int number, String role, Netns netns, String device) {
    public String label() {
        return device + " (" + role + ")";
    }
}
