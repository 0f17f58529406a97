package podnet.cni.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The CNI_* environment of one plugin call, validated like the reference's skel. */
public record CniEnv(Command command, String containerId, String netns, String ifName,
        CniArgs args, List<Path> path) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public static CniEnv parse(Map<String, String> env) {
        Command cmd = Command.parse(env.get("CNI_COMMAND"));
        if (cmd == Command.VERSION) {
            return new CniEnv(cmd, null, null, null, CniArgs.EMPTY, List.of());
        }
        String id = env.get("CNI_CONTAINERID");
        String netns = env.getOrDefault("CNI_NETNS", "");
        String ifName = env.get("CNI_IFNAME");
        String cniPath = env.get("CNI_PATH");
        List<String> missing = new ArrayList<>();
        if (cmd.perAttachment()) {
            if (id == null || id.isEmpty()) {
                missing.add("CNI_CONTAINERID");
            }
            if (cmd != Command.DEL && netns.isEmpty()) {
                missing.add("CNI_NETNS");
            }
            if (ifName == null || ifName.isEmpty()) {
                missing.add("CNI_IFNAME");
            }
        }
        if (cniPath == null || cniPath.isEmpty()) {
            missing.add("CNI_PATH");
        }
        if (!missing.isEmpty()) {
            throw CniError.env("required env variables [" + String.join(",", missing) + "] missing");
        }
        if (cmd.perAttachment()) {
            validateContainerId(id);
            validateIfName(ifName);
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : cniPath.split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        return new CniEnv(cmd, id, netns, ifName, CniArgs.parse(env.get("CNI_ARGS")), List.copyOf(dirs));
    }

    public static void validateContainerId(String id) {
        if (id == null || !CONTAINER_ID.matcher(id).matches()) {
            throw CniError.env("CNI_CONTAINERID: invalid characters in container ID \"" + id + "\"");
        }
    }

    public static void validateIfName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
                || badIfNameChar(name)) {
            throw CniError.env("CNI_IFNAME: invalid interface name \"" + name
                    + "\" (1-15 characters, not . or .., no '/', ':' or whitespace)");
        }
    }

    private static boolean badIfNameChar(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                return true;
            }
        }
        return false;
    }

    public boolean hasNetns() {
        return netns != null && !netns.isEmpty();
    }
}
