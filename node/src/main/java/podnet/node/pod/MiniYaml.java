package podnet.node.pod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small YAML subset a hand-written Pod manifest uses: block mappings and sequences
 * (including "- key: value" items), plain and quoted scalars, flow sequences {@code [a, "b"]},
 * {@code |} and {@code >} block scalars, comments and one document. Values come back as
 * {@code Map<String,Object>}, {@code List<Object>} and {@code String} (no typing: a manifest's
 * strings stay strings). Anything else is refused with its line number.
 */
public final class MiniYaml {
    private record Line(int number, int indent, String text) {}

    private final List<Line> lines = new ArrayList<>();
    private final List<String> raw;
    private int pos;

    private MiniYaml(String text) {
        raw = text.lines().toList();
        for (int i = 0; i < raw.size(); i++) {
            String l = raw.get(i);
            if (l.indexOf('\t') >= 0 && l.stripLeading().length() != l.length()
                    && l.substring(0, l.length() - l.stripLeading().length()).indexOf('\t') >= 0) {
                throw error(i + 1, "tabs are not allowed for indentation");
            }
            String content = stripComment(l).stripTrailing();
            String trimmed = content.strip();
            if (trimmed.isEmpty() || trimmed.equals("---")) {
                continue;
            }
            if (trimmed.equals("...")) {
                break;
            }
            lines.add(new Line(i + 1, content.length() - content.stripLeading().length(), trimmed));
        }
    }

    /** Parses one document; an empty document is an empty map. */
    public static Object parse(String text) {
        MiniYaml y = new MiniYaml(text);
        if (y.lines.isEmpty()) {
            return new LinkedHashMap<String, Object>();
        }
        Object v = y.block(y.lines.get(0).indent());
        if (y.pos < y.lines.size()) {
            Line l = y.lines.get(y.pos);
            throw error(l.number(), "unexpected indentation or content: " + l.text());
        }
        return v;
    }

    private Object block(int indent) {
        Line first = lines.get(pos);
        return isItem(first.text()) ? sequence(indent) : mapping(indent);
    }

    private static boolean isItem(String t) {
        return t.equals("-") || t.startsWith("- ");
    }

