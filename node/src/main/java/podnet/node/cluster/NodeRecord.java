package podnet.node.cluster;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;

/**
 * What a node agent leaves in {@code <state>/cluster/node.json} for {@code node list} and
 * {@code node leave} (and for itself after a restart): how it was started, the subnet it holds
 * (or held, after a leave: a rejoin asks for it again), its VTEP MAC, and the agent's process.
 */
public record NodeRecord(String name, String nodeNetns, NetworkConfig network, String iface, String publicIp,
        RegistrySpec registry, String cniConfDir, boolean ipMasq, long leaseTtlSeconds,
        String subnet, String vtepMac, long pid, String pidStarted, boolean left) {

    public static Path path(Path stateDir) {
        return stateDir.resolve("cluster").resolve("node.json");
    }

    static NodeRecord of(AgentOptions o, Lease lease, long pid, Instant started) {
        return new NodeRecord(o.nodeName(), o.nodeNetns().name(), o.network(), o.iface(),
                lease == null ? null : podnet.linux.inet.Cidr.text(lease.publicIp()), o.registry(),
                o.cniConfDir() == null ? null : o.cniConfDir().toString(), o.ipMasq(), o.leaseTtl().toSeconds(),
                lease == null ? null : lease.subnet().toString(),
                lease == null || lease.vtepMac() == null ? null : lease.vtepMac().toString(),
                pid, started == null ? null : started.toString(), false);
    }

    NodeRecord asLeft() {
        return new NodeRecord(name, nodeNetns, network, iface, publicIp, registry, cniConfDir, ipMasq, leaseTtlSeconds,
                subnet, vtepMac, 0, null, true);
    }

    public Netns netns() {
        return nodeNetns == null ? Netns.CURRENT : Netns.named(nodeNetns);
    }

    public Cidr subnetCidr() {
        return subnet == null ? null : Cidr.parse(subnet);
    }

    public MacAddress mac() {
        return vtepMac == null ? null : MacAddress.parse(vtepMac);
    }

    /** The agent's process while it runs (same pid and start time), else empty. */
    public Optional<ProcessHandle> agent() {
        if (pid <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> pidStarted == null
                || p.info().startInstant().map(t -> t.toString().equals(pidStarted)).orElse(true));
    }

    public Duration leaseTtl() {
        return Duration.ofSeconds(leaseTtlSeconds);
    }

    void write(Path stateDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("nodeNetns", nodeNetns);
        m.put("network", network.network().toString());
        m.put("subnetLen", network.subnetLen());
        m.put("backend", network.backend().flannelName());
        m.put("iface", iface);
        m.put("publicIp", publicIp);
        switch (registry) {
            case RegistrySpec.Etcd e -> m.put("etcd", Map.of("endpoints", e.endpoints().stream().map(URI::toString).toList(),
                    "prefix", e.prefix()));
            case RegistrySpec.Kube k -> m.put("kube", k.kubeconfig() == null ? Map.of() : Map.of("kubeconfig",
                    k.kubeconfig().toString()));
        }
        m.put("cniConfDir", cniConfDir);
        m.put("ipMasq", ipMasq);
        m.put("leaseTtlSeconds", leaseTtlSeconds);
        m.put("subnet", subnet);
        m.put("vtepMac", vtepMac);
        m.put("pid", pid);
        m.put("pidStarted", pidStarted);
        m.put("left", left);
        try {
            StateFiles.write(path(stateDir), JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(m) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record under {@code stateDir}; empty when no agent ever ran there. */
    @SuppressWarnings("unchecked")
    public static Optional<NodeRecord> read(Path stateDir) {
        Path f = path(stateDir);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> m = JSON.std.mapFrom(Files.readString(f));
            RegistrySpec reg;
            if (m.get("etcd") instanceof Map<?, ?> e) {
                reg = new RegistrySpec.Etcd(((List<String>) e.get("endpoints")).stream().map(URI::create).toList(),
                        (String) e.get("prefix"));
            } else {
                Map<String, Object> k = (Map<String, Object>) m.get("kube");
                reg = new RegistrySpec.Kube(k != null && k.get("kubeconfig") != null ? Path.of((String) k.get("kubeconfig")) : null);
            }
            return Optional.of(new NodeRecord((String) m.get("name"), (String) m.get("nodeNetns"),
                    new NetworkConfig(Cidr.parse((String) m.get("network")), ((Number) m.get("subnetLen")).intValue(),
                            BackendType.parse((String) m.get("backend"))),
                    (String) m.get("iface"), (String) m.get("publicIp"), reg, (String) m.get("cniConfDir"),
                    Boolean.TRUE.equals(m.get("ipMasq")), ((Number) m.get("leaseTtlSeconds")).longValue(),
                    (String) m.get("subnet"), (String) m.get("vtepMac"), ((Number) m.get("pid")).longValue(),
                    (String) m.get("pidStarted"), Boolean.TRUE.equals(m.get("left"))));
        } catch (IOException | RuntimeException e) {
            throw new ClusterException("cannot read " + f + ": " + e.getMessage(), "remove it if the node never ran here");
        }
    }
}
