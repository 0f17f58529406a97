package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import podnet.node.policy.PolicyManifest;

/** kubectl label's arguments: {@code KEY=VALUE} sets, {@code KEY-} removes. */
record LabelChanges(Map<String, String> set, List<String> remove) {
    static LabelChanges parse(List<String> args) {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                set.put(a.substring(0, eq), a.substring(eq + 1));
            } else if (a.endsWith("-") && a.length() > 1) {
                remove.add(a.substring(0, a.length() - 1));
            } else {
                throw new CliException("bad label change \"" + a + "\"", "give KEY=VALUE to set or KEY- to remove");
            }
        }
        PolicyManifest.checkLabels(set, "labels");
        return new LabelChanges(set, remove);
    }
}
