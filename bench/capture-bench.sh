#!/usr/bin/env bash
# Capture throughput: podnet capture -w versus tcpdump -w on the same veth traffic, in one run.
#
# Two throwaway namespaces joined by a veth pair; iperf3 sends small UDP datagrams (60-byte
# frames) from A to B for SECONDS at each offered rate. At each rate, all capturers listen on A's
# end AT THE SAME TIME, each writing its own file, so they see the very same frames under the
# same CPU contention (this 2-core machine is shared with the sender and the veth):
#   tcpdump      tcpdump -w (default 2 MiB buffer)
#   tcpdump-B8M  tcpdump -B 8192 -w (8 MiB, the size of podnet's ring)
#   podnet       ./podnet capture -w (TPACKET_V3, 8 x 1 MiB blocks; the launcher's C1-only JIT)
#   observe      ./podnet observe -n A (the flow table over the same ring, 192-byte snap, kernel
#                drop reasons on; it writes no file, it counts flows)
# For each: frames that crossed the veth (its tx+rx counters), frames written, kernel drops, loss,
# written frames per second of traffic, and CPU time (user+system) per frame, counted from
# "listening" to the end so that start-up is left out. Then per capturer the highest offered rate
# captured without loss, and the podnet/tcpdump ratios.
# Needs root, iperf3 and tcpdump; touches nothing outside its own namespaces and a temp dir.
#
# Then, unless TCP=0, one run of full-size TCP (iperf3's default stream over the veth, as fast as
# it goes), where no capturer keeps up: the share of the frames each one wrote (captured/crossed).
#
# usage: bench/capture-bench.sh [SECONDS] [RATES...]   (rates in frames/s; 0 = as fast as iperf3 can)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
secs="${1:-5}"; shift || true
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(50000 100000 150000 200000 0)
payload=18                       # 18 B of UDP payload: a 60-byte frame, the Ethernet minimum
A="pnbench-a-$$" B="pnbench-b-$$"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -s "$tmp/iperf-server.pid" ] && kill "$(cat "$tmp/iperf-server.pid")" 2>/dev/null || true  # it outlives its netns
  ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for p in iperf3 tcpdump python3; do command -v "$p" >/dev/null || { echo "needs $p" >&2; exit 1; }; done

"$root/podnet" --version >/dev/null       # build once, outside the measurement
ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.250.0.1/24 dev va; ip -n "$B" addr add 10.250.0.2/24 dev vb
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set va up; ip -n "$B" link set vb up
ip netns exec "$B" iperf3 -s -D -p 5201 --logfile "$tmp/iperf-server.log" -I "$tmp/iperf-server.pid"
sleep 0.5

cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }   # user+system ticks, all threads
frames() {  # tx + rx packets on va
  ip -n "$A" -s -j link show dev va | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]; print(s["tx"]["packets"]+s["rx"]["packets"])'
}
names=(tcpdump tcpdump-B8M podnet observe)
start() {  # start NAME: launch one capturer writing $tmp/NAME.pcap, stderr to $tmp/NAME.err
  local out="$tmp/$1.pcap" err="$tmp/$1.err"
  case "$1" in
    tcpdump) ip netns exec "$A" tcpdump -n -i va -s 262144 -w "$out" 2>"$err" & ;;
    tcpdump-B8M) ip netns exec "$A" tcpdump -n -i va -s 262144 -B 8192 -w "$out" 2>"$err" & ;;
    podnet) "$root/podnet" capture -n "$A" -i va -w "$out" 2>"$err" & ;;
    observe) "$root/podnet" observe -n "$A" >/dev/null 2>"$err" & ;;
  esac
  pid[$1]=$!; pids+=("$!")
}
declare -A pid c0

