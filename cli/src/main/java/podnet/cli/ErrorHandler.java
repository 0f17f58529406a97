package podnet.cli;

import picocli.CommandLine;
import podnet.linux.sys.Errno;
import podnet.linux.sys.SysException;
import podnet.node.pod.PodException;
import podnet.node.policy.PolicyException;

/** Prints failures as "podnet: what" plus a "hint:" line on stderr (no stack trace); exit 1. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        var err = cl.getErr();
        err.println("podnet: " + msg);
        String hint = switch (ex) {
            case CliException c -> c.hint();
            case PodException p -> p.hint();
            case PolicyException p -> p.hint();
            case podnet.node.cluster.ClusterException c -> c.hint();
            case SysException s when s.is(Errno.EPERM) -> "this needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN)";
            case SysException s when s.is(Errno.EEXIST) -> "it exists already; pick another name or remove it first";
            case SysException s when s.is(Errno.ENODEV) -> "check the name with `podnet link show` (and -n NETNS)";
            case IllegalArgumentException i -> "see `" + cl.getCommandSpec().qualifiedName() + " --help`";
            default -> null;
        };
        if (hint != null) {
            err.println("podnet: hint: " + hint);
        }
        if (System.getenv("PODNET_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ex instanceof CliException c ? c.exitCode() : 1;
    }
}
