/**
 * Packet capture on any interface of any network namespace, without libpcap: an AF_PACKET
 * socket created inside the namespace ({@link podnet.linux.packet.PacketSocket}), a TPACKET_V3
 * receive ring read in place ({@code PacketRing}), and {@link podnet.linux.packet.Capture} to
 * drive it (filter, time limit, stop from another thread, kernel drop counters).
 *
 * <p>Sub-packages: {@code filter} (a pcap-filter subset compiled to classic BPF, or evaluated in
 * Java where BPF cannot see, e.g. VLAN tags), {@code decode} (Ethernet, 802.1Q, ARP, IPv4/6,
 * ICMP/ICMPv6, TCP, UDP as records, and tcpdump-style one-line summaries), {@code pcap} (pcap and
 * pcapng writers, a pcap reader).
 */
package podnet.linux.packet;
