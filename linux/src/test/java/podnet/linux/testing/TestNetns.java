package podnet.linux.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

/**
 * Throwaway named network namespaces with test-unique names, all removed by {@link #close()}
 * (use it in try-with-resources or @AfterEach, so a failing test still cleans up). Deleting a
 * namespace destroys every link in it, so tests never need to delete their veths one by one.
 */
public final class TestNetns implements AutoCloseable {
    private final String prefix;
    private final List<String> created = Collections.synchronizedList(new ArrayList<>());

    public TestNetns() {
        this("pn");
    }

    public TestNetns(String label) {
        Root.assume();
        this.prefix = label + "-" + Long.toHexString(ProcessHandle.current().pid()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }

    /** A unique name made from {@code base} (e.g. "netA" → "pn-1a2b-3c4d5-netA"). */
    public String name(String base) {
        return prefix + "-" + base;
    }

    /** Creates a namespace named {@link #name(String)} of {@code base}. */
    public Netns add(String base) {
        String n = name(base);
        created.add(n);
        return NamedNetns.add(n);
    }

    /** Registers a namespace something else will create under {@code fullName}, for cleanup. */
    public void track(String fullName) {
        created.add(fullName);
    }

    /** A unique interface name of at most 15 characters. */
    public static String ifname(String base) {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String b = base.length() > 10 ? base.substring(0, 10) : base;
        return b + suffix;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        List<String> names = new ArrayList<>(created);
        Collections.reverse(names);
        for (String n : names) {
            try {
                NamedNetns.deleteIfExists(n);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        created.clear();
        if (first != null) {
            throw first;
        }
    }
}
