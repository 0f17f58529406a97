package podnet.node.cri;

import java.nio.file.Path;
import java.util.List;

/**
 * How a pod runs on a CRI runtime: the runtime's socket, the image its containers run, the
 * hostPorts, and the sandbox's parent cgroup (empty: the runtime's default).
 */
public record CriPodOptions(Path socket, String image, List<HostPortSpec> ports, String cgroupParent) {
    public CriPodOptions {
        socket = socket == null ? CriPods.DEFAULT_SOCKET : socket;
        image = image == null || image.isBlank() ? podnet.node.image.PodnetImages.BUSYBOX : image;
        ports = ports == null ? List.of() : List.copyOf(ports);
        cgroupParent = cgroupParent == null ? "" : cgroupParent;
    }
}
