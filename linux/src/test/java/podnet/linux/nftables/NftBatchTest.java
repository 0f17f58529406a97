package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** nf_tables batches against the kernel (NetlinkSocket.batch): all or nothing, errors per change. */
class NftBatchTest {
    static final int INET = NfTables.NFPROTO_INET;

    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("nftb");
    Netns ns;
    NetlinkSocket socket;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("nft");
        ns = namespaces.add("ns");
        socket = ns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER));
    }

    @AfterEach
    void tearDown() {
        if (socket != null) {
            socket.close();
        }
    }

    @Test
    void aRefusedChangeAbortsTheWholeBatchAndIsNamed() {
        NftBatch batch = new NftBatch(0)
                .add(NftMessages.newTable(INET, "t1"), "add table t1")
                .add(NftMessages.newAddressSet(INET, "missing", "s", false, 1), "add set to a missing table")
                .add(NftMessages.newTable(INET, "t2"), "add table t2");
        assertThatThrownBy(() -> batch.send(socket))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageStartingWith("add set to a missing table");
        assertThat(Nft.ruleset(ns.name()).all("table")).as("nothing applied").isEmpty();
    }

    @Test
    void aBatchOfGoodChangesIsApplied() {
        new NftBatch(0)
                .add(NftMessages.newTable(INET, "t1"), "add table t1")
                .add(NftMessages.newAddressSet(INET, "t1", "s", true, 1), "add set")
                .add(NftMessages.newSetElement(INET, "t1", "s", podnet.linux.inet.Cidr.parseAddress("fd00::1")), "add elem")
                .send(socket);
        Nft nft = Nft.ruleset(ns.name());
        assertThat(nft.all("table")).hasSize(1);
        assertThat(nft.elements("s")).containsExactly("fd00::1");
    }

    @Test
    void aStaleGenerationIsRefusedWithErestartAndNothingApplied() {
        int gen;
        try (Masquerade m = Masquerade.open(ns)) {
            gen = m.generation();
        }
        Nft.run(ns.name(), "add", "table", "inet", "someone_else");
        NftBatch batch = new NftBatch(gen).add(NftMessages.newTable(INET, "t1"), "add table t1");
        assertThatThrownBy(() -> batch.send(socket))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(NfTables.ERESTART));
        assertThat(Nft.ruleset(ns.name()).all("table")).extracting(t -> t.get("name")).containsExactly("someone_else");

        // With the current generation the same batch goes through.
        try (Masquerade m = Masquerade.open(ns)) {
            new NftBatch(m.generation()).add(NftMessages.newTable(INET, "t1"), "add table t1").send(socket);
        }
        assertThat(Nft.ruleset(ns.name()).all("table")).hasSize(2);
    }

    @Test
    void theSocketStaysUsableAfterARefusedBatch() {
        NftBatch bad = new NftBatch(0).add(NftMessages.delTable(INET, "nope"), "delete missing table");
        assertThatThrownBy(() -> bad.send(socket)).isInstanceOf(NetlinkException.class);
        new NftBatch(0).add(NftMessages.newTable(INET, "t1"), "add table t1").send(socket);
        assertThat(Nft.ruleset(ns.name()).all("table")).hasSize(1);
    }
}
