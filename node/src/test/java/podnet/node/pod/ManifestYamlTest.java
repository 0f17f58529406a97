package podnet.node.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Manifest YAML: values stay strings, and every refusal says where (line and column, from 1). */
class ManifestYamlTest {

    private static void refused(String yaml, String message) {
        assertThatThrownBy(() -> ManifestYaml.parse(yaml)).isInstanceOf(PodException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((PodException) e).hint()).contains("line and column"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void scalarsStayStringsAndAnEmptyValueIsNull() {
        Map<String, Object> doc = (Map<String, Object>) ManifestYaml.parse("a: [1, true, null, ~, '']\nb:\nc: {x: 2}\n");
        assertThat(doc.get("a")).isEqualTo(List.of("1", "true", "null", "~", ""));
        assertThat(doc).containsKey("b");
        assertThat(doc.get("b")).isNull();
        assertThat(doc.get("c")).isEqualTo(Map.of("x", "2"));
    }

    @Test
    void anEmptyDocumentIsAnEmptyMapping() {
        assertThat(ManifestYaml.parse("")).isEqualTo(Map.of());
        assertThat(ManifestYaml.parse("# only a comment\n")).isEqualTo(Map.of());
    }

    @Test
    void badIndentation() {
        refused("a: 1\n   b: 2\n", "manifest line 2, column 5: mapping values are not allowed here");
    }

    @Test
    void anUnterminatedQuote() {
        refused("metadata:\n  name: \"open\n", "manifest line 3, column 1: found unexpected end of stream"
                + " (while scanning a quoted scalar from line 2, column 9)");
    }

    @Test
    void anUnclosedFlowSequence() {
        refused("command: [sleep, 3600\nargs: []\n", "manifest line 2, column 5: expected ',' or ']', but got :"
                + " (while parsing a flow sequence from line 1, column 10)");
    }

    @Test
    void aTabInTheIndentation() {
        refused("spec:\n\tcontainers: []\n", "manifest line 2, column 1: found character '\\t(TAB)' that cannot start any"
                + " token. (Do not use \\t(TAB) for indentation) (while scanning for the next token)");
    }

    @Test
    void aDuplicateKey() {
        refused("metadata:\n  name: a\n  name: b\n", "manifest line 3, column 3: duplicate key \"name\"");
    }

    @Test
    void anchorsAliasesAndTags() {
        refused("a: &anchor x\n", "manifest line 1, column 4: anchors, aliases and tags are not supported");
        refused("a: !!int 3\n", "manifest line 1, column 4: anchors, aliases and tags are not supported");
        refused("a: x\nb: *x\n", "manifest line 2, column 4: found undefined alias x");
    }

    @Test
    void twoDocuments() {
        refused("a: 1\n---\nb: 2\n", "manifest line 2, column 1: but found another document"
                + " (expected a single document in the stream from line 1, column 1)");
    }

    @Test
    void aNonStringKey() {
        refused("? [a, b]\n: c\n", "manifest line 1, column 3: a key must be a string");
    }
}
