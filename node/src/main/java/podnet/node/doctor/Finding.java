package podnet.node.doctor;

import java.util.LinkedHashMap;
import java.util.Map;

/** One check's verdict: what was checked, whether it is fine, what was found, and the fix. */
public record Finding(String check, boolean ok, String detail, String fix) {
    static Finding ok(String check, String detail) {
        return new Finding(check, true, detail, null);
    }

    static Finding wrong(String check, String detail, String fix) {
        return new Finding(check, false, detail, fix);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("check", check);
        m.put("ok", ok);
        m.put("detail", detail);
        if (fix != null) {
            m.put("fix", fix);
        }
        return m;
    }
}
