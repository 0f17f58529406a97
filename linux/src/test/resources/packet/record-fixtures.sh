#!/usr/bin/env bash
# Records the decoder fixtures: tcpdump on one end of a veth pair between two throwaway
# namespaces while they ARP, ping (v4 and v6), talk TCP and UDP, and over an 802.1Q sub-link.
# Run as root from this directory; writes exchange.pcap. Touches nothing outside its namespaces.
set -euo pipefail
A="pnfix-a-$$" B="pnfix-b-$$"
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.244.2.207/24 dev va
ip -n "$B" addr add 10.244.2.208/24 dev vb
ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip -n "$A" link set va up   # tcpdump wants it up; the carrier (and IPv6) starts with vb
ip netns exec "$A" tcpdump -n -i va -s 262144 -U -w exchange.pcap &
TD=$!
sleep 1
ip -n "$B" link set vb up
sleep 3   # IPv6 DAD, MLD reports, router solicitation
ip netns exec "$A" ping -c 2 -i 0.2 10.244.2.208
LL=$(ip -n "$B" -6 -o addr show dev vb scope link | awk '{print $4}' | cut -d/ -f1)
ip netns exec "$A" ping -6 -c 2 -i 0.2 "$LL%va"
ip netns exec "$B" python3 -c '
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.244.2.208",5000)); s.listen(1)
c,_=s.accept(); c.sendall(c.recv(100).upper()); c.close()' &
sleep 0.5
ip netns exec "$A" python3 -c '
import socket
s=socket.create_connection(("10.244.2.208",5000)); s.sendall(b"hello\n"); print(s.recv(100)); s.close()'
ip netns exec "$A" python3 -c '
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.244.2.207", 40000)); s.sendto(b"ping!", ("10.244.2.208", 9999))
t=socket.socket()
try: t.connect(("10.244.2.208", 5001))
except OSError as e: print(e)'
if ip -n "$A" link add link va name va.10 type vlan id 10 2>/dev/null; then
  ip -n "$B" link add link vb name vb.10 type vlan id 10
  ip -n "$A" addr add 10.10.0.1/24 dev va.10; ip -n "$B" addr add 10.10.0.2/24 dev vb.10
  ip -n "$A" link set va.10 up; ip -n "$B" link set vb.10 up
  ip netns exec "$A" ping -c 1 10.10.0.2
fi
sleep 1
kill "$TD"; wait "$TD" || true
tcpdump -n -S -t -r exchange.pcap > exchange.txt
wc -l exchange.txt
