package podnet.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.node.image.ImageException;
import podnet.node.image.PodnetImages;

/** {@code podnet image}: podnet's pause and busybox images, built without a registry. */
@Command(name = "image", description = "podnet's container images (pause, busybox) as OCI archives, no registry needed.",
        subcommands = {ImageCommand.Build.class})
final class ImageCommand extends CommandGroup {

    @Command(name = "build", description = "Write pause.tar and busybox.tar (OCI image layouts) into DIR; "
            + "load them with `ctr -n k8s.io images import FILE`.")
    static final class Build extends CliCommand {
        @Option(names = "--out", paramLabel = "DIR", description = "Where the archives go (default: <state-dir>/images).")
        Path out;

        Build(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Path dir = out != null ? out : cli.stateDir.resolve("images");
            List<PodnetImages.Built> built;
            try {
                built = PodnetImages.build(dir);
            } catch (ImageException e) {
                throw new CliException(e.getMessage(), e.hint());
            }
            if (cli.json) {
                JsonOutput.print(cli.out, built.stream().map(b -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("image", b.ref());
                    m.put("archive", b.archive().toString());
                    m.put("bytes", b.bytes());
                    return m;
                }).toList());
                return 0;
            }
            Table t = new Table("IMAGE", "ARCHIVE", "SIZE");
            built.forEach(b -> t.row(b.ref(), b.archive().toString(), b.bytes() / 1024 + " KiB"));
            t.print(cli.out);
            return 0;
        }
    }
}
