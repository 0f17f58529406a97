package podnet.linux.nftables;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.linux.testing.Ip;

/**
 * nft(8) as the independent oracle, always run inside a throwaway namespace (never the root
 * one): {@code nft -j list ruleset} parsed into its tables, chains, sets and rules.
 */
final class Nft {
    private final String netns;
    private final List<Map<String, Object>> objects;

    private Nft(String netns, List<Map<String, Object>> objects) {
        this.netns = netns;
        this.objects = objects;
    }

    @SuppressWarnings("unchecked")
    static Nft ruleset(String netns) {
        String out = run(netns, "-j", "list", "ruleset");
        try {
            Map<String, Object> root = JSON.std.mapFrom(out);
            return new Nft(netns, (List<Map<String, Object>>) root.get("nftables"));
        } catch (IOException e) {
            throw new AssertionError("nft -j output did not parse: " + out, e);
        }
    }

    /** Runs nft inside {@code netns}; fails the test if it fails. */
    static String run(String netns, String... args) {
        if (netns == null || netns.isEmpty()) {
            throw new IllegalArgumentException("nft only ever runs inside a test namespace");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "nft"));
        cmd.addAll(List.of(args));
        return Ip.run(cmd.toArray(String[]::new)).ok().out();
    }

    /** Every object of one kind ("table", "chain", "set", "rule"). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> all(String kind) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> o : objects) {
            if (o.containsKey(kind)) {
                out.add((Map<String, Object>) o.get(kind));
            }
        }
        return out;
    }

    Map<String, Object> set(String name) {
        return all("set").stream().filter(s -> name.equals(s.get("name"))).findFirst().orElse(null);
    }

    /** The elements of a set as text ("10.244.2.5"); empty if the set has none. */
    List<String> elements(String set) {
        Map<String, Object> s = set(set);
        if (s == null || s.get("elem") == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object e : (List<?>) s.get("elem")) {
            out.add(String.valueOf(e));
        }
        return out;
    }

    List<String> ruleComments() {
        return all("rule").stream().map(r -> (String) r.get("comment")).toList();
    }

    /** The chain's rules as nft prints them (text, not JSON), handles stripped. */
    String chainText(String table, String chain) {
        return chainText("inet", table, chain);
    }

    String chainText(String family, String table, String chain) {
        return run(netns, "list", "chain", family, table, chain);
    }
}
