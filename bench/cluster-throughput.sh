#!/usr/bin/env bash
# Cross-node TCP throughput between two pods over podnet's VXLAN (flannel.1, made by
# `podnet node run --backend vxlan`) against the same VXLAN made by hand with iproute2, in the
# same run, on the same fabric and the same two node namespaces, rounds interleaved A B, B A, …:
#   fabric   pnthrPID-fab: bridge br0; etcd in pnthrPID-etcd (192.168.77.2)
#   nodes    pnthrPID-n1, -n2: eth0 192.168.77.11/.12 on br0 (MTU 1500)
#   podnet   the agent on each node (etcd leases, flannel.1 VNI 1, UDP 8472, MTU 1450), a pod per
#            node by `podnet pod run` (netns podnet-thrPID-1 / -2)
#   by hand  vxref (VNI 2, UDP 4789, nolearning, MTU 1450), 10.245.N.0/32, bridge ref0 10.245.N.1/24,
#            a pod netns per node (pnthrPID-ref1/2, veth MTU 1450), and flannel's per-peer entries:
#            neighbour .0 -> VTEP MAC (permanent), FDB MAC -> peer IP, route via .0 onlink
# iperf3 (Debian's, a test peer) sends from node 1's pod to node 2's for SECONDS per round.
#   bench/cluster-throughput.sh [ROUNDS] [SECONDS]     (defaults 4 and 5; needs root, etcd, iperf3)
# Prints each round, the medians and the ratio podnet/by-hand, and `uptime`. Removes everything
# it made (namespaces, processes, state) on exit, also on failure.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
rounds="${1:-4}"; secs="${2:-5}"
for tool in ip iperf3 etcd; do
  command -v "$tool" >/dev/null || { echo "cluster-throughput: $tool is missing (apt-get install iproute2 iperf3 etcd-server)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "cluster-throughput: needs root (namespaces)" >&2; exit 1; }
# Names unique to this run (other benchmarks may run beside it): namespaces P-…, pods Q1, Q2.
P=pnthr$$; Q=thr$$-
work="$(mktemp -d /tmp/podnet-cluster-bench.XXXXXX)"
pids=()
podnet() { "$root/podnet" "$@"; }
cleanup() {
  set +e
  for i in 1 2; do podnet --node-netns $P-n$i --state-dir "$work/s$i" pod rm $Q$i >/dev/null 2>&1; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  for ns in $P-ref1 $P-ref2 $P-n1 $P-n2 $P-etcd $P-fab podnet-${Q}1 podnet-${Q}2; do
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The fabric, etcd, the nodes.
ip netns add $P-fab
ip -n $P-fab link set lo up
ip -n $P-fab link add br0 type bridge
ip -n $P-fab link set br0 up
plug() { # NS PORT IP
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip -n $P-fab link add "$2" type veth peer name eth0 netns "$1"
  ip -n $P-fab link set "$2" master br0 up
  ip -n "$1" addr add "$3/24" dev eth0
  ip -n "$1" link set eth0 up
}
plug $P-etcd pe 192.168.77.2
plug $P-n1 p1 192.168.77.11
plug $P-n2 p2 192.168.77.12
ip netns exec $P-etcd etcd --name bench --data-dir "$work/etcd" \
  --listen-client-urls http://192.168.77.2:2379 --advertise-client-urls http://192.168.77.2:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster bench=http://127.0.0.1:2380 --log-level warn >"$work/etcd.log" 2>&1 &
pids+=($!)

# A: podnet's agents and pods.
for i in 1 2; do
  # Not through the function: $! must be the agent itself (./podnet execs java), to be killed.
  "$root/podnet" --node-netns $P-n$i --state-dir "$work/s$i" node run --network 10.244.0.0/16 --backend vxlan \
    --iface eth0 --node-name bench$i --etcd-endpoints http://192.168.77.2:2379 >"$work/agent$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2; do
  for _ in $(seq 300); do [ -f "$work/s$i/subnet.env" ] && break; sleep 0.2; done
  [ -f "$work/s$i/subnet.env" ] || { echo "agent $i did not join:"; cat "$work/agent$i.log"; exit 1; }
done
for i in 1 2; do
  podnet --node-netns $P-n$i --state-dir "$work/s$i" pod run $Q$i -- sleep 3600 >/dev/null
done
ipof() { ip -n "$1" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1; }
a_dst=$(ipof podnet-${Q}2)
for _ in $(seq 100); do ip netns exec podnet-${Q}1 ping -c 1 -W 1 "$a_dst" >/dev/null 2>&1 && break; sleep 0.2; done

# B: the same VXLAN by hand.
declare -A mac
for i in 1 2; do
  n=$P-n$i
  ip -n $n link add vxref type vxlan id 2 dstport 4789 local 192.168.77.1$i dev eth0 nolearning
  ip -n $n link set vxref mtu 1450
  ip -n $n addr add 10.245.$i.0/32 dev vxref
  ip -n $n link set vxref up
  ip -n $n link add ref0 type bridge
  ip -n $n addr add 10.245.$i.1/24 dev ref0
  ip -n $n link set ref0 up
  ip netns exec $n sysctl -qw net.ipv4.ip_forward=1
  ip netns add $P-ref$i
  ip -n $P-ref$i link set lo up
  ip -n $n link add vref type veth peer name eth0 netns $P-ref$i
  ip -n $n link set vref mtu 1450 master ref0 up
  ip -n $P-ref$i link set eth0 mtu 1450 up
  ip -n $P-ref$i addr add 10.245.$i.2/24 dev eth0
  ip -n $P-ref$i route add default via 10.245.$i.1
  mac[$i]=$(ip -n $n -o link show vxref | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
done
for i in 1 2; do
  j=$((3 - i)); n=$P-n$i
  ip -n $n neigh add 10.245.$j.0 lladdr "${mac[$j]}" dev vxref nud permanent
  bridge -n $n fdb append "${mac[$j]}" dev vxref dst 192.168.77.1$j self permanent
  ip -n $n route add 10.245.$j.0/24 via 10.245.$j.0 dev vxref onlink
done
b_dst=10.245.2.2
ip netns exec $P-ref1 ping -c 1 -W 2 $b_dst >/dev/null

# One round: iperf3 from pod 1 to pod 2 for $secs s; prints Mbit/s received.
round() { # SRC_NS DST_NS DST_IP
  ip netns exec "$2" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  local srv=$!
  for _ in $(seq 100); do ip netns exec "$2" ss -Hltn 'sport = :5201' | grep -q . && break; sleep 0.05; done
  ip netns exec "$1" iperf3 -c "$3" -p 5201 -t "$secs" -J >"$work/iperf.json"
  wait "$srv" 2>/dev/null || true
  python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$work/iperf.json"
}

echo "cluster-throughput: $rounds rounds of ${secs}s, A = podnet (flannel.1, 8472), B = by hand (vxref, 4789)"
echo "load before: $(uptime)"
as=(); bs=()
for r in $(seq "$rounds"); do
  # A B, then B A: neither side always goes first.
  if [ $((r % 2)) = 1 ]; then
    a=$(round podnet-${Q}1 podnet-${Q}2 "$a_dst"); b=$(round $P-ref1 $P-ref2 $b_dst)
  else
    b=$(round $P-ref1 $P-ref2 $b_dst); a=$(round podnet-${Q}1 podnet-${Q}2 "$a_dst")
  fi
  as+=("$a"); bs+=("$b")
  echo "round $r: podnet $a Mbit/s, by hand $b Mbit/s"
done
python3 - "${as[*]}" "${bs[*]}" <<'EOF'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"median: podnet {ma:.0f} Mbit/s, by hand {mb:.0f} Mbit/s, ratio podnet/by-hand {ma/mb:.3f}")
print("per round ratios: " + " ".join(f"{x/y:.3f}" for x, y in zip(a, b)))
EOF
echo "load after: $(uptime)"
