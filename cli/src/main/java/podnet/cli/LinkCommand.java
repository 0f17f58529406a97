package podnet.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.VethPeers;
import podnet.linux.ns.Netns;

/** {@code podnet link}: interfaces, like {@code ip link} / {@code ip addr}. */
@Command(name = "link", description = "Show and change network interfaces.",
        subcommands = {LinkCommand.Show.class})
final class LinkCommand {

    @Command(name = "show", description = "List interfaces with state, MTU, MAC, master, veth peer and addresses.")
    static final class Show implements Runnable {
        @Option(names = {"-n", "--netns"}, description = "Named network namespace (default: current).")
        String netns;

        @Parameters(arity = "0..1", description = "Only this interface.")
        String dev;

        @Override
        public void run() {
            Netns ns = netns == null ? Netns.CURRENT : Netns.named(netns);
            try (NetlinkHandle h = NetlinkHandle.open(ns)) {
                List<Link> links = dev == null ? h.links().list() : List.of(h.links().require(dev));
                List<Address> addrs = h.addresses().list(0);
                for (Link l : links) {
                    StringBuilder sb = new StringBuilder();
                    sb.append(l.index()).append(": ").append(l.name());
                    VethPeers.of(h, l).ifPresent(p -> sb.append(" -> ").append(p.label()));
                    sb.append(" <").append(l.isUp() ? "UP" : "DOWN").append(l.isLowerUp() ? ",LOWER_UP" : "")
                            .append("> mtu ").append(l.mtu()).append(" state ").append(l.operStateName());
                    if (l.kind() != null) {
                        sb.append(" type ").append(l.kind());
                    }
                    if (l.hasMaster()) {
                        h.links().get(l.masterIndex()).ifPresent(m -> sb.append(" master ").append(m.name()));
                    }
                    System.out.println(sb);
                    if (l.mac() != null) {
                        System.out.println("    link/ether " + l.mac());
                    }
                    for (Address a : addrs) {
                        if (a.index() == l.index()) {
                            System.out.println("    " + (a.isIpv4() ? "inet " : "inet6 ") + a.cidr());
                        }
                    }
                }
            }
        }
    }
}
