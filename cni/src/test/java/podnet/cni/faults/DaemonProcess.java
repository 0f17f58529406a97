package podnet.cni.faults;

import java.nio.file.Path;
import podnet.cni.daemon.Podnetd;

/** podnetd as its own process, for the fault tests: what {@code podnet daemon run} runs. */
public final class DaemonProcess {
    private DaemonProcess() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(Podnetd.runUntilStopped(Path.of(args[0]), System.err));
    }
}
