package podnet.cni.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The runtime side of CNI, in process (what libcni is to containerd): runs a network
 * configuration list's plugins in order for ADD (each getting the previous result as
 * prevResult), in reverse for DEL, and CHECK. podnet's own plugins (bridge, host-local,
 * loopback) run in this JVM through the same code as the executables; any other type is
 * exec'd from {@code binDirs} like a real runtime does.
 */
public interface CniRuntime {

    /** What a runtime passes for one attachment: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, capability args. */
    record Attachment(String containerId, Path netns, String ifName, Map<String, String> args,
            Map<String, Object> capabilityArgs) {}

    /** ADD through the whole list; returns the final result JSON. On failure DEL has been run and the CniError is thrown. */
    String add(Path conflist, Attachment attachment);

    /** DEL through the list in reverse; best effort and idempotent. */
    void del(Path conflist, Attachment attachment);

    /** CHECK through the list against the cached result of the last ADD. */
    void check(Path conflist, Attachment attachment);

    /** Where exec'd plugins are looked up, in order. */
    List<Path> binDirs();
}
