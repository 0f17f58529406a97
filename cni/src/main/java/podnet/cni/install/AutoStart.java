package podnet.cni.install;

/**
 * Whether the installed shims start a podnetd when none listens, and how long such a daemon
 * stays without calls: written to {@value #FILE} next to the executables, where the shim reads
 * it (PODNET_AUTOSTART and PODNET_IDLE_EXIT in the caller's environment win over it).
 */
public record AutoStart(boolean enabled, long idleExitSeconds) {
    public static final String FILE = "podnet-shim.conf";
    public static final AutoStart DEFAULT = new AutoStart(true, 600);

    public AutoStart {
        if (idleExitSeconds < 1) {
            throw new IllegalArgumentException("the idle exit must be at least 1 second, not " + idleExitSeconds);
        }
    }

    String file() {
        return "# podnet's exec shim (written by `podnet cni install`): start podnetd when none listens,\n"
                + "# and how long (seconds) a podnetd it started stays without calls. PODNET_AUTOSTART=0 and\n"
                + "# PODNET_IDLE_EXIT in the caller's environment win over these.\n"
                + "autostart=" + (enabled ? "on" : "off") + "\n"
                + "idle-exit=" + idleExitSeconds + "\n";
    }
}
