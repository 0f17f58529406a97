#!/usr/bin/env bash
# Capture throughput: podnet capture -w versus tcpdump -w on the same veth traffic.
#
# Two throwaway namespaces joined by a veth pair; iperf3 sends small UDP datagrams from A to B
# for SECONDS at each offered rate, while one capturer at a time writes a pcap on A's end. For
# each run: frames that crossed the veth (its tx+rx counters), frames captured, kernel drops,
# captured frames per second, and the capturer's CPU time per captured frame (user+system,
# counted from "listening" to the end, so start-up is left out). Capturers: tcpdump (default
# 2 MiB buffer), tcpdump -B 8192 (podnet's ring size), podnet through ./podnet (C1 JIT only, as
# shipped) and podnet-c2 (the same classes on the full JIT). Prints a table, then per capturer
# the highest offered rate it captured without loss and the podnet/tcpdump ratios.
# Needs root, iperf3 and tcpdump; touches nothing outside its own namespaces and a temp dir.
#
# usage: bench/capture-bench.sh [SECONDS] [RATES...]   (rates in packets/s, 0 = as fast as iperf3 can)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
secs="${1:-5}"; shift || true
rates=("$@"); [ ${#rates[@]} -gt 0 ] || rates=(50000 150000 0)
payload=18                       # 18 B of UDP payload: a 60-byte frame, the Ethernet minimum
A="pnbench-a-$$" B="pnbench-b-$$"
tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for p in iperf3 tcpdump; do command -v "$p" >/dev/null || { echo "needs $p" >&2; exit 1; }; done

"$root/podnet" --version >/dev/null       # build once, outside the measurement
. "$root/scripts/jdk.sh"
ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.250.0.1/24 dev va; ip -n "$B" addr add 10.250.0.2/24 dev vb
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set va up; ip -n "$B" link set vb up
ip netns exec "$B" iperf3 -s -D -p 5201 --logfile "$tmp/iperf-server.log"
sleep 0.5

cpu() {  # user + system clock ticks of process $1 (and its threads)
  awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

frames() {  # tx + rx packets on va
  ip -n "$A" -s -j link show dev va | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]; print(s["tx"]["packets"]+s["rx"]["packets"])'
}

run() {  # run NAME RATE CMD...: start a capturer, offer traffic, stop it, print one row
  local name="$1" rate="$2"; shift 2
  local err="$tmp/$name.err" out="$tmp/$name.pcap"
  "$@" -w "$out" 2>"$err" &
  local pid=$!; pids+=("$pid")
  for _ in $(seq 300); do grep -q "listening on" "$err" && break; sleep 0.1; done
  sleep 0.3
  local c0; c0=$(cpu "$pid")
  local f0; f0=$(frames)
  local bw=0; [ "$rate" -gt 0 ] && bw=$(( rate * payload * 8 ))   # iperf3 counts payload bits
  ip netns exec "$A" iperf3 -c 10.250.0.2 -p 5201 -u -l "$payload" -b "$bw" -t "$secs" >"$tmp/$name.iperf" 2>&1 || true
  sleep 0.5
  local f1; f1=$(frames)
  local c1; c1=$(cpu "$pid")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local cap drop; cap=$(grep -o '^[0-9]* packets captured' "$err" | cut -d' ' -f1); drop=$(grep -o '^[0-9]* packets dropped by kernel' "$err" | cut -d' ' -f1)
  local crossed=$(( f1 - f0 ))
  python3 - "$name" "$rate" "$crossed" "${cap:-0}" "${drop:-0}" "$secs" "$(( c1 - c0 ))" "$(getconf CLK_TCK)" <<'PY'
import sys
name, rate, crossed, cap, drop, secs, ticks, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
loss = 100.0 * max(0, crossed - cap) / crossed if crossed else 0.0
cpu_us = 1e6 * ticks / hz / cap if cap else 0.0
print(f"{name:<12} {('max' if rate == 0 else rate):>8} {crossed:>10} {cap:>10} {drop:>9} {loss:>7.2f}% {cap/secs:>11.0f} {cpu_us:>9.2f}")
PY
}

echo "capture benchmark: ${secs}s per run, UDP ${payload}-byte payloads (60-byte frames) over a veth, $(nproc) cores"
printf '%-12s %8s %10s %10s %9s %8s %11s %9s\n' capturer offered crossed captured dropped loss captured/s cpu-us/pkt
results="$tmp/results"
for rate in "${rates[@]}"; do
  run tcpdump "$rate" ip netns exec "$A" tcpdump -n -i va -s 262144 -q | tee -a "$results"
  run tcpdump-B8M "$rate" ip netns exec "$A" tcpdump -n -i va -s 262144 -B 8192 -q | tee -a "$results"
  run podnet "$rate" "$root/podnet" capture -n "$A" -i va | tee -a "$results"
  run podnet-c2 "$rate" "$JAVA" --enable-native-access=ALL-UNNAMED -Xlog:disable -Xlog:all=warning:stderr \
    -cp "$root/cli/target/podnet-cli.jar:$root/cli/target/lib/*" podnet.cli.Main capture -n "$A" -i va | tee -a "$results"
done
python3 - "$results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = list(dict.fromkeys(r[0] for r in rows))
print()
for n in names:
    mine = [r for r in rows if r[0] == n]
    clean = [r for r in mine if float(r[5].rstrip('%')) == 0.0]
    best = max(clean, key=lambda r: float(r[6]), default=None)
    cpu = sum(float(r[7]) for r in mine) / len(mine)
    print(f"{n:<12} best lossless: {best[6] if best else 'none':>8} frames/s (offered {best[1] if best else '-'}), "
          f"mean cpu {cpu:.2f} us/frame")
top = {r[0]: r for r in rows[-len(names):]}
def ratio(a, b, col):
    return float(top[a][col]) / float(top[b][col]) if float(top[b][col]) else float('nan')
print(f"\nat the highest offered rate ({top['podnet'][1]}), captured frames/s: podnet/tcpdump = {ratio('podnet','tcpdump',6):.2f}, "
      f"podnet/tcpdump -B 8192 = {ratio('podnet','tcpdump-B8M',6):.2f}, podnet-c2/tcpdump = {ratio('podnet-c2','tcpdump',6):.2f}")
print(f"cpu per frame (lower is better): podnet/tcpdump = {ratio('podnet','tcpdump',7):.2f}, podnet-c2/tcpdump = {ratio('podnet-c2','tcpdump',7):.2f}")
PY
