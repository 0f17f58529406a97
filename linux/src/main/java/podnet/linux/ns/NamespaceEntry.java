package podnet.linux.ns;

/**
 * One namespace as {@code lsns} lists it. {@code pid} is the lowest process inside (0 when only a
 * bind mount holds it, then {@code boundAt} names the mount); {@code user} the owner of that
 * process; {@code command} its command line.
 */
public record NamespaceEntry(long inode, String type, int nprocs, long pid, String user,
        String command, String boundAt) {}
