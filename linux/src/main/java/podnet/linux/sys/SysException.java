package podnet.linux.sys;

/**
 * A failed system call or kernel request: which call, the errno (with its name), and, for
 * netlink, the kernel's extended-ack text (e.g. "ipv4: Address already assigned").
 */
public class SysException extends RuntimeException {
    private final String call;
    private final int errno;
    private final String kernelMessage;

    public SysException(String call, int errno) {
        this(call, errno, null);
    }

    public SysException(String call, int errno, String kernelMessage) {
        super(format(call, errno, kernelMessage));
        this.call = call;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    private static String format(String call, int errno, String kernelMessage) {
        StringBuilder sb = new StringBuilder(call).append(": ").append(Errno.name(errno))
                .append(" (").append(Errno.describe(errno)).append(')');
        if (kernelMessage != null && !kernelMessage.isEmpty()) {
            sb.append(": ").append(kernelMessage);
        }
        return sb.toString();
    }

    /** The operation that failed, e.g. {@code setns} or {@code RTM_NEWLINK veth0}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The kernel's extended-ack message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }

    public boolean is(int errno) {
        return this.errno == errno;
    }
}
