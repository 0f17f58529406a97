package podnet.linux.netlink;

/**
 * A change the kernel announced on rtnetlink: an object of one kind appeared or changed
 * ({@code removed} false: RTM_NEW*), or went away ({@code removed} true: RTM_DEL*).
 * {@link Overflow} means notifications were lost and everything must be read again.
 */
public sealed interface NetlinkEvent {
    record LinkChanged(Link link, boolean removed) implements NetlinkEvent {}

    record AddressChanged(Address address, boolean removed) implements NetlinkEvent {}

    record NeighbourChanged(Neighbour neighbour, boolean removed) implements NetlinkEvent {}

    record FdbChanged(FdbEntry entry, boolean removed) implements NetlinkEvent {}

    record RouteChanged(Route route, boolean removed) implements NetlinkEvent {}

    /** The kernel dropped notifications (receive buffer full): re-read the state. */
    record Overflow() implements NetlinkEvent {}
}
