package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.VethPeers;
import podnet.linux.ns.Netns;

/** {@code podnet link}: interfaces, like {@code ip link} / {@code ip addr}. */
@Command(name = "link", description = "Show and change network interfaces.",
        subcommands = {LinkCommand.Show.class, LinkCommand.Set.class})
final class LinkCommand extends CommandGroup {

    @Command(name = "show", aliases = "ls",
            description = "Interfaces with state, MTU, MAC, master, veth peer (peer@netns) and addresses.")
    static final class Show extends CliCommand.InNetns {
        @Parameters(arity = "0..1", paramLabel = "DEV", description = "Only this interface.")
        String dev;

        Show(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Netns ns = cli.netns();
            List<Map<String, Object>> rows = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(ns)) {
                List<Link> links = dev == null ? h.links().list() : List.of(h.links().require(dev));
                List<Address> addrs = h.addresses().list(0);
                for (Link l : links) {
                    rows.add(describe(h, l, addrs));
                }
            }
            if (cli.json) {
                JsonOutput.print(cli.out, rows);
                return 0;
            }
            for (Map<String, Object> m : rows) {
                StringBuilder sb = new StringBuilder();
                sb.append(m.get("ifindex")).append(": ").append(m.get("ifname"));
                if (m.get("peer") != null) {
                    sb.append(" -> ").append(m.get("peer"));
                }
                sb.append(" <").append(String.join(",", strings(m.get("flags")))).append("> mtu ")
                        .append(m.get("mtu")).append(" state ").append(m.get("operstate"));
                if (m.get("kind") != null) {
                    sb.append(" type ").append(m.get("kind"));
                }
                if (m.get("master") != null) {
                    sb.append(" master ").append(m.get("master"));
                }
                cli.out.println(sb);
                if (m.get("address") != null) {
                    boolean loopback = "00:00:00:00:00:00".equals(m.get("address")) && m.get("kind") == null;
                    cli.out.println((loopback ? "    link/loopback " : "    link/ether ") + m.get("address"));
                }
                for (String a : strings(m.get("addresses"))) {
                    cli.out.println("    " + (a.contains(":") ? "inet6 " : "inet ") + a);
                }
            }
            cli.out.flush();
            return 0;
        }

        private static Map<String, Object> describe(NetlinkHandle h, Link l, List<Address> addrs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ifindex", l.index());
            m.put("ifname", l.name());
            m.put("kind", l.kind());
            List<String> flags = new ArrayList<>();
            flags.add(l.isUp() ? "UP" : "DOWN");
            if (l.isLowerUp()) {
                flags.add("LOWER_UP");
            }
            m.put("flags", flags);
            m.put("mtu", l.mtu());
            m.put("operstate", l.operStateName());
            m.put("address", l.mac() == null ? null : l.mac().toString());
            m.put("master", l.hasMaster() ? h.links().get(l.masterIndex()).map(Link::name).orElse(null) : null);
            m.put("peer", VethPeers.of(h, l).map(VethPeers.Peer::label).orElse(null));
            List<String> mine = new ArrayList<>();
            for (Address a : addrs) {
                if (a.index() == l.index()) {
                    mine.add(a.cidr().toString());
                }
            }
            m.put("addresses", mine);
            return m;
        }

        @SuppressWarnings("unchecked")
        private static List<String> strings(Object o) {
            return (List<String>) o;
        }
    }

    @Command(name = "set", description = "DEV netns NAME | up | down | master BR | nomaster")
    static final class Set extends CliCommand.InNetns {
        @Parameters(index = "0", paramLabel = "DEV")
        String dev;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "CHANGE",
                description = "netns NAME, up, down, master BR, nomaster (several may follow each other).")
        List<String> changes;

        Set(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Netns ns = cli.netns();
            List<Runnable> steps = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(ns)) {
                h.links().require(dev);
                // Parse and check everything first, so bad input changes nothing.
                for (int i = 0; i < changes.size(); i++) {
                    String c = changes.get(i);
                    switch (c) {
                        case "up" -> steps.add(() -> h.links().setUp(dev));
                        case "down" -> steps.add(() -> h.links().setDown(dev));
                        case "nomaster" -> steps.add(() -> h.links().setNoMaster(dev));
                        case "master" -> {
                            String br = argument(++i, c);
                            if (!h.links().require(br).isBridge()) {
                                throw new CliException(br + " is not a bridge", "see `podnet bridge show`");
                            }
                            steps.add(() -> h.links().setMaster(dev, br));
                        }
                        case "netns" -> {
                            Netns target = Cli.existing(argument(++i, c), "netns");
                            steps.add(() -> h.links().moveTo(dev, target));
                        }
                        default -> throw new CliException("unknown change \"" + c + "\"",
                                "use netns NAME, up, down, master BR or nomaster");
                    }
                }
                steps.forEach(Runnable::run);
            }
            return 0;
        }

        private String argument(int i, String after) {
            if (i >= changes.size()) {
                throw new CliException("\"" + after + "\" needs a name after it",
                        "e.g. `podnet link set " + dev + " " + after + " NAME`");
            }
            return changes.get(i);
        }
    }
}