echo "capture benchmark: ${secs}s of traffic per rate, UDP ${payload}-byte payloads (60-byte frames) over a veth, $(nproc) cores, capturers side by side"
printf '%-12s %8s %10s %10s %9s %8s %11s %9s\n' capturer offered crossed captured dropped loss captured/s cpu-us/pkt
results="$tmp/results"
measure() {  # measure LABEL OUTFILE TRAFFIC-COMMAND...: all capturers side by side during one traffic run
  local label="$1" outfile="$2"; shift 2
  for n in "${names[@]}"; do start "$n"; done
  for n in "${names[@]}"; do
    for _ in $(seq 300); do grep -q "listening on\|observing" "$tmp/$n.err" && break; sleep 0.1; done
  done
  sleep 0.5
  for n in "${names[@]}"; do c0[$n]=$(cpu "${pid[$n]}"); done
  f0=$(frames)
  "$@" >"$tmp/iperf.log" 2>&1 || true
  sleep 1
  f1=$(frames)
  for n in "${names[@]}"; do
    c1=$(cpu "${pid[$n]}")
    kill -TERM "${pid[$n]}"; wait "${pid[$n]}" 2>/dev/null || true
    if [ "$n" = observe ]; then  # "podnet: N frames, F flows (E evicted), R frames lost in the ring, ..."
      cap=$(grep -o '^podnet: [0-9]* frames' "$tmp/$n.err" | cut -d' ' -f2)
      drop=$(grep -o '[0-9]* frames lost in the ring' "$tmp/$n.err" | cut -d' ' -f1)
    else
      cap=$(grep -o '^[0-9]* packets captured' "$tmp/$n.err" | cut -d' ' -f1)
      drop=$(grep -o '^[0-9]* packets dropped by kernel' "$tmp/$n.err" | cut -d' ' -f1)
    fi
    python3 - "$n" "$label" "$(( f1 - f0 ))" "${cap:-0}" "${drop:-0}" "$secs" "$(( c1 - ${c0[$n]} ))" "$(getconf CLK_TCK)" <<'PY' | tee -a "$outfile"
import sys
name, rate, crossed, cap, drop, secs, ticks, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
loss = 100.0 * max(0, crossed - cap) / crossed if crossed else 0.0
cpu_us = 1e6 * ticks / hz / cap if cap else 0.0
print(f"{name:<12} {('max' if rate == '0' else rate):>8} {crossed:>10} {cap:>10} {drop:>9} {loss:>7.2f}% {cap/secs:>11.0f} {cpu_us:>9.2f}")
PY
  done
}
for rate in "${rates[@]}"; do
  bw=0; [ "$rate" -gt 0 ] && bw=$(( rate * payload * 8 ))   # iperf3 counts payload bits
  measure "$rate" "$results" ip netns exec "$A" iperf3 -c 10.250.0.2 -p 5201 -u -l "$payload" -b "$bw" -t "$secs"
done
python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = list(dict.fromkeys(r[0] for r in rows))
print()
for n in names:
    mine = [r for r in rows if r[0] == n]
    clean = [r for r in mine if float(r[5].rstrip('%')) < 0.01]
    best = max(clean, key=lambda r: float(r[6]), default=None)
    cpu = sum(float(r[7]) for r in mine) / len(mine)
    print(f"{n:<12} highest lossless (<0.01%): {best[6] if best else 'none':>7} frames/s (offered {best[1] if best else '-'}); "
          f"mean cpu {cpu:.2f} us/frame")
top = {r[0]: r for r in rows[-len(names):]}
def ratio(a, b, col):
    return float(top[a][col]) / float(top[b][col]) if float(top[b][col]) else float('nan')
print(f"\nat the highest offered rate ({top['podnet'][1]}), frames captured: podnet/tcpdump = {ratio('podnet','tcpdump',3):.3f}, "
      f"podnet/tcpdump -B 8192 = {ratio('podnet','tcpdump-B8M',3):.3f}")
print(f"cpu per frame (lower is better): podnet/tcpdump = {ratio('podnet','tcpdump',7):.2f}, podnet/tcpdump -B 8192 = {ratio('podnet','tcpdump-B8M',7):.2f}")
if 'observe' in top:
    print(f"observe: frames seen/tcpdump = {ratio('observe','tcpdump',3):.3f}; cpu per frame observe/tcpdump = {ratio('observe','tcpdump',7):.2f}")
PY

if [ "${TCP:-1}" != 0 ]; then
  echo
  echo "full-size TCP (iperf3 TCP, as fast as it goes, ${secs}s): the share of the frames each capturer wrote"
  printf '%-12s %8s %10s %10s %9s %8s %11s %9s\n' capturer traffic crossed captured dropped loss captured/s cpu-us/pkt
  measure tcp "$tmp/tcp" ip netns exec "$A" iperf3 -c 10.250.0.2 -p 5201 -t "$secs"
  python3 - "$tmp/tcp" <<'PY'
import sys
rows = {l.split()[0]: l.split() for l in open(sys.argv[1]) if l.strip()}
share = {n: float(r[3]) / float(r[2]) if float(r[2]) else 0.0 for n, r in rows.items()}
print("captured share (captured/crossed): " + ", ".join(f"{n} {s:.3f}" for n, s in share.items()))
print(f"podnet/tcpdump share = {share['podnet'] / share['tcpdump']:.2f}, podnet/tcpdump -B 8192 share = {share['podnet'] / share['tcpdump-B8M']:.2f}")
PY
fi
