package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;

/** {@code podnet route show}: the main routing table, like {@code ip route}. */
@Command(name = "route", description = "Routes.", subcommands = RouteCommand.Show.class)
final class RouteCommand extends CommandGroup {

    @Command(name = "show", aliases = "list", description = "The main table: DESTINATION, GATEWAY, DEV, SCOPE, SRC.")
    static final class Show extends CliCommand.InNetns {
        Show(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                for (Route r : h.routes().list(0)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("dst", r.destinationText());
                    m.put("gateway", r.gateway() == null ? null : Cidr.text(r.gateway()));
                    m.put("dev", r.oif() == 0 ? null : h.links().get(r.oif()).map(Link::name).orElse(null));
                    m.put("scope", switch (r.scope()) {
                        case Route.SCOPE_LINK -> "link";
                        case Route.SCOPE_HOST -> "host";
                        default -> "global";
                    });
                    m.put("prefsrc", r.prefSrc() == null ? null : Cidr.text(r.prefSrc()));
                    rows.add(m);
                }
            }
            if (cli.json) {
                JsonOutput.print(cli.out, rows);
            } else {
                Table t = new Table("DESTINATION", "GATEWAY", "DEV", "SCOPE", "SRC");
                rows.forEach(m -> t.row(m.get("dst"), m.get("gateway"), m.get("dev"), m.get("scope"), m.get("prefsrc")));
                t.print(cli.out);
            }
            return 0;
        }
    }
}
