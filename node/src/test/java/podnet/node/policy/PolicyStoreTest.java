package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored policies are parsed once per process and read again after any store's change. */
class PolicyStoreTest {
    @TempDir
    Path state;

    @Test
    void listsAreReusedUntilAChangeAndOnlyChangedFilesAreParsedAgain() {
        PolicyStore one = new PolicyStore(state), other = new PolicyStore(state); // as two processes' stores
        one.save(RulesetCompilerTest.policy("x", "a", "podSelector: {}"));
        one.save(RulesetCompilerTest.policy("y", "b", "podSelector: {}"));
        List<NetworkPolicy> first = one.list();
        assertThat(first).extracting(NetworkPolicy::key).containsExactly("x/a", "y/b");
        assertThat(other.list()).as("no change: the same list").isSameAs(first);

        other.save(RulesetCompilerTest.policy("y", "b", "podSelector: {matchLabels: {pod: b}}"));
        List<NetworkPolicy> second = one.list();
        assertThat(second.get(1).podSelector().matchLabels()).containsEntry("pod", "b");
        assertThat(second.get(0)).as("x/a unchanged: not parsed again").isSameAs(first.get(0));

        assertThat(other.delete("x", "a")).isTrue();
        assertThat(one.list()).extracting(NetworkPolicy::key).containsExactly("y/b");
        assertThat(other.delete("x", "a")).isFalse();
    }

    @Test
    void aStoreWithoutGenerationIsReadEveryTime() throws Exception {
        new PolicyStore(state).save(RulesetCompilerTest.policy("x", "a", "podSelector: {}"));
        Files.delete(state.resolve("policies/.generation"));
        PolicyStore s = new PolicyStore(state);
        List<NetworkPolicy> first = s.list();
        assertThat(s.list()).isNotSameAs(first).isEqualTo(first);
    }
}
