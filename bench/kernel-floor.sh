#!/usr/bin/env bash
# The kernel's own floor for a pod's wiring (docs/performance.md, churn): bench/kernel-floor.c
# makes and removes N pods' veth/bridge port/address/link up/default route from ONE process, as
# podnetd's requests do (one RTM_NEWLINK for the veth with its peer born in the pod, one datagram
# in the pod), 1 and C at a time, without and with the reference's three /proc/sys writes, and
# prints the CPU per pod (getrusage). All of it in namespaces the program unshares and holds
# only by descriptor (its own node netns, one per pod): they go when it exits, however it exits;
# the root namespace is never touched.   bench/kernel-floor.sh    (N, C change the sizes: 200, 16)
# Not iproute2: `ip -batch` cannot switch namespaces between its lines (the pod's side needs the
# pod's netns, and `ip netns exec` forks and execs a program per pod), so it cannot be one process.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
command -v cc >/dev/null || { echo "needs cc" >&2; exit 1; }
tmp="$(mktemp -d /tmp/podnet-kernel-floor.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -pthread -o "$tmp/kernel-floor" "$root/bench/kernel-floor.c"
n="${N:-200}"; c="${C:-16}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); network namespaces some process is in: $(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null | sort -u | wc -l)"
for conc in 1 "$c"; do
  "$tmp/kernel-floor" "$n" "$conc"
  "$tmp/kernel-floor" "$n" "$conc" sysctl
done
