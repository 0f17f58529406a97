package podnet.node.pod;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod as it is kept on disk ({@code <state>/pods/<name>/pod.json}), enough to find it again
 * and tear it down after the CLI (or the machine's podnet) crashed: the sandbox's netns name,
 * the network config it was attached with and the node namespace, the containers' pids.
 *
 * @param nodeNetns the named node namespace the pod's host side lives in; null for the current one
 * @param ip        the pod's address (CIDR) from the CNI result; null until attached
 */
public record PodRecord(String name, Map<String, String> labels, String netns, String network,
        String nodeNetns, String ip, Instant created, List<ContainerRecord> containers, String namespace,
        List<ContainerPort> ports) {

    public PodRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        containers = containers == null ? List.of() : List.copyOf(containers);
        namespace = namespace == null ? PodSpec.DEFAULT_NAMESPACE : namespace;
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public PodRecord(String name, Map<String, String> labels, String netns, String network,
            String nodeNetns, String ip, Instant created, List<ContainerRecord> containers) {
        this(name, labels, netns, network, nodeNetns, ip, created, containers, null, null);
    }

    /** The pod's node-wide id (state directory, netns {@code podnet-<id>}): see {@link PodSpec#id()}. */
    public String id() {
        return PodSpec.id(namespace, name);
    }

    PodRecord withIp(String newIp) {
        return new PodRecord(name, labels, netns, network, nodeNetns, newIp, created, containers, namespace, ports);
    }

    PodRecord withLabels(Map<String, String> newLabels) {
        return new PodRecord(name, newLabels, netns, network, nodeNetns, ip, created, containers, namespace, ports);
    }

    PodRecord withContainer(ContainerRecord c) {
        List<ContainerRecord> all = new ArrayList<>(containers);
        all.add(c);
        return new PodRecord(name, labels, netns, network, nodeNetns, ip, created, all, namespace, ports);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("namespace", namespace);
        m.put("labels", new LinkedHashMap<>(labels));
        m.put("netns", netns);
        m.put("network", network);
        m.put("nodeNetns", nodeNetns);
        m.put("ip", ip);
        m.put("created", created.toString());
        m.put("containers", containers.stream().map(ContainerRecord::toJson).toList());
        m.put("ports", ports.stream().map(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            if (p.name() != null) {
                pm.put("name", p.name());
            }
            pm.put("containerPort", p.containerPort());
            pm.put("protocol", p.protocol());
            return pm;
        }).toList());
        return m;
    }

    @SuppressWarnings("unchecked")
    static PodRecord fromJson(Map<String, Object> m) {
        List<ContainerRecord> cs = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("containers", List.of())) {
            cs.add(ContainerRecord.fromJson((Map<String, Object>) o));
        }
        return new PodRecord((String) m.get("name"), (Map<String, String>) m.get("labels"),
                (String) m.get("netns"), (String) m.get("network"), (String) m.get("nodeNetns"),
                (String) m.get("ip"), Instant.parse((String) m.get("created")), cs, (String) m.get("namespace"),
                ports((List<Object>) m.getOrDefault("ports", List.of())));
    }

    @SuppressWarnings("unchecked")
    private static List<ContainerPort> ports(List<Object> list) {
        List<ContainerPort> out = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> p = (Map<String, Object>) o;
            out.add(new ContainerPort((String) p.get("name"), ((Number) p.get("containerPort")).intValue(),
                    (String) p.get("protocol")));
        }
        return out;
    }
}
