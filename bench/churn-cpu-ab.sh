#!/usr/bin/env bash
# podnetd's CPU per churned pod, two builds A B A B (docs/performance.md, churn):
#   bench/churn-cpu-ab.sh DIR_A DIR_B     each DIR a `podnet cni install --bin-dir DIR` of one build
# Starts each build's podnetd by hand on its own socket (DIR/run/podnetd.sock), warms each with
# one untimed round, then ROUNDS (default 3) alternations of `podnet bench churn -n PODS -c C
# --rounds 1 --ours DIR --reference DIR` (both sides the same build: 2 x PODS pods per round).
# Prints, per round, podnetd's user and system CPU per pod (utime/stime deltas of
# /proc/PID/stat, 10 ms ticks), its on-CPU time per pod (schedstat of its threads, exact), the
# round's pods/s and the load average. Both podnetds are
# stopped at the end, also on failure. Needs root (the bench makes throwaway namespaces).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
[ $# -eq 2 ] || { echo "usage: $0 DIR_A DIR_B" >&2; exit 2; }
dirs=("$(readlink -f "$1")" "$(readlink -f "$2")")
pods="${PODS:-200}"; conc="${C:-16}"; rounds="${ROUNDS:-3}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}
trap cleanup EXIT INT TERM
for d in "${dirs[@]}"; do
  mkdir -p "$d/run"; rm -f "$d/run/podnetd.sock"
  "$d/podnetd" --socket "$d/run/podnetd.sock" >"$d/run/podnetd.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do [ -S "$d/run/podnetd.sock" ] && break; sleep 0.1; done
  [ -S "$d/run/podnetd.sock" ] || { echo "podnetd of $d did not listen; its log:" >&2; cat "$d/run/podnetd.log" >&2; exit 1; }
done
ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
# on-CPU ns of the live threads (schedstat: exact, where the tick counts above are sampled)
oncpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
churn() { # DIR -> the bench's output
  PODNET_SOCKET="$1/run/podnetd.sock" "$root/podnet" bench churn --ours "$1" --reference "$1" \
    -n "$pods" -c "$conc" --rounds 1 2>/dev/null
}
for i in 0 1; do churn "${dirs[$i]}" >/dev/null; done # untimed: JIT, caches
printf '%-5s %-4s %10s %10s %10s %10s  %s\n' round side "user ms" "sys ms" "total ms" "on-CPU ms" "pods/s (both sides) | load"
for r in $(seq "$rounds"); do
  for i in 0 1; do
    read -r u0 s0 < <(ticks "${pids[$i]}"); c0="$(oncpu "${pids[$i]}")"
    out="$(churn "${dirs[$i]}")"
    read -r u1 s1 < <(ticks "${pids[$i]}"); c1="$(oncpu "${pids[$i]}")"
    n=$((2 * pods))
    rate="$(echo "$out" | awk '$1 == "off" && ($2 == "podnet" || $2 == "reference") { printf "%s ", $3 }')"
    awk -v r="$r" -v side="$([ "$i" = 0 ] && echo A || echo B)" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" \
      -v rate="$rate" -v c=$((c1 - c0)) -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
      'BEGIN { printf "%-5s %-4s %10.2f %10.2f %10.2f %10.2f  %s | %s\n", r, side, u*10/n, s*10/n, (u+s)*10/n, c/1e6/n, rate, load }'
  done
done
