package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.linux.netlink.FdbEntry;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;

/** {@code podnet bridge show|fdb}: like {@code brctl show} and {@code brctl showmacs}. */
@Command(name = "bridge", description = "Linux bridges and their MAC tables.",
        subcommands = {BridgeCommand.Add.class, BridgeCommand.Show.class, BridgeCommand.Macs.class})
final class BridgeCommand extends CommandGroup {

    @Command(name = "add", description = "Create bridge BR, up (like ip link add BR type bridge; ip link set BR up).")
    static final class Add extends CliCommand.InNetns {
        @Parameters(paramLabel = "BR")
        String bridge;

        Add(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                h.links().addBridge(bridge, 0, false);
                h.links().setUp(bridge);
            }
            return 0;
        }
    }

    @Command(name = "show", description = "Bridge name, bridge id, STP enabled, interfaces (like brctl show).")
    static final class Show extends CliCommand.InNetns {
        Show(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                List<Link> links = h.links().list();
                for (Link br : links) {
                    if (!br.isBridge()) {
                        continue;
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("bridge", br.name());
                    m.put("id", br.bridge() == null ? "" : br.bridge().bridgeId());
                    m.put("stp", br.bridge() != null && br.bridge().stp());
                    m.put("interfaces", links.stream().filter(l -> l.masterIndex() == br.index())
                            .map(Link::name).sorted().toList());
                    rows.add(m);
                }
            }
            if (cli.json) {
                JsonOutput.print(cli.out, rows);
                return 0;
            }
            Table t = new Table("BRIDGE NAME", "BRIDGE ID", "STP ENABLED", "INTERFACES");
            for (Map<String, Object> m : rows) {
                @SuppressWarnings("unchecked")
                List<String> ports = (List<String>) m.get("interfaces");
                t.row(m.get("bridge"), m.get("id"), (Boolean) m.get("stp") ? "yes" : "no", ports.isEmpty() ? "" : ports.get(0));
                for (int i = 1; i < ports.size(); i++) {
                    t.row("", "", "", ports.get(i));
                }
            }
            t.print(cli.out);
            return 0;
        }
    }

    @Command(name = "fdb", aliases = "showmacs",
            description = "Learned and local MACs per port, with ageing (like brctl showmacs).")
    static final class Macs extends CliCommand.InNetns {
        @Parameters(arity = "0..1", paramLabel = "BR", description = "Only this bridge.")
        String bridge;

        Macs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                List<Link> bridges;
                if (bridge != null) {
                    Link br = h.links().require(bridge);
                    if (!br.isBridge()) {
                        throw new CliException(bridge + " is not a bridge", "see `podnet bridge show`");
                    }
                    bridges = List.of(br);
                } else {
                    bridges = h.links().list().stream().filter(Link::isBridge).toList();
                }
                List<FdbEntry> all = h.fdb().list();
                for (Link br : bridges) {
                    for (FdbEntry e : all) {
                        if (e.masterIndex() != br.index() || e.mac().isMulticast()) {
                            continue;
                        }
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("bridge", br.name());
                        m.put("port", h.links().get(e.portIndex()).map(Link::name).orElse("#" + e.portIndex()));
                        m.put("mac", e.mac().toString());
                        m.put("local", e.local());
                        m.put("ageing", e.local() ? 0.0 : e.ageingCentis() / 100.0);
                        m.put("vlan", e.vlan() == 0 ? null : e.vlan());
                        rows.add(m);
                    }
                }
            }
            if (cli.json) {
                JsonOutput.print(cli.out, rows);
                return 0;
            }
            Table t = new Table("BRIDGE", "PORT", "MAC ADDR", "IS LOCAL?", "AGEING TIMER");
            rows.forEach(m -> t.row(m.get("bridge"), m.get("port"), m.get("mac"),
                    (Boolean) m.get("local") ? "yes" : "no", String.format("%.2f", (Double) m.get("ageing"))));
            t.print(cli.out);
            return 0;
        }
    }
}
