#!/usr/bin/env bash
# Capture throughput: podnet capture -w versus tcpdump -w on the same veth traffic, in one run.
#
# Two throwaway namespaces joined by a veth pair; bench/udp-flood.c (built here with cc) sends
# small UDP datagrams (60-byte frames) from A to B for SECONDS at each offered rate, with
# sendmmsg(2) in batches of 64, to a socket in B that never reads (so B answers no ICMP). At each
# rate, all capturers listen on A's end AT THE SAME TIME, each writing its own file, so they see
# the very same frames under the same CPU contention (this 2-core machine is shared with the
# sender and the veth):
#   tcpdump      tcpdump -w (default 2 MiB buffer)
#   tcpdump-B8M  tcpdump -B 8192 -w (8 MiB, the size of podnet's ring)
#   podnet       ./podnet capture -w (TPACKET_V3, 8 x 1 MiB blocks; the launcher's C1-only JIT)
#   observe      ./podnet observe -n A (the flow table over the same ring, 192-byte snap, kernel
#                drop reasons on; it writes no file, it counts flows)
# For each: frames that crossed the veth (its tx+rx counters), frames written, kernel drops
# (PACKET_STATISTICS tp_drops: tcpdump's "dropped by kernel", podnet's "lost in the ring"), loss,
# written frames per second of traffic, and CPU time (user+system) per frame, counted from
# "listening" to the end so that start-up is left out. Then per capturer the highest offered rate
# captured without loss, and the podnet/tcpdump ratios.
# ROUNDS=N (default 1) repeats the whole set of rates N times (A B A B over time) and prints
# each round's ratios, so the spread on a noisy machine shows.
# Needs root, cc, tcpdump and python3; touches nothing outside its own namespaces and a temp dir.
#
# Then, unless TCP=0, one run of full-size TCP per round (one stream of 128 KiB writes over the
# veth, as fast as it goes), where no capturer keeps up: the share of the frames each one wrote
# (captured/crossed).
#
# usage: bench/capture-bench.sh [SECONDS] [RATES...]   (rates in frames/s; 0 = as fast as the sender can)
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
  ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
for p in cc tcpdump python3; do command -v "$p" >/dev/null || { echo "needs $p" >&2; exit 1; }; done

"$root/podnet" --version >/dev/null       # build once, outside the measurement
flood="$tmp/udp-flood"
cc -O2 -Wall -Wextra -o "$flood" "$root/bench/udp-flood.c"
ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.250.0.1/24 dev va; ip -n "$B" addr add 10.250.0.2/24 dev vb
for n in "$A" "$B"; do ip -n "$n" link set lo up; done
ip -n "$A" link set va up; ip -n "$B" link set vb up
ip netns exec "$B" "$flood" hole 5201 & pids+=("$!")
ip netns exec "$B" "$flood" tcp-sink 5202 & pids+=("$!")
sleep 0.5

cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }   # user+system ticks, all threads
frames() {  # tx + rx packets on va
  ip -n "$A" -s -j link show dev va | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]; print(s["tx"]["packets"]+s["rx"]["packets"])'
}
names=(${CAPTURERS:-tcpdump tcpdump-B8M podnet observe})   # CAPTURERS="tcpdump podnet" runs a subset
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

