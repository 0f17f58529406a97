package podnet.node.cluster;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.NetlinkEvents;
import podnet.linux.nftables.Masquerade;
import podnet.linux.sysctl.Sysctl;
import podnet.node.policy.ClusterPolicies;
import podnet.node.policy.PolicyEnforcer;

/**
 * The node agent ({@code podnet node run}): flannel's job done by podnet. It sets up the
 * backend, takes a subnet lease from the registry, hands the subnet to the node's pods
 * ({@code subnet.env} and the conflist), then keeps every peer's entries right — on each
 * registry change, on every kernel change of links, neighbours and routes, and every few
 * seconds — until {@link #stop()}. Stopping leaves the data path as it is, so a restarted agent
 * disturbs no traffic; the registry being unreachable leaves it as it is too.
 */
public final class NodeAgent implements AutoCloseable {
    /** A reconcile pass at least this often, so a deleted entry is back within it even without an event. */
    static final Duration RESYNC = Duration.ofSeconds(3);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private final AgentOptions o;
    private final PrintStream log;
    private final boolean ownProcess;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object wake = new Object();
    private boolean poked;
    private volatile boolean stopping;
    private volatile Map<Cidr, Lease> peers;
    private volatile Lease lease;
    private volatile SubnetRegistry registry;
    private volatile KubePolicyWatch policyWatch;
    private volatile podnet.cni.agent.AgentServer podEvents;
    private Backend backend;
    private DataPath dataPath;
    private final List<Thread> threads = new ArrayList<>();
    private Set<Cidr> programmed = Set.of();
    private Map<Cidr, String> reported = Map.of();
    private volatile long passes;

    /**
     * @param ownProcess whether this agent is the whole process (the CLI): its pid goes into the
     *                   node record, so `node leave` may stop it with SIGTERM
     */
    public NodeAgent(AgentOptions options, PrintStream log, boolean ownProcess) {
        this.o = options;
        this.log = log;
        this.ownProcess = ownProcess;
    }

    /** Runs until {@link #stop()}; a {@link ClusterException} when the node cannot join (nothing half made). */
    public void run() {
        try (NetlinkHandle h = NetlinkHandle.open(o.nodeNetns())) {
            join(h);
            if (stopping) {
                return;
            }
            threads.add(start("reconcile", this::reconcileLoop));
            threads.add(start("events", this::eventLoop));
            threads.add(start("renew", this::renewLoop));
            followLoop();
        } finally {
            stopping = true;
            poke();
            KubePolicyWatch w = policyWatch;
            if (w != null) {
                w.close();
            }
            closePodEvents();
            for (Thread t : threads) {
                joinQuietly(t);
            }
            SubnetRegistry r = registry;
            if (r != null) {
                r.close();
            }
            log.flush();
            finished.countDown();
        }
    }

    private void join(NetlinkHandle h) {
        Underlay underlay = Underlay.find(h, o.iface(), o.publicIp());
        InetAddress publicIp = o.publicIp() != null ? o.publicIp() : underlay.address();
        NodeRecord previous = NodeRecord.read(o.stateDir()).filter(r -> o.nodeName().equals(r.name())).orElse(null);
        backend = switch (o.network().backend()) {
            case VXLAN -> new VxlanBackend(h, underlay, AgentOptions.VNI, podnet.linux.netlink.Vxlan.FLANNEL_PORT,
                    previous == null ? null : previous.mac(), log);
            case HOST_GW -> new HostGwBackend(h, underlay);
        };
        backend.setUp();
        dataPath = new DataPath(h, o.network().network(), () -> lease == null ? null : lease.subnet(), backend);
        if (backend instanceof HostGwBackend g) {
            g.dataPath(dataPath);
        }
        boolean joined = false;
        try {
            registry = o.registry().open(o.nodeNetns(), o.nodeName());
            say("using " + registry.describe() + ", underlay " + underlay + ", backend " + backend.type()
                    + (backend.vtepMac() != null ? " (VTEP MAC " + backend.vtepMac() + ")" : ""));
            NetworkConfig config = retrying("read the cluster's network", () -> registry.config(o.network()));
            if (config == null) {
                return;
            }
            LeaseRequest request = new LeaseRequest(o.nodeName(), publicIp, backend.type(), backend.vtepMac(),
                    backend.vni(), previous == null ? null : previous.subnetCidr(), o.leaseTtl());
            Lease l = retrying("take a subnet", () -> registry.acquire(config, request));
            if (l == null) {
                return;
            }
            lease = l;
            backend.configure(l.subnet());
            Sysctl.ensure(o.nodeNetns(), "net.ipv4.ip_forward", "1");
            if (o.ipMasq()) {
                try (Masquerade m = Masquerade.open(o.nodeNetns())) {
                    m.ensureNetworkWide(o.network().network());
                }
            }
            startPolicies(); // before the conflist names the socket: no ADD finds it missing
            writeFiles(l);
            joined = true;
            say("joined: subnet " + l.subnet() + " (public IP " + Cidr.text(l.publicIp()) + ", MTU " + backend.mtu()
                    + "); wrote " + SubnetEnv.path(o.stateDir()));
            ready.countDown();
        } finally {
            if (!joined) {
                backend.undoSetUp();
            }
        }
    }

