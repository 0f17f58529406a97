package podnet.linux.ns;

/** The names iproute2 accepts for a named netns: a single path component, no '/' or NUL. */
final class NetnsName {
    private NetnsName() {}

    static void validate(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".")
                || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid netns name \"" + name
                    + "\": use a single path component without '/'");
        }
    }
}
