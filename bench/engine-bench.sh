#!/usr/bin/env bash
# Real engines, later containers: podnet against the reference under containerd (ctr run --cni)
# and podman, side by side. Each run is one `laterContainersSideBySide` of the e2e module
# (e2e/src/test/java/podnet/engines/SideBySideTiming.java): both plugin sets on throwaway nodes
# of their own, the cold containers, then PER later containers per side taking turns (A B, B A...),
# launch → network ready (the container's command runs with an up address and default route:
# the CNI ADD chain done). Prints the `e2e timing` and `e2e ratio` lines of each run with the load
# average at its start; the engines take the suite lock, as the e2e tests do.
#
# usage: bench/engine-bench.sh [RUNS (3)] [PER (9)] [ENGINES (containerd podman)]
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
runs="${1:-3}"; per="${2:-9}"; engines=("${@:3}")
[ ${#engines[@]} -gt 0 ] || engines=(containerd podman)
log="$(mktemp /tmp/engine-bench.XXXXXX)"
trap 'rm -f "$log"' EXIT
for i in $(seq "$runs"); do
  for e in "${engines[@]}"; do
    case "$e" in
      containerd) t=ContainerdCniTest ;;
      podman) t=PodmanCniTest ;;
      *) echo "engine-bench: unknown engine $e (containerd, podman)" >&2; exit 2 ;;
    esac
    echo "== $e run $i/$runs, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
    if ! (cd "$root" && flock /tmp/podnet-suite.lock mvn -B -o verify -pl e2e -am \
        -Dtest="$t#laterContainersSideBySide" -Dsurefire.failIfNoSpecifiedTests=false \
        -Dpodnet.e2e.rounds="$per") > "$log" 2>&1; then
      tail -40 "$log" >&2; echo "engine-bench: the $e run failed" >&2; exit 1
    fi
    grep -E '^e2e (timing|ratio)' "$log"
    grep -q 'Tests run: 1, Failures: 0, Errors: 0, Skipped: 0' "$log" \
      || echo "engine-bench: $e skipped (engine or plugins missing?)"
  done
done
