package podnet.node.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.conntrack.Conntrack;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.ConntrackFlows;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * The doctor's "conntrack table near full" against a real table: a throwaway namespace filled
 * with real entries over ctnetlink. nf_conntrack_count is per namespace, but nf_conntrack_max is
 * the host's (read-only in a child namespace), so the table is filled to 90% of the host's
 * maximum for real: ~236k entries at the default 262144, a few seconds and ~70 MiB of kernel
 * memory, all gone with the namespace.
 */
class DoctorConntrackTest {
    /** Above this maximum filling the table costs too much for a unit run: skipped then. */
    private static final long AFFORDABLE_MAX = 1 << 20;

    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("cleanup-ct");

    @Test
    void aTableFilledToNinetyPercentIsReportedWithItsRealCount() {
        Netns node = namespaces.add("node");
        long max = Long.parseLong(Sysctl.get(node, "net.netfilter.nf_conntrack_max"));
        assumeTrue(max > 0 && max <= AFFORDABLE_MAX, "nf_conntrack_max " + max + " is too large to fill in a test");

        ConntrackFlows.add(node, 0, 100);
        try (Conntrack ct = Conntrack.open(node)) {
            assertThat(ct.list()).hasSize(100); // real entries, listed by the kernel
        }
        Finding few = Doctor.conntrack(node);
        assertThat(few.ok()).as(few.toString()).isTrue();
        assertThat(few.detail()).isEqualTo("100 of " + max + " entries");

        long threshold = (long) Math.ceil(Doctor.CONNTRACK_LIMIT * max);
        ConntrackFlows.add(node, 100, (int) (threshold - 1 - 100));
        Finding below = Doctor.conntrack(node);
        assertThat(below.ok()).as(below.toString()).isTrue(); // one short of the limit

        ConntrackFlows.add(node, (int) (threshold - 1), 1);
        Finding full = Doctor.conntrack(node);
        assertThat(full.ok()).as(full.toString()).isFalse();
        assertThat(full.detail()).isEqualTo(threshold + " of " + max + " entries in use: new connections will be dropped");
        assertThat(full.fix()).contains("nf_conntrack_max");
    }

    @Test
    void theCountIsTheNamespacesOwn() {
        Netns full = namespaces.add("full"), other = namespaces.add("other");
        ConntrackFlows.add(full, 0, 50);
        assertThat(Doctor.conntrack(full).detail()).startsWith("50 of ");
        assertThat(Doctor.conntrack(other).detail()).startsWith("0 of ");
    }
}
