package podnet.node.cri;

import java.nio.file.Path;
import java.util.List;
import podnet.node.image.PodnetImages;

/**
 * A containerd 1.6/1.7 configuration (version 2) for a node whose pods run on podnet: the CRI
 * plugin's {@code sandbox_image} is podnet's pause and its CNI directories are where
 * {@code podnet cni install} put the plugins and the conflist.
 *
 * <p>Two forms. As a drop-in ({@code private} null) it holds only the CRI plugin's section, for
 * {@code imports = [...]} in /etc/containerd/config.toml or as a whole config: containerd 1.6
 * replaces an imported plugin section as a unit rather than merging it, so the section is
 * complete, not just the one key. As a private containerd ({@code privateDir} set) root, state,
 * sockets, runc's state and the sandboxes' netns files all live under that directory, the
 * plugins such an instance does not need are off, and the settings a throwaway instance needs
 * on a machine whose root lacks CAP_SYS_RESOURCE or AppArmor are on.
 */
public record ContainerdConfig(String sandboxImage, Path cniBinDir, Path cniConfDir, Path privateDir) {
    public static final Path DEFAULT_CNI_BIN = Path.of("/opt/cni/bin");
    public static final Path DEFAULT_CNI_CONF = Path.of("/etc/cni/net.d");
    /** Plugins a private CRI instance does without (and whose defaults would write outside its directory). */
    static final List<String> PRIVATE_DISABLED = List.of("io.containerd.internal.v1.opt",
            "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.zfs",
            "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
            "io.containerd.internal.v1.tracing");

    public ContainerdConfig {
        sandboxImage = sandboxImage == null || sandboxImage.isBlank() ? PodnetImages.PAUSE : sandboxImage;
        cniBinDir = cniBinDir == null ? DEFAULT_CNI_BIN : cniBinDir.toAbsolutePath();
        cniConfDir = cniConfDir == null ? DEFAULT_CNI_CONF : cniConfDir.toAbsolutePath();
        privateDir = privateDir == null ? null : privateDir.toAbsolutePath();
        if (sandboxImage.contains("\"") || sandboxImage.contains("\\") || sandboxImage.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("not an image reference: " + sandboxImage);
        }
    }

    /** The drop-in with podnet's pause and the default CNI directories. */
    public static final ContainerdConfig DEFAULT = new ContainerdConfig(null, null, null, null);

    /** A private containerd's gRPC socket (CRI and containerd's own API), under its directory. */
    public static Path socket(Path privateDir) {
        return privateDir.toAbsolutePath().resolve("containerd.sock");
    }

    public ContainerdConfig withPrivateDir(Path dir) {
        return new ContainerdConfig(sandboxImage, cniBinDir, cniConfDir, dir);
    }

    public String toml() {
        StringBuilder t = new StringBuilder();
        t.append("# containerd configuration written by `podnet cri config`: CRI runs pod sandboxes on podnet's pause\n");
        t.append("# and calls the CNI plugins in ").append(cniBinDir).append(" with the conflist in ").append(cniConfDir)
                .append(".\n");
        t.append("version = 2\n");
        if (privateDir != null) {
            t.append("\n# A private containerd: everything under ").append(privateDir).append('\n');
            t.append("root = ").append(quote(privateDir.resolve("root"))).append('\n');
            t.append("state = ").append(quote(privateDir.resolve("state"))).append('\n');
            t.append("disabled_plugins = [").append(String.join(", ", PRIVATE_DISABLED.stream().map(ContainerdConfig::quote).toList()))
                    .append("]\n\n");
            t.append("[grpc]\n  address = ").append(quote(socket(privateDir))).append('\n');
            t.append("\n[ttrpc]\n  address = \"\"\n\n[debug]\n  address = \"\"\n");
        }
        t.append('\n');
        String cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        t.append('[').append(cri).append("]\n");
        t.append("  sandbox_image = ").append(quote(sandboxImage)).append('\n');
        if (privateDir != null) {
            t.append("  # the sandbox netns files next to the rest, not in /run/netns\n");
            t.append("  netns_mounts_under_state_dir = true\n");
            t.append("  disable_apparmor = true\n");
            t.append("  # no oom_score_adj below containerd's own: root without CAP_SYS_RESOURCE cannot set one\n");
            t.append("  restrict_oom_score_adj = true\n");
            t.append("  stream_server_address = \"127.0.0.1\"\n  stream_server_port = \"0\"\n");
        }
        t.append("  [").append(cri).append(".containerd]\n");
        t.append("    snapshotter = \"overlayfs\"\n    default_runtime_name = \"runc\"\n");
        t.append("    [").append(cri).append(".containerd.runtimes.runc]\n");
        t.append("      runtime_type = \"io.containerd.runc.v2\"\n");
        if (privateDir != null) {
            t.append("      [").append(cri).append(".containerd.runtimes.runc.options]\n");
            t.append("        SystemdCgroup = false\n");
            t.append("        Root = ").append(quote(privateDir.resolve("runc"))).append('\n');
        }
        t.append("  [").append(cri).append(".cni]\n");
        t.append("    bin_dir = ").append(quote(cniBinDir)).append('\n');
        t.append("    conf_dir = ").append(quote(cniConfDir)).append('\n');
        t.append("    max_conf_num = 1\n");
        return t.toString();
    }

    private static String quote(Object o) {
        String s = o.toString();
        if (s.contains("\"") || s.contains("\\") || s.contains("\n")) {
            throw new IllegalArgumentException("cannot be written into a TOML string: " + s);
        }
        return '"' + s + '"';
    }
}
