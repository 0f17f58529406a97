package podnet.node.pod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/**
 * A manifest's YAML (1.2, parsed by snakeyaml-engine) as {@code Map<String,Object>},
 * {@code List<Object>} and {@code String}. Scalars stay strings (the failsafe schema: a
 * manifest's {@code "3600"} and {@code 3600} are the same argument) and an empty plain value is
 * null. Anchors, aliases and tags are refused: a Pod manifest has no use for them, and an alias
 * would make one value appear in two places. Every error names its line and column.
 */
public final class ManifestYaml {
    private ManifestYaml() {}

    private static final String HINT = "fix the YAML at that line and column (indent with spaces, close quotes and brackets)";

    /** Parses one document; an empty document is an empty map. */
    public static Object parse(String text) {
        LoadSettings settings = LoadSettings.builder().setSchema(new FailsafeSchema())
                .setAllowNonScalarKeys(true) // refused below, with a position
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            throw error(e);
        } catch (YamlEngineException e) {
            throw new PodException("manifest: " + e.getMessage(), HINT);
        }
        return root.map(ManifestYaml::value).orElseGet(LinkedHashMap::new);
    }

    private static Object value(Node node) {
        if (node.getAnchor().isPresent() || !node.isResolved()) {
            throw error(node, "anchors, aliases and tags are not supported");
        }
        return switch (node) {
            case ScalarNode s -> s.isPlain() && s.getValue().isEmpty() ? null : s.getValue();
            case SequenceNode s -> {
                List<Object> list = new ArrayList<>();
                s.getValue().forEach(item -> list.add(value(item)));
                yield list;
            }
            case MappingNode m -> mapping(m);
            default -> throw error(node, "unsupported YAML node " + node.getNodeType());
        };
    }

    private static Map<String, Object> mapping(MappingNode m) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(value(t.getKeyNode()) instanceof String key)) {
                throw error(t.getKeyNode(), "a key must be a string");
            }
            if (map.containsKey(key)) {
                throw error(t.getKeyNode(), "duplicate key \"" + key + "\"");
            }
            map.put(key, value(t.getValueNode()));
        }
        return map;
    }

    private static PodException error(Node at, String what) {
        return new PodException("manifest " + where(at.getStartMark()) + ": " + what, HINT);
    }

    /** The parser's problem where it found it, and what it was reading when that started elsewhere. */
    private static PodException error(MarkedYamlEngineException e) {
        StringBuilder what = new StringBuilder("manifest ").append(where(e.getProblemMark()))
                .append(": ").append(e.getProblem());
        if (e.getContext() != null && !e.getContext().isBlank()) {
            what.append(" (").append(e.getContext());
            e.getContextMark().filter(c -> !sameLine(c, e.getProblemMark()))
                    .ifPresent(c -> what.append(" from ").append(where(Optional.of(c))));
            what.append(')');
        }
        return new PodException(what.toString(), HINT);
    }

    private static boolean sameLine(Mark a, Optional<Mark> b) {
        return b.isPresent() && b.get().getLine() == a.getLine();
    }

    /** snakeyaml counts from 0; editors and people from 1. */
    private static String where(Optional<Mark> mark) {
        return mark.map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("(no position)");
    }
}
