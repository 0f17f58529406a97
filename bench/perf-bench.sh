#!/usr/bin/env bash
# podnet's fast path against the reference Go plugins (/usr/lib/cni), as docs/performance.md
# reports it: the executables installed with `podnet cni install` into a temp dir and NOTHING
# else set up: the first call's shim starts podnetd (auto-start) on a private socket, the way a
# node gets it. Then, all in one run, each side taking turns call by call (A B A B):
#   1. podnet bench cni:   VERSION/ADD/CHECK/DEL medians, concurrent bursts, ipMasq off and on,
#                          and the first ADD of fresh podnetds (--cold);
#   2. podnet bench churn: N pods ADD then DEL, C in flight, rounds A B A B, ipMasq off and on;
#   3. the churn floor: the same churn against a "plugin" that does nothing (bench/noop-nolibc.c,
#      the smallest exec there is): the harness and two execs per pod, no network work;
#   4. bench/spawn-floor.sh: what a no-op exec and a shim VERSION cost C at a time (the floor).
# The started podnetd is stopped at the end; throwaway namespaces only. Needs root.
# PODS, CONCURRENT, COLD, CHURN_PODS, CHURN_C, ROUNDS change the sizes.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
work="$(mktemp -d /tmp/podnet-perf-bench.XXXXXX)"
export PODNET_SOCKET="$work/run/podnetd.sock"
cleanup() {
  for p in $(pgrep -f "PodnetdMain --socket $PODNET_SOCKET" || true); do kill "$p" 2>/dev/null || true; done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT
"$root/podnet" cni install --bin-dir "$work/bin" >/dev/null
echo "== podnet bench cni (fast path, podnetd started by the first call's shim)"
"$root/podnet" bench cni --ours "$work/bin" --pods "${PODS:-20}" --concurrent "${CONCURRENT:-16}" --cold "${COLD:-3}"
echo
echo "== podnet bench churn"
"$root/podnet" bench churn --ours "$work/bin" --pods "${CHURN_PODS:-200}" --concurrency "${CHURN_C:-16}" \
  --rounds "${ROUNDS:-2}" --masq both
echo
echo "== the churn floor: 'reference' below is a plugin that does nothing (bench/noop-nolibc.c)"
mkdir -p "$work/noop"
cc -O2 -static -nostdlib -o "$work/noop/bridge" "$root/bench/noop-nolibc.c"
cp "$work/noop/bridge" "$work/noop/host-local"
"$root/podnet" bench churn --ours "$work/bin" --reference "$work/noop" --pods "${CHURN_PODS:-200}" \
  --concurrency "${CHURN_C:-16}" --rounds 1 --masq off
echo
echo "== the exec floor at churn's concurrency (bench/spawn-floor.sh)"
N=600 C="${CHURN_C:-16}" "$root/bench/spawn-floor.sh" "$work/bin"
echo
echo "podnetd's log:"; sed 's/^/  /' "$work/run/podnetd.log" 2>/dev/null | head -5 || true
