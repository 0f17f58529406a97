package podnet.node.ui;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.node.observe.FlowRecord;
import podnet.node.observe.Observer;
import podnet.node.topo.Topology;

/**
 * {@code podnet ui}: a page that shows the node live, served by the JDK's HttpServer with
 * every asset from the jar. The topology is pushed to the page (server-sent events) whenever
 * rtnetlink announces a change; flows stream from an {@link Observer} as they change, drops
 * with their reason. Binds where it is told (loopback by default, in the namespace given).
 */
public final class UiServer implements AutoCloseable {
    private static final long FLOW_PUSH_MILLIS = 300;

    private final Netns node;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon()
            .name("podnet-ui-http").unstarted(r));
    private final Observer observer;
    private final NodeWatch watch;
    private final List<EventStream> clients = new CopyOnWriteArrayList<>();
    private final Thread flowPusher;
    private volatile boolean stopped;

    private UiServer(Netns node, HttpServer server, Observer observer) {
        this.node = node;
        this.server = server;
        this.observer = observer;
        this.watch = new NodeWatch(node, this::topologyChanged);
        server.setExecutor(pool);
        server.createContext("/", this::asset);
        server.createContext("/api/topology", ex -> json(ex, NodeView.of(watch.current(), watch.tunnels())));
        server.createContext("/api/flows", ex -> json(ex, observer.flows(500).stream().map(FlowRecord::toJson).toList()));
        server.createContext("/api/pod", this::pod);
        server.createContext("/api/events", this::events);
        this.flowPusher = Thread.ofPlatform().daemon().name("podnet-ui-flows").unstarted(this::pushFlows);
    }

    /**
     * Serves node {@code node} on {@code listen}, the socket made inside {@code listenNetns}
     * (the current namespace for {@link Netns#CURRENT}); port 0 picks a free one.
     */
    public static UiServer start(Netns node, Path stateDir, Netns listenNetns, InetSocketAddress listen) {
        HttpServer http = listenNetns.call(() -> {
            try {
                return HttpServer.create(listen, 16); // bound here, in that namespace
            } catch (IOException e) {
                throw new UncheckedIOException("listen on " + listen, e);
            }
        });
        Observer obs;
        try {
            obs = Observer.start(Observer.Options.of(node, stateDir).withMaxFlows(10_000));
        } catch (RuntimeException e) {
            http.stop(0);
            throw e;
        }
        UiServer ui;
        try {
            ui = new UiServer(node, http, obs);
        } catch (RuntimeException e) {
            obs.close();
            http.stop(0);
            throw e;
        }
        http.start();
        ui.flowPusher.start();
        return ui;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    public Observer observer() {
        return observer;
    }

    // ---- pushing --------------------------------------------------------------------------

    private void topologyChanged(Topology t, List<TunnelView> tunnels) {
        broadcast("topology", NodeView.of(t, tunnels));
    }

    private void pushFlows() {
        long tick = 0;
        while (!stopped) {
            try {
                Thread.sleep(FLOW_PUSH_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Observer.Changes c = observer.changesSince(tick);
            tick = c.tick();
            if (!c.flows().isEmpty()) {
                broadcast("flows", c.flows().stream().map(FlowRecord::toJson).toList());
            }
        }
    }

    private void broadcast(String event, Object data) {
        String text = frame(event, data);
        for (EventStream s : clients) {
            if (!s.send(text)) {
                clients.remove(s);
            }
        }
    }

    private static String frame(String event, Object data) {
        try {
            return "event: " + event + "\ndata: " + JSON.std.asString(data) + "\n\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One page's event stream; the handler's thread waits until the page goes or we stop. */
    private static final class EventStream {
        private final OutputStream out;
        private final Object done = new Object();
        private boolean closed;

        EventStream(OutputStream out) {
            this.out = out;
        }

        synchronized boolean send(String text) {
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException e) {
                close();
                return false;
            }
        }

        void close() {
            synchronized (done) {
                closed = true;
                done.notifyAll();
            }
        }

        void awaitClose() throws InterruptedException {
            synchronized (done) {
                while (!closed) {
                    done.wait(1000);
                }
            }
        }
    }

    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        EventStream s = new EventStream(ex.getResponseBody());
        s.send(frame("topology", NodeView.of(watch.current(), watch.tunnels())));
        s.send(frame("flows", observer.flows(500).stream().map(FlowRecord::toJson).toList()));
        clients.add(s);
        try {
            s.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(s);
            ex.close();
        }
    }

    // ---- requests -------------------------------------------------------------------------

    private void asset(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String name = switch (path) {
            case "/", "/index.html" -> "index.html";
            case "/app.js" -> "app.js";
            case "/app.css" -> "app.css";
            default -> null;
        };
        if (name == null) {
            send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = UiServer.class.getResourceAsStream("/podnet/ui/" + name)) {
            String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
            send(ex, 200, type + "; charset=utf-8", in.readAllBytes());
        }
    }

    /** A pod's addresses, routes, ARP table and recent flows; only for pods of this node. */
    private void pod(HttpExchange ex) throws IOException {
        String q = ex.getRequestURI().getRawQuery();
        String netns = q != null && q.startsWith("netns=") ? URLDecoder.decode(q.substring(6), StandardCharsets.UTF_8) : null;
        boolean known = netns != null && watch.current().bridges().stream().flatMap(b -> b.ports().stream())
                .anyMatch(p -> p.pod() != null && netns.equals(p.pod().netns()));
        if (!known) {
            send(ex, 404, "application/json", "{\"error\":\"no such pod on this node\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("netns", netns);
        m.put("name", NodeView.podName(netns));
        List<String> ips = new ArrayList<>();
        try (NetlinkHandle h = NetlinkHandle.open(Netns.named(netns))) {
            List<Link> links = h.links().list();
            List<Object> addrs = new ArrayList<>();
            for (Address a : h.addresses().list(0)) {
                String dev = links.stream().filter(l -> l.index() == a.index()).map(Link::name).findFirst().orElse("?");
                addrs.add(Map.of("dev", dev, "address", a.cidr().toString()));
                if (!"lo".equals(dev)) {
                    ips.add(Cidr.text(a.cidr().address()));
                }
            }
            m.put("addresses", addrs);
            List<Object> routes = new ArrayList<>();
            for (Route r : h.routes().list(0)) {
                String dev = links.stream().filter(l -> l.index() == r.oif()).map(Link::name).findFirst().orElse("");
                routes.add(Map.of("destination", r.destinationText(), "via", r.gateway() == null ? "" : Cidr.text(r.gateway()),
                        "dev", dev));
            }
            m.put("routes", routes);
            List<Object> neigh = new ArrayList<>();
            for (Neighbour n : h.neighbours().list(0)) {
                String dev = links.stream().filter(l -> l.index() == n.index()).map(Link::name).findFirst().orElse("?");
                neigh.add(Map.of("address", n.ip() == null ? "" : Cidr.text(n.ip()), "mac", n.mac() == null ? "" : n.mac().toString(),
                        "dev", dev, "state", n.stateName()));
            }
            m.put("neighbours", neigh);
        }
        m.put("flows", observer.flows(1000).stream().filter(f -> ips.contains(f.source()) || ips.contains(f.destination()))
                .limit(50).map(FlowRecord::toJson).toList());
        json(ex, m);
    }

    private static void json(HttpExchange ex, Object value) throws IOException {
        send(ex, 200, "application/json", JSON.std.asString(value).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public Netns node() {
        return node;
    }

    /** Whether {@code a} is a loopback address (the default, and the only one that needs no --listen). */
    public static boolean isLoopback(InetAddress a) {
        return a.isLoopbackAddress();
    }

    @Override
    public void close() {
        stopped = true;
        clients.forEach(EventStream::close);
        server.stop(0);
        flowPusher.interrupt();
        try {
            watch.close();
        } finally {
            observer.close();
            pool.shutdownNow();
        }
    }
}
