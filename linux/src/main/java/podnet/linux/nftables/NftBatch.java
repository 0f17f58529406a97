package podnet.linux.nftables;

import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.sys.Errno;

/**
 * One nf_tables transaction: BATCH_BEGIN, the changes, BATCH_END, sent in one datagram and
 * applied by the kernel all or nothing. Each change carries the text its error is reported
 * under (e.g. "nft add set inet podnet pn4-mynet").
 */
final class NftBatch {
    private final List<NlRequest> messages = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    /**
     * @param genId the ruleset generation the changes were computed from (0: none); the
     *     kernel then refuses the batch with ERESTART if the ruleset changed meanwhile
     */
    NftBatch(int genId) {
        add(NftMessages.batchBegin(genId), "nft batch");
    }

    NftBatch add(NlRequest change, String name) {
        messages.add(change);
        names.add(name);
        return this;
    }

    /** The number of changes (begin and end not counted). */
    int size() {
        return messages.size() - 1;
    }

    /**
     * Sends a batch that only deletes what is empty (see {@code NftMessages.del*IfEmpty});
     * returns false when the kernel refused it because something was not (EBUSY), or it was
     * gone already (ENOENT). Nothing of the batch is applied then.
     */
    boolean sendIfUnused(NetlinkSocket socket) {
        try {
            send(socket);
            return true;
        } catch (NetlinkException e) {
            if (e.is(Errno.EBUSY) || e.is(Errno.ENOENT) || e.is(Errno.ENOTEMPTY)) {
                return false;
            }
            throw e;
        }
    }

    /** Sends the batch and waits for every change's ACK; throws the first refusal. */
    void send(NetlinkSocket socket) {
        List<NlRequest> all = new ArrayList<>(messages);
        all.add(NftMessages.batchEnd());
        List<String> allNames = new ArrayList<>(names);
        allNames.add("nft batch");
        socket.batch(all, allNames);
    }
}