    /**
     * In Kubernetes mode: the API's NetworkPolicies enforced in the node's table, on a thread of
     * their own, and the bridge plugin's pod events answered on {@link #agentSocket} (a new pod is
     * in the sets before its ADD returns). Otherwise a socket file an earlier agent left is removed,
     * so ADDs do not wait for an agent that enforces nothing.
     */
    private void startPolicies() {
        Path socket = agentSocket(o.stateDir());
        if (enforcesPolicy() && registry instanceof KubeRegistry k) {
            ClusterPolicies target = new ClusterPolicies(new PolicyEnforcer(o.nodeNetns()), o.stateDir());
            KubePolicyWatch w = k.policyWatch(target, this::say);
            policyWatch = w;
            threads.add(start("policies", w::run));
            try {
                podEvents = podnet.cni.agent.AgentServer.start(socket, new PodEvents(w, this::say), this::say);
            } catch (java.io.IOException | RuntimeException e) {
                say("cannot answer the CNI plugins on " + socket + " (" + e.getMessage() + "): new pods are covered only once "
                        + "the API reports their address");
            }
            return;
        }
        try {
            podnet.cni.agent.AgentServer.remove(socket);
        } catch (java.io.IOException e) {
            say("cannot remove " + socket + ": " + e.getMessage());
        }
    }

    private boolean enforcesPolicy() {
        return o.registry() instanceof RegistrySpec.Kube spec && spec.networkPolicy();
    }

    /** Where the agent answers the bridge plugin's pod events: the conflist's {@code "agent"}. */
    public static Path agentSocket(Path stateDir) {
        return stateDir.resolve("agent.sock");
    }

    private void closePodEvents() {
        podnet.cni.agent.AgentServer s = podEvents;
        if (s != null) {
            s.close(); // the file stays: ADDs fail until an agent answers again
        }
    }

    /** The cluster's policies as this agent enforces them (Kubernetes mode), or null. */
    public ClusterPolicies policies() {
        KubePolicyWatch w = policyWatch;
        return w == null ? null : w.policies();
    }

    private void writeFiles(Lease l) {
        new SubnetEnv(o.network().network(), l.subnet(), backend.mtu(), o.ipMasq()).write(o.stateDir());
        Path socket = enforcesPolicy() ? agentSocket(o.stateDir()) : null;
        ClusterConflist.write(o.stateDir().resolve("net.d"), l.subnet(), o.network().network(), backend.mtu(),
                o.stateDir().resolve("ipam"), socket);
        if (o.cniConfDir() != null) {
            ClusterConflist.write(o.cniConfDir(), l.subnet(), o.network().network(), backend.mtu(), null, socket);
        }
        ProcessHandle self = ProcessHandle.current();
        NodeRecord.of(o, l, ownProcess ? self.pid() : 0, ownProcess ? self.info().startInstant().orElse(null) : null)
                .write(o.stateDir());
    }

    /** Calls {@code step} until it works, waiting longer each time the registry cannot be reached; null if stopped meanwhile. */
    private <T> T retrying(String what, Supplier<T> step) {
        Duration wait = Duration.ofSeconds(1);
        while (!stopping) {
            try {
                return step.get();
            } catch (RegistryUnreachable e) {
                say("cannot " + what + ": " + e.getMessage() + "; retrying in " + wait.toSeconds()
                        + " s (the data path stays as it is)");
                if (sleep(wait)) {
                    return null;
                }
                wait = min(wait.multipliedBy(2), MAX_BACKOFF);
            }
        }
        return null;
    }

    private void followLoop() {
        Duration wait = Duration.ofSeconds(1);
        boolean down = false;
        while (!stopping) {
            try {
                boolean[] first = {true};
                boolean wasDown = down;
                registry.follow(all -> {
                    peers = all;
                    if (first[0] && wasDown) {
                        say("the registry answers again; following the leases");
                    }
                    first[0] = false;
                    poke();
                });
                down = false;
            } catch (RegistryUnreachable e) {
                if (stopping) {
                    return;
                }
                say(e.getMessage() + "; retrying in " + wait.toSeconds() + " s (the data path stays as it is)");
                down = true;
                if (sleep(wait)) {
                    return;
                }
                wait = min(wait.multipliedBy(2), MAX_BACKOFF);
                continue;
            } catch (ClusterException e) {
                say(e.getMessage() + "; retrying in " + wait.toSeconds() + " s");
                if (sleep(wait)) {
                    return;
                }
                continue;
            }
            wait = Duration.ofSeconds(1);
        }
    }

    private void reconcileLoop() {
        while (!stopping) {
            waitForPoke(RESYNC);
            if (stopping) {
                return;
            }
            Map<Cidr, Lease> all = peers;
            if (all == null) {
                continue; // no word from the registry yet: never remove entries on a guess
            }
            try {
                reconcile(all);
            } catch (RuntimeException e) {
                say("reconcile failed: " + e.getMessage());
            }
        }
    }

