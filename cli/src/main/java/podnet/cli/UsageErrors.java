package podnet.cli;

import picocli.CommandLine;

/**
 * Bad flags of the cluster commands as every podnet failure reads: {@code podnet: what} and a
 * {@code podnet: hint:} line, exit 2, nothing done. Other commands keep picocli's own report.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    private final CommandLine.IParameterExceptionHandler fallback;

    UsageErrors(CommandLine.IParameterExceptionHandler fallback) {
        this.fallback = fallback;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) throws Exception {
        CommandLine cmd = ex.getCommandLine();
        String qualified = cmd.getCommandSpec().qualifiedName();
        if (!qualified.startsWith("podnet node")) {
            return fallback.handleParseException(ex, args);
        }
        var err = cmd.getErr();
        err.println("podnet: " + ex.getMessage());
        err.println("podnet: hint: see `" + qualified + " --help`");
        err.flush();
        return NodeCommand.USAGE;
    }
}
