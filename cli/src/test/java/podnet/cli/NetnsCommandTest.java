package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** The article's first steps: ip netns add / exec / attach, with podnet and ip side by side. */
class NetnsCommandTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("cli");
    Podnet podnet = new Podnet();
    Process sleeper;

    @AfterEach
    void tearDown() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void addListExecDeleteInteroperateWithIpNetns() {
        String mine = namespaces.name("netA");
        String theirs = namespaces.name("netB");
        namespaces.track(mine);
        namespaces.track(theirs);

        podnet.run("netns", "add", mine).ok();
        assertThat(Ip.run("ip", "netns", "list").ok().out()).contains(mine);

        Ip.run("ip", "netns", "add", theirs).ok();
        assertThat(podnet.run("netns", "list").ok().out()).contains(mine).contains(theirs);
        assertThat(podnet.run("netns", "list", "-j").ok().jsonList())
                .extracting(m -> m.get("name")).contains(mine, theirs);

        // A new namespace has only lo, and it is down.
        Podnet.Result links = podnet.run("netns", "exec", mine, "--", "ip", "-o", "link").ok();
        assertThat(links.out()).contains("lo:").doesNotContain("eth0").contains("state DOWN");
        assertThat(podnet.run("netns", "exec", mine, "--", "sh", "-c", "exit 3").exit()).isEqualTo(3);

        podnet.run("netns", "del", theirs).ok();
        assertThat(Ip.run("ip", "netns", "list").ok().out()).doesNotContain(theirs);
        Ip.run("ip", "netns", "del", mine).ok();
        assertThat(podnet.run("netns", "list").ok().out()).doesNotContain(mine);
    }

    @Test
    void attachNamesARunningProcesssNamespace() throws Exception {
        Root.assumeProgram("unshare");
        sleeper = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        Path nsLink = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "net");
        long inode = waitForOwnNetns(nsLink);
        String name = namespaces.name("docker");
        namespaces.track(name);

        podnet.run("netns", "attach", name, Long.toString(sleeper.pid())).ok();

        Map<String, Object> row = podnet.run("-j", "netns", "list").ok().jsonList().stream()
                .filter(m -> name.equals(m.get("name"))).findFirst().orElseThrow();
        assertThat(((Number) row.get("ns")).longValue()).isEqualTo(inode);
        assertThat(Ip.run("ip", "netns", "exec", name, "true").exit()).isZero();
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String name = namespaces.name("x");
        namespaces.track(name);
        podnet.run("netns", "add", name).ok();

        Podnet.Result again = podnet.run("netns", "add", name);
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("exists already").contains("hint:");
        assertThat(NamedNetns.exists(name)).isTrue();

        String missing = namespaces.name("missing");
        Podnet.Result del = podnet.run("netns", "del", missing);
        assertThat(del.exit()).isNotZero();
        assertThat(del.err()).contains("does not exist").contains("podnet netns add");

        Podnet.Result exec = podnet.run("netns", "exec", missing, "--", "true");
        assertThat(exec.exit()).isNotZero();
        assertThat(exec.err()).contains("does not exist");

        Podnet.Result noCommand = podnet.run("netns", "exec", name);
        assertThat(noCommand.exit()).isNotZero();
        assertThat(noCommand.err()).contains("no command");

        Podnet.Result noProgram = podnet.run("netns", "exec", name, "--", "no-such-program-xyz");
        assertThat(noProgram.exit()).isNotZero();
        assertThat(noProgram.err()).contains("cannot run no-such-program-xyz").contains("hint:");

        Podnet.Result badName = podnet.run("netns", "add", "a/b");
        assertThat(badName.exit()).isNotZero();
        assertThat(badName.err()).contains("invalid netns name");

        Podnet.Result noPid = podnet.run("netns", "attach", namespaces.name("y"), "999999999");
        assertThat(noPid.exit()).isNotZero();
        assertThat(NamedNetns.exists(namespaces.name("y"))).isFalse();
        assertThat(NamedNetns.list()).doesNotContain(missing);
    }

    static long waitForOwnNetns(Path nsLink) throws InterruptedException {
        long host = NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
        for (int i = 0; i < 100; i++) {
            long inode = NamespaceTable.inode(nsLink);
            if (inode > 0 && inode != host) {
                return inode;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process never entered its own namespace: " + nsLink);
    }
}
