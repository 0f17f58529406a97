#!/usr/bin/env bash
# Records the VXLAN decoder fixture: two throwaway namespaces joined by a veth pair, a VXLAN
# device on UDP 8472 (flannel's; tcpdump calls it OTV) and one on 4789 (IANA's) in each, ARP,
# ping and a TCP exchange through both, tcpdump on the underlay. Run as root from this
# directory; writes vxlan.pcap and vxlan.txt (tcpdump -n -S -t -r). Touches nothing outside its namespaces.
set -euo pipefail
A="pnvx-a-$$" B="pnvx-b-$$"
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add eth0 type veth peer name eth0 netns "$B"
ip -n "$A" addr add 192.168.9.1/24 dev eth0; ip -n "$B" addr add 192.168.9.2/24 dev eth0
for ns in "$A" "$B"; do
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link add vx0 type vxlan id 1 dstport 8472 dev eth0 nolearning
  ip -n "$ns" link add vx1 type vxlan id 7 dstport 4789 dev eth0 nolearning
  ip -n "$ns" link set vx0 up; ip -n "$ns" link set vx1 up
done
ip -n "$A" addr add 10.1.0.1/24 dev vx0; ip -n "$B" addr add 10.1.0.2/24 dev vx0
ip -n "$A" addr add 10.2.0.1/24 dev vx1; ip -n "$B" addr add 10.2.0.2/24 dev vx1
for dev in vx0 vx1; do
  bridge -n "$A" fdb append 00:00:00:00:00:00 dev $dev dst 192.168.9.2
  bridge -n "$B" fdb append 00:00:00:00:00:00 dev $dev dst 192.168.9.1
done
ip netns exec "$B" tcpdump -n -i eth0 -s 262144 -U -w vxlan.pcap udp &
TD=$!
sleep 1
ip netns exec "$A" ping -c 1 10.1.0.2
ip netns exec "$A" ping -c 1 10.2.0.2
ip netns exec "$B" python3 -c '
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.1.0.2",5000)); s.listen(1)
c,_=s.accept(); c.sendall(c.recv(100).upper()); c.close()' &
sleep 0.5
ip netns exec "$A" python3 -c '
import socket
s=socket.create_connection(("10.1.0.2",5000)); s.sendall(b"hello\n"); print(s.recv(100)); s.close()'
sleep 1
kill "$TD"; wait "$TD" 2>/dev/null || true
tcpdump -n -S -t -r vxlan.pcap > vxlan.txt 2>/dev/null