    private Map<String, Object> mapping(int indent) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (pos < lines.size()) {
            Line l = lines.get(pos);
            if (l.indent() < indent) {
                break;
            }
            if (l.indent() > indent || isItem(l.text())) {
                throw error(l.number(), "bad indentation: " + l.text());
            }
            int colon = keyColon(l.text());
            if (colon < 0) {
                throw error(l.number(), "expected \"key: value\": " + l.text());
            }
            String key = unquote(l.text().substring(0, colon).strip(), l.number());
            String rest = l.text().substring(colon + 1).strip();
            if (map.containsKey(key)) {
                throw error(l.number(), "duplicate key \"" + key + "\"");
            }
            pos++;
            map.put(key, value(rest, indent, l, true));
        }
        return map;
    }

    private List<Object> sequence(int indent) {
        List<Object> list = new ArrayList<>();
        while (pos < lines.size()) {
            Line l = lines.get(pos);
            if (l.indent() < indent || (l.indent() == indent && !isItem(l.text()))) {
                break;
            }
            if (l.indent() > indent) {
                throw error(l.number(), "bad indentation: " + l.text());
            }
            String rest = l.text().substring(1).strip();
            if (!rest.isEmpty() && keyColon(rest) > 0 && !rest.startsWith("[") && !rest.startsWith("\"")
                    && !rest.startsWith("'")) {
                // "- key: value": a mapping whose keys line up with "key".
                int inner = l.indent() + (l.text().length() - rest.length());
                lines.set(pos, new Line(l.number(), inner, rest));
                list.add(mapping(inner));
            } else {
                pos++;
                list.add(value(rest, indent, l, false));
            }
        }
        return list;
    }

    /** The value after "key:" or "-": inline, a nested block, or a block scalar. */
    private Object value(String rest, int indent, Line at, boolean sequenceMayAlign) {
        if (rest.equals("|") || rest.equals(">") || rest.equals("|-") || rest.equals(">-")) {
            return blockScalar(rest, indent, at);
        }
        if (!rest.isEmpty()) {
            return scalar(rest, at.number());
        }
        if (pos < lines.size()) {
            Line next = lines.get(pos);
            if (next.indent() > indent) {
                return block(next.indent());
            }
            if (sequenceMayAlign && next.indent() == indent && isItem(next.text())) {
                return sequence(indent); // "containers:\n- name: a" at the key's indent
            }
        }
        return null;
    }

    private String blockScalar(String style, int indent, Line at) {
        // Block scalars keep their raw lines (comments included), so read them from the source.
        List<String> body = new ArrayList<>();
        int bodyIndent = -1;
        int srcLine = at.number(); // 1-based line of the key; body starts after it
        while (srcLine < raw.size()) {
            String l = raw.get(srcLine);
            int ind = l.length() - l.stripLeading().length();
            if (!l.isBlank() && ind <= indent) {
                break;
            }
            if (!l.isBlank() && bodyIndent < 0) {
                bodyIndent = ind;
            }
            body.add(l.isBlank() ? "" : l.substring(Math.min(ind, bodyIndent)));
            srcLine++;
        }
        while (pos < lines.size() && lines.get(pos).number() <= srcLine) {
            pos++;
        }
        while (!body.isEmpty() && body.getLast().isEmpty()) {
            body.removeLast();
        }
        String text = style.startsWith("|") ? String.join("\n", body) : String.join(" ", body);
        return style.endsWith("-") ? text : text + "\n";
    }

    private static Object scalar(String s, int line) {
        if (s.startsWith("[")) {
            if (!s.endsWith("]")) {
                throw error(line, "unterminated flow sequence: " + s);
            }
            List<Object> items = new ArrayList<>();
            String inner = s.substring(1, s.length() - 1).strip();
            if (inner.isEmpty()) {
                return items;
            }
            for (String part : splitFlow(inner, line)) {
                items.add(unquote(part.strip(), line));
            }
            return items;
        }
        if (s.startsWith("{")) {
            if (s.equals("{}")) {
                return new LinkedHashMap<String, Object>();
            }
            throw error(line, "flow mappings are not supported: " + s);
        }
        if (s.startsWith("&") || s.startsWith("*") || s.startsWith("!")) {
            throw error(line, "anchors, aliases and tags are not supported: " + s);
        }
        return unquote(s, line);
    }

    private static List<String> splitFlow(String s, int line) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                cur.append(c);
            } else if (c == ',') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) {
            throw error(line, "unterminated quote in " + s);
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unquote(String s, int line) {
        if (s.startsWith("\"")) {
            if (s.length() < 2 || !s.endsWith("\"")) {
                throw error(line, "unterminated string: " + s);
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < s.length() - 1; i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() - 1) {
                    char e = s.charAt(++i);
                    sb.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case '"' -> '"';
                        case '\\' -> '\\';
                        default -> throw error(line, "unsupported escape \\" + e);
                    });
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
        if (s.startsWith("'")) {
            if (s.length() < 2 || !s.endsWith("'")) {
                throw error(line, "unterminated string: " + s);
            }
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return s;
    }

    /** Index of the colon that ends a key ("key: v" or "key:"), outside quotes; -1 if none. */
    private static int keyColon(String t) {
        char quote = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '\'') && i == 0) {
                quote = c;
            } else if (c == ':' && (i + 1 == t.length() || t.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        return -1;
    }

    private static String stripComment(String l) {
        char quote = 0;
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '\'') && (i == 0 || " [,:-".indexOf(l.charAt(i - 1)) >= 0)) {
                quote = c;
            } else if (c == '#' && (i == 0 || l.charAt(i - 1) == ' ')) {
                return l.substring(0, i);
            }
        }
        return l;
    }

    private static PodException error(int line, String what) {
        return new PodException("manifest line " + line + ": " + what,
                "podnet reads a small YAML subset: mappings, lists, quoted or plain strings, [a, b] lists");
    }
}
