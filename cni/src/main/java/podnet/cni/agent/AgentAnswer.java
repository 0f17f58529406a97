package podnet.cni.agent;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;

/**
 * The agent's answer to a {@link PodEvent}, one line of JSON: {@code {"ok":true,"detail":"…"}}
 * once the pod's elements are in (or out of) the node's sets, or {@code {"ok":false,"error":"…"}}.
 */
public record AgentAnswer(boolean ok, String text) {
    public static AgentAnswer done(String detail) {
        return new AgentAnswer(true, detail);
    }

    public static AgentAnswer failed(String error) {
        return new AgentAnswer(false, error);
    }

    public String line() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        m.put(ok ? "detail" : "error", text == null ? "" : text);
        return Json.writeString(m) + "\n";
    }

    /** IllegalArgumentException when the line is not an answer. */
    public static AgentAnswer parse(String line) {
        try {
            Map<String, Object> m = Json.parseObject(line.getBytes(StandardCharsets.UTF_8), "agent answer");
            if (!(m.get("ok") instanceof Boolean ok)) {
                throw new IllegalArgumentException("agent answer: no \"ok\"");
            }
            return new AgentAnswer(ok, Json.str(m, ok ? "detail" : "error", ""));
        } catch (CniError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
