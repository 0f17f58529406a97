package podnet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.fs.AtomicFile;
import podnet.node.cri.ContainerdConfig;

/** {@code podnet cri}: containerd's CRI plugin on a podnet node. */
@Command(name = "cri", description = "containerd's CRI plugin on a podnet node.", subcommands = CriCommand.Config.class)
final class CriCommand extends CommandGroup {

    @Command(name = "config", description = "Write containerd's configuration (version 2, containerd 1.6/1.7) with the CRI "
            + "plugin's sandbox_image = podnet's pause and its CNI directories; a drop-in for `imports`, or with --private "
            + "a whole config for a containerd of its own.")
    static final class Config extends CliCommand {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here (default: print).")
        Path output;

        @Option(names = "--sandbox-image", paramLabel = "REF", description = "The pause image (default: "
                + podnet.node.image.PodnetImages.PAUSE + ").")
        String sandboxImage;

        @Option(names = "--cni-bin-dir", paramLabel = "DIR", description = "Where `podnet cni install --bin-dir` put the plugins "
                + "(default: /opt/cni/bin).")
        Path cniBin;

        @Option(names = "--cni-conf-dir", paramLabel = "DIR", description = "Where the conflist is (default: /etc/cni/net.d).")
        Path cniConf;

        @Option(names = "--private", paramLabel = "DIR", description = "A whole config for a private containerd: root, state, "
                + "sockets (DIR/containerd.sock), runc state and sandbox netns files under DIR.")
        Path privateDir;

        Config(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            String toml;
            try {
                toml = new ContainerdConfig(sandboxImage, cniBin, cniConf, privateDir).toml();
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), "e.g. --sandbox-image localhost/podnet/pause:0.1.0");
            }
            if (output == null) {
                cli.out.print(toml);
                return 0;
            }
            try {
                Path parent = output.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                AtomicFile.write(output, toml);
            } catch (IOException | UncheckedIOException e) {
                throw new CliException("cannot write " + output + ": " + e.getMessage(), "check the directory and your rights");
            }
            cli.out.println("wrote " + output + (privateDir == null
                    ? " (add it to /etc/containerd/config.toml's imports = [...], or use it as the whole config)"
                    : " (containerd --config " + output + " listens on " + ContainerdConfig.socket(privateDir) + ")"));
            return 0;
        }
    }
}
