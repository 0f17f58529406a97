package podnet.cni.spec;

/**
 * How a plugin reaches the plugins it delegates to (the bridge's IPAM). {@link #CNI_PATH}: the
 * way the reference does, by exec'ing the first executable of that name in CNI_PATH, which
 * runs in this JVM only when it is podnet's own installed shim of the same build (the same
 * code). {@link #IN_PROCESS}: podnet's own runtime, which already runs our plugin types in
 * this JVM whatever CNI_PATH holds, does so for delegated ones too.
 */
public enum Delegation {
    CNI_PATH,
    IN_PROCESS
}
