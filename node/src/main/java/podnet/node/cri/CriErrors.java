package podnet.node.cri;

import java.nio.file.Path;
import podnet.cri.CriException;
import podnet.node.image.PodnetImages;
import podnet.node.pod.PodException;

/**
 * A CRI failure as the user reads it: the runtime's own message, and a hint for the usual
 * causes (no runtime listening, an image it does not have).
 */
final class CriErrors {
    private CriErrors() {}

    static String startHint(Path socket) {
        return "start containerd (it serves CRI on " + CriPods.DEFAULT_SOCKET + "; e.g. `systemctl start containerd`,"
                + " or `containerd --config FILE` with [grpc] address), or point --cri-socket at its socket"
                + (socket.equals(CriPods.DEFAULT_SOCKET) ? "" : " (given: " + socket + ")")
                + "; no containerd? `apt-get install containerd runc`";
    }

    static String imageHint(String image) {
        return "podnet's images are built, not pulled: `podnet image import --cri-socket SOCKET` (or `podnet image build"
                + " --out DIR`, then `ctr -n k8s.io images import DIR/pause.tar` and `… DIR/busybox.tar`; " + PodnetImages.PAUSE
                + ", " + PodnetImages.BUSYBOX + ")" + (image.startsWith("localhost/podnet/") ? "" : "; or import " + image);
    }

    static PodException of(CriException e, Path socket, String image) {
        String msg = e.getMessage();
        String hint;
        if (e.unavailable()) {
            hint = startHint(socket);
        } else if (msg.contains("image") && (e.notFound() || msg.contains("not found") || msg.contains("pull"))) {
            hint = imageHint(image);
        } else {
            hint = "the runtime refused (" + e.method() + ", " + e.code() + "); its log says more";
        }
        return new PodException(msg, hint, e);
    }
}
