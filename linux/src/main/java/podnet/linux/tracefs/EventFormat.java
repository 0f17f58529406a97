package podnet.linux.tracefs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracepoint's {@code format} file: its id, its fields (offset and size in the raw record),
 * and the value names of fields printed through {@code __print_symbolic}, such as
 * {@code kfree_skb}'s {@code reason} ({@code { 12, "NETFILTER_DROP" }, ...}).
 */
public record EventFormat(String name, int id, Map<String, Field> fields, Map<String, Map<Integer, String>> symbols) {
    public record Field(String declaration, int offset, int size, boolean signed) {}

    private static final Pattern FIELD = Pattern.compile(
            "field:(.+?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:(\\d);");
    private static final Pattern SYMBOLIC = Pattern.compile("__print_symbolic\\(REC->(\\w+),");
    private static final Pattern PAIR = Pattern.compile("\\{\\s*(-?(?:0x[0-9a-fA-F]+|\\d+))\\s*,\\s*\"([^\"]*)\"\\s*\\}");

    public EventFormat {
        fields = Map.copyOf(fields);
        symbols = Map.copyOf(symbols);
    }

    public static EventFormat parse(String text) {
        String name = null;
        int id = -1;
        Map<String, Field> fields = new LinkedHashMap<>();
        Map<String, Map<Integer, String>> symbols = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("name:")) {
                name = l.substring(5).strip();
            } else if (l.startsWith("ID:")) {
                id = Integer.parseInt(l.substring(3).strip());
            } else if (l.startsWith("field:")) {
                Matcher m = FIELD.matcher(l);
                if (m.find()) {
                    String decl = m.group(1).strip();
                    String fieldName = decl.replaceAll("\\[.*]$", "").replaceAll(".*[\\s*]", "");
                    fields.put(fieldName, new Field(decl, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                            "1".equals(m.group(4))));
                }
            } else if (l.startsWith("print fmt:")) {
                Matcher s = SYMBOLIC.matcher(l);
                while (s.find()) {
                    symbols.put(s.group(1), table(l, s.end()));
                }
            }
        }
        if (name == null || id < 0) {
            throw new IllegalArgumentException("not a tracepoint format file (no name or ID)");
        }
        return new EventFormat(name, id, fields, symbols);
    }

    /** The {value, "NAME"} pairs from {@code from} to the parenthesis closing the call. */
    private static Map<Integer, String> table(String fmt, int from) {
        int depth = 1, end = from;
        while (end < fmt.length() && depth > 0) {
            char c = fmt.charAt(end++);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        }
        Map<Integer, String> out = new LinkedHashMap<>();
        Matcher p = PAIR.matcher(fmt.substring(from, end));
        while (p.find()) {
            String v = p.group(1);
            out.put(v.startsWith("0x") || v.startsWith("-0x") ? Integer.decode(v) : Integer.parseInt(v), p.group(2));
        }
        return Map.copyOf(out);
    }

    /** The name printed for {@code value} of {@code field}, or null if the table has none. */
    public String symbol(String field, int value) {
        Map<Integer, String> t = symbols.get(field);
        return t == null ? null : t.get(value);
    }

    /** The value whose name is {@code symbol}, or -1. */
    public int valueOf(String field, String symbol) {
        Map<Integer, String> t = symbols.getOrDefault(field, Map.of());
        return t.entrySet().stream().filter(e -> e.getValue().equals(symbol)).mapToInt(Map.Entry::getKey)
                .findFirst().orElse(-1);
    }
}
