package podnet.node.bench;

import java.nio.file.Path;

/** A directory of CNI plugin executables under test: ours, or the reference Go plugins. */
public record PluginSet(String label, Path dir) {}
