package podnet.cli;

import picocli.CommandLine;
import podnet.linux.sys.SysException;

/** Prints failures as one line on stderr (no stack trace) and exits non-zero. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        cl.getErr().println("podnet: " + msg);
        if (ex instanceof SysException s && s.is(podnet.linux.sys.Errno.EPERM)) {
            cl.getErr().println("podnet: this needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)");
        }
        if (System.getenv("PODNET_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
