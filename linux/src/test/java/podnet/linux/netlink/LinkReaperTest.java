package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsWorkers;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/** Coalesced deletions: every caller returns with its veth gone, from both namespaces. */
class LinkReaperTest {
    @Test
    void concurrentDeletionsAllFinishAndLeaveNothing() {
        try (TestNetns namespaces = new TestNetns("reaper")) {
            Netns node = namespaces.add("node");
            List<Netns> pods = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(node)) {
                for (int i = 0; i < 8; i++) {
                    Netns pod = namespaces.add("pod" + i);
                    pods.add(pod);
                    indexes.add(h.batch().addVeth(new VethSpec("vethr" + i, "eth0", pod, 0, true, 0, null))
                            .send().getFirst().index());
                }
            }
            try (NsWorkers w = NsWorkers.start(node, 8, "reaper-test")) {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int index : indexes) {
                    fs.add(w.submit(() -> {
                        try (NetlinkHandle here = NetlinkHandle.open()) {
                            here.links().deleteCoalesced(index);
                            // gone by the time the call returns
                            assertThat(here.links().get(index)).isEmpty();
                        }
                        return null;
                    }));
                }
                fs.forEach(CompletableFuture::join);
                // a link that is gone already is fine
                w.call(() -> {
                    try (NetlinkHandle here = NetlinkHandle.open()) {
                        here.links().deleteCoalesced(indexes.getFirst());
                    }
                    return null;
                });
            }
            assertThat(Ip.json(node.name(), "link", "show").stream().map(m -> (String) m.get("ifname"))).containsExactly("lo");
            for (Netns pod : pods) {
                assertThat(Ip.json(pod.name(), "link", "show").stream().map(m -> (String) m.get("ifname"))).containsExactly("lo");
            }
        }
    }

    @Test
    void aHandleOfAnotherNamespaceDeletesPlainly() {
        try (TestNetns namespaces = new TestNetns("reaper")) {
            Netns node = namespaces.add("node"), pod = namespaces.add("pod");
            try (NetlinkHandle h = NetlinkHandle.open(node)) {
                int index = h.batch().addVeth(new VethSpec("vethr", "eth0", pod, 0, true, 0, null)).send().getFirst().index();
                h.links().deleteCoalesced(index);
                assertThat(h.links().get(index)).isEmpty();
                h.links().deleteCoalesced(index);
            }
        }
    }
}