rounds="${ROUNDS:-1}"
echo "capture benchmark: ${secs}s of traffic per rate, UDP ${payload}-byte payloads (60-byte frames) over a veth, $(nproc) cores, capturers side by side, $rounds round(s)"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-12s %8s %10s %10s %9s %8s %11s %9s\n' round capturer offered crossed captured dropped loss captured/s cpu-us/pkt
results="$tmp/results"
measure() {  # measure ROUND LABEL OUTFILE TRAFFIC-COMMAND...: all capturers side by side during one traffic run
  local round="$1" label="$2" outfile="$3"; shift 3
  for n in "${names[@]}"; do start "$n"; done
  for n in "${names[@]}"; do
    for _ in $(seq 300); do grep -q "listening on\|observing" "$tmp/$n.err" && break; sleep 0.1; done
  done
  sleep 0.5
  for n in "${names[@]}"; do c0[$n]=$(cpu "${pid[$n]}"); done
  f0=$(frames)
  "$@" >"$tmp/sender.log" 2>&1 || true
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
    python3 - "$round" "$n" "$label" "$(( f1 - f0 ))" "${cap:-0}" "${drop:-0}" "$secs" "$(( c1 - ${c0[$n]} ))" "$(getconf CLK_TCK)" <<'PY' | tee -a "$outfile"
import sys
rnd, name, rate, crossed, cap, drop, secs, ticks, hz = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
loss = 100.0 * max(0, crossed - cap) / crossed if crossed else 0.0
cpu_us = 1e6 * ticks / hz / cap if cap else 0.0
print(f"{rnd:<5} {name:<12} {('max' if rate == '0' else rate):>8} {crossed:>10} {cap:>10} {drop:>9} {loss:>7.2f}% {cap/secs:>11.0f} {cpu_us:>9.2f}")
PY
  done
  echo "      sender: $(tail -1 "$tmp/sender.log"); load $(cut -d' ' -f1 /proc/loadavg)"
}
for round in $(seq "$rounds"); do
  for rate in "${rates[@]}"; do
    measure "$round" "$rate" "$results" ip netns exec "$A" "$flood" send 10.250.0.2 5201 "$payload" "$rate" "$secs"
  done
  if [ "${TCP:-1}" != 0 ]; then
    measure "$round" tcp "$tmp/tcp" ip netns exec "$A" "$flood" tcp-send 10.250.0.2 5202 "$secs"
  fi
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$tmp/tcp" <<'PY'
import os, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = list(dict.fromkeys(r[1] for r in rows))
print()
for n in names:
    mine = [r for r in rows if r[1] == n]
    clean = [r for r in mine if float(r[6].rstrip('%')) < 0.01]
    best = max(clean, key=lambda r: float(r[7]), default=None)
    cpu = sum(float(r[8]) for r in mine) / len(mine)
    print(f"{n:<12} highest lossless (<0.01%): {best[7] if best else 'none':>7} frames/s (offered {best[2] if best else '-'}); "
          f"mean cpu {cpu:.2f} us/frame")
def cell(rnd, rate, n, col):
    for r in rows:
        if r[0] == rnd and r[2] == rate and r[1] == n:
            return float(r[col])
    return float('nan')
def ratio(a, b):
    return a / b if b else float('nan')
print("\nper round and rate, ratios to tcpdump (cpu per frame: lower is better; frames captured: higher is better)")
print(f"{'round':<5} {'offered':>8} {'cpu podnet':>11} {'cpu observe':>12} {'frames podnet':>14} {'frames observe':>15}")
cpu_p, cpu_o = {}, {}
for rnd, rate in dict.fromkeys((r[0], r[2]) for r in rows):
    t = cell(rnd, rate, 'tcpdump', 8)
    cp, co = ratio(cell(rnd, rate, 'podnet', 8), t), ratio(cell(rnd, rate, 'observe', 8), t)
    cpu_p.setdefault(rate, []).append(cp); cpu_o.setdefault(rate, []).append(co)
    fp = ratio(cell(rnd, rate, 'podnet', 4), cell(rnd, rate, 'tcpdump', 4))
    fo = ratio(cell(rnd, rate, 'observe', 4), cell(rnd, rate, 'tcpdump', 4))
    print(f"{rnd:<5} {rate:>8} {cp:>11.2f} {co:>12.2f} {fp:>14.3f} {fo:>15.3f}")
for rate in cpu_p:
    p, o = cpu_p[rate], cpu_o[rate]
    print(f"offered {rate}: cpu per frame / tcpdump's, median (min-max) over {len(p)} round(s): "
          f"podnet {statistics.median(p):.2f} ({min(p):.2f}-{max(p):.2f}), observe {statistics.median(o):.2f} ({min(o):.2f}-{max(o):.2f})")
if os.path.exists(sys.argv[2]):
    tcp = [l.split() for l in open(sys.argv[2]) if l.strip()]
    print("\nfull-size TCP (one stream, as fast as it goes): captured share (captured/crossed)")
    for rnd in dict.fromkeys(r[0] for r in tcp):
        share = {r[1]: float(r[4]) / float(r[3]) if float(r[3]) else 0.0 for r in tcp if r[0] == rnd}
        print(f"round {rnd}: " + ", ".join(f"{n} {s:.3f}" for n, s in share.items())
              + f"; podnet/tcpdump {ratio(share['podnet'], share['tcpdump']):.2f}, podnet/tcpdump -B 8192 {ratio(share['podnet'], share['tcpdump-B8M']):.2f}")
PY