    private void reconcile(Map<Cidr, Lease> all) {
        Cidr own = lease.subnet();
        Map<Cidr, PeerEntries> desired = new LinkedHashMap<>();
        Map<Cidr, String> problems = new LinkedHashMap<>();
        for (Lease p : all.values()) {
            if (p.subnet().equals(own)) {
                continue;
            }
            if (!p.usableBy(backend.type())) {
                problems.put(p.subnet(), "peer " + p.subnet() + " at " + Cidr.text(p.publicIp()) + " uses backend "
                        + p.backend() + ", this node " + backend.type() + ": not programmed");
                continue;
            }
            try {
                desired.put(p.subnet(), backend.entries(p));
            } catch (ClusterException e) {
                problems.put(p.subnet(), e.getMessage() + " (" + e.hint() + ")");
            }
        }
        DataPath.Outcome out = dataPath.reconcile(desired.values());
        passes++;
        out.failures().forEach((s, why) -> problems.put(s, "peer " + s + " not programmed: " + why));
        Set<Cidr> now = new HashSet<>(desired.keySet());
        now.removeAll(out.failures().keySet());
        report(now, out);
        if (!problems.equals(reported)) {
            problems.forEach((s, why) -> {
                if (!why.equals(reported.get(s))) {
                    say(why);
                }
            });
            reported = problems;
        }
    }

    private void report(Set<Cidr> now, DataPath.Outcome out) {
        Set<Cidr> added = new HashSet<>(now);
        added.removeAll(programmed);
        Set<Cidr> gone = new HashSet<>(programmed);
        gone.removeAll(now);
        if (added.size() + gone.size() <= 8) {
            for (Cidr c : added) {
                Lease p = peers.get(c);
                say("peer " + c + " at " + (p == null ? "?" : Cidr.text(p.publicIp())) + " programmed");
            }
            for (Cidr c : gone) {
                say("peer " + c + " removed");
            }
        } else {
            say(added.size() + " peers programmed, " + gone.size() + " removed (" + now.size() + " in all)");
        }
        if (added.isEmpty() && gone.isEmpty() && out.changedAnything()) {
            say("repaired: " + out.added() + " entries put back, " + out.removed() + " stale ones removed");
        }
        programmed = now;
    }

    private void eventLoop() {
        try (NetlinkEvents w = NetlinkEvents.open(o.nodeNetns(),
                EnumSet.of(NetlinkEvents.Kind.LINK, NetlinkEvents.Kind.NEIGHBOUR, NetlinkEvents.Kind.ROUTE))) {
            while (!stopping) {
                if (w.awaitChange(500)) {
                    poke();
                }
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                say("no kernel change events (" + e.getMessage() + "); reconciling every " + RESYNC.toSeconds() + " s only");
            }
        }
    }

    private void renewLoop() {
        Duration wait = Duration.ofSeconds(30);
        while (!stopping) {
            if (sleep(wait)) {
                return;
            }
            try {
                Lease renewed = registry.renew(lease);
                if (!renewed.equals(lease)) {
                    lease = renewed;
                }
                wait = Duration.ofSeconds(30);
            } catch (RegistryUnreachable e) {
                say("cannot renew the lease: " + e.getMessage() + "; retrying (the data path stays as it is)");
                wait = Duration.ofSeconds(5);
            } catch (ClusterException e) {
                say(e.getMessage() + " — " + e.hint());
                wait = Duration.ofSeconds(30);
            }
        }
    }

    // ---- control ------------------------------------------------------------------------------

    /** Waits until the node has joined (lease taken, files written); false on timeout or when it stopped first. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (ready.await(50, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (finished.getCount() == 0) {
                return false;
            }
        }
        return false;
    }

    public Lease lease() {
        return lease;
    }

    /** Completed reconcile passes (tests wait for one more). */
    public long passes() {
        return passes;
    }

    /** Asks the agent to stop; {@link #run()} returns soon after. The data path stays. */
    public void stop() {
        stopping = true;
        stop.countDown();
        KubePolicyWatch w = policyWatch;
        if (w != null) {
            w.close();
        }
        closePodEvents();
        SubnetRegistry r = registry;
        if (r != null) {
            r.close();
        }
        poke();
    }

    /** Stops and waits for {@link #run()} to return. */
    @Override
    public void close() {
        stop();
        try {
            finished.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for {@link #run()} to have returned, e.g. in a shutdown hook. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poke() {
        synchronized (wake) {
            poked = true;
            wake.notifyAll();
        }
    }

    private void waitForPoke(Duration max) {
        synchronized (wake) {
            long deadline = System.nanoTime() + max.toNanos();
            while (!poked && !stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wake.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            poked = false;
        }
    }

    /** Sleeps unless stopped; true when stopped. */
    private boolean sleep(Duration d) {
        try {
            return stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private Thread start(String name, Runnable body) {
        Thread t = Thread.ofPlatform().name("podnet-node-" + name).daemon(true).start(body);
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void say(String message) {
        synchronized (log) {
            log.println("podnet node " + o.nodeName() + ": " + message);
            log.flush();
        }
    }

    Path stateDir() {
        return o.stateDir();
    }

    static Instant now() {
        return Instant.now();
    }
}
