package podnet.node.image;

import java.util.List;

/** What an image tells the runtime to run: the OCI image config's entrypoint, cmd and env. */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env) {
    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
    }
}
