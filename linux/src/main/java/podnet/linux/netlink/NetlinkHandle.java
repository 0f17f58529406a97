package podnet.linux.netlink;

import java.util.List;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;

/**
 * An rtnetlink connection bound to one network namespace, like vishvananda/netlink's Handle.
 * Each object kind has its own view: {@link #links()}, {@link #addresses()}, {@link #routes()},
 * {@link #neighbours()}, {@link #fdb()}, {@link #nsIds()}. Safe to share between threads.
 */
public final class NetlinkHandle implements AutoCloseable {
    private final Netns netns;
    private final NetlinkSocket socket;

    private NetlinkHandle(Netns netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    /** A handle in the calling thread's namespace. */
    public static NetlinkHandle open() {
        return new NetlinkHandle(Netns.CURRENT, NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /** A handle in {@code netns}; the socket stays bound there whichever thread uses it. */
    public static NetlinkHandle open(Netns netns) {
        NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
        return new NetlinkHandle(netns, s);
    }

    /**
     * A handle for code already running inside {@code netns} (on a thread that joined it): the
     * socket is opened here, with no thread of its own, and messages name {@code netns}.
     */
    public static NetlinkHandle openHere(Netns netns) {
        return new NetlinkHandle(netns, NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /** Several requests in one datagram: see {@link RtBatch}. */
    public RtBatch batch() {
        return new RtBatch(this);
    }

    public Netns netns() {
        return netns;
    }

    NetlinkSocket socket() {
        return socket;
    }

    /** A request on this handle's socket; a refusal names the namespace it happened in. */
    List<NlMessage> request(NlRequest req, String what) {
        return socket.request(req, what + where());
    }

    List<NlMessage> dump(NlRequest req, String what) {
        return socket.dump(req, what + where());
    }

    /** Changes per datagram: their ACKs (with extended-ACK text on errors) fit the default receive buffer. */
    private static final int CHANGES_PER_DATAGRAM = 64;

    /**
     * Applies {@code changes} in order, many to a datagram, and returns one entry per change:
     * null when it was applied (or was a removal of something already gone), else why not.
     * Each change stands alone: a failed one does not stop the others, so callers that need
     * an order across changes (neighbour before FDB before route) send each step separately.
     */
    public List<NetlinkException> applyEach(List<Change> changes) {
        List<NlRequest> reqs = new java.util.ArrayList<>(changes.size());
        List<String> names = new java.util.ArrayList<>(changes.size());
        for (Change c : changes) {
            reqs.add(c.request);
            names.add(c.description() + where());
        }
        List<NetlinkSocket.Outcome> outcomes = socket.requestEach(reqs, names, CHANGES_PER_DATAGRAM);
        List<NetlinkException> out = new java.util.ArrayList<>(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            NetlinkException e = outcomes.get(i).error();
            out.add(e != null && changes.get(i).tolerates(e.errno()) ? null : e);
        }
        return out;
    }

    /** {@link #applyEach}, throwing the first failure after all were tried. */
    public void apply(List<Change> changes) {
        for (NetlinkException e : applyEach(changes)) {
            if (e != null) {
                throw e;
            }
        }
    }

    /** Where this handle works, for messages: " in netns NAME". */
    String where() {
        return netns.isCurrent() ? " in the current netns" : " in " + netns;
    }

    public Links links() {
        return new Links(this);
    }

    public Addresses addresses() {
        return new Addresses(this);
    }

    public Routes routes() {
        return new Routes(this);
    }

    public Neighbours neighbours() {
        return new Neighbours(this);
    }

    public Fdb fdb() {
        return new Fdb(this);
    }

    /** The namespace's IPv4/IPv6 forwarding switches, read by netlink. */
    public Forwarding forwarding() {
        return new Forwarding(this);
    }

    public NsIds nsIds() {
        return new NsIds(this);
    }

    @Override
    public void close() {
        socket.close();
    }
}
