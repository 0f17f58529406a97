package podnet.linux.netlink;

/**
 * Changes to an existing link in one RTM_NEWLINK (see {@link RtBatch#setLink}); null leaves a
 * setting as it is. {@code group} is the link group (IFLA_GROUP), which a group delete takes.
 */
public record LinkChange(Boolean up, Integer masterIndex, Integer group) {
    public static LinkChange setUp() {
        return new LinkChange(true, null, null);
    }

    public static LinkChange inGroup(int group) {
        return new LinkChange(null, null, group);
    }
}
