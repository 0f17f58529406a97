package podnet.cni.spec;

/** CNI_COMMAND values. */
public enum Command {
    ADD, DEL, CHECK, STATUS, GC, VERSION;

    public static Command parse(String s) {
        if (s == null || s.isEmpty()) {
            throw CniError.env("CNI_COMMAND env variable missing");
        }
        for (Command c : values()) {
            if (c.name().equals(s)) {
                return c;
            }
        }
        throw CniError.env("unknown CNI_COMMAND \"" + s + "\" (expected ADD, DEL, CHECK, STATUS, GC or VERSION)");
    }

    /** Whether the command acts on one attachment (needs CNI_CONTAINERID and CNI_IFNAME). */
    public boolean perAttachment() {
        return this == ADD || this == DEL || this == CHECK;
    }
}
