#!/usr/bin/env bash
# The exec floor churn runs on (docs/performance.md, churn): spawn -> exit of a no-op program
# (no C library at all, static musl where musl-gcc is, static glibc, dynamic glibc), and VERSION
# through an installed shim (podnetd answers it without entering
# any namespace), C at a time and one at a time.
#   bench/spawn-floor.sh [BIN_DIR]   BIN_DIR: `podnet cni install` output with podnetd running on
#                                    PODNET_SOCKET (perf-bench.sh calls it so); without: no-ops only
# N and C change the sizes (defaults 1000 and 16).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
command -v cc >/dev/null || { echo "needs cc" >&2; exit 1; }
tmp="$(mktemp -d /tmp/podnet-spawn-floor.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -pthread -o "$tmp/spawn-floor" "$root/bench/spawn-floor.c"
cc -O2 -Wall -Wextra -pthread -static -o "$tmp/noop-static" "$root/bench/spawn-floor.c" 2>/dev/null \
  || echo "(no static libc: the static no-op is missing)" >&2
cc -O2 -static -nostdlib -o "$tmp/noop-nolibc" "$root/bench/noop-nolibc.c" 2>/dev/null \
  || echo "(cc -nostdlib failed: the no-libc no-op is missing)" >&2
command -v musl-gcc >/dev/null && musl-gcc -O2 -static -pthread -o "$tmp/noop-musl" "$root/bench/spawn-floor.c"
cp "$tmp/spawn-floor" "$tmp/noop-dynamic"
echo '{"cniVersion":"1.0.0"}' > "$tmp/version.json"
n="${N:-1000}"; c="${C:-16}"
for conc in "$c" 1; do
  [ -x "$tmp/noop-nolibc" ] && "$tmp/spawn-floor" "$n" "$conc" /dev/null "$tmp/noop-nolibc"
  [ -x "$tmp/noop-musl" ] && "$tmp/spawn-floor" "$n" "$conc" /dev/null "$tmp/noop-musl" noop
  [ -x "$tmp/noop-static" ] && "$tmp/spawn-floor" "$n" "$conc" /dev/null "$tmp/noop-static" noop
  "$tmp/spawn-floor" "$n" "$conc" /dev/null "$tmp/noop-dynamic" noop
  if [ -n "${1:-}" ]; then
    CNI_COMMAND=VERSION PODNET_AUTOSTART=0 "$tmp/spawn-floor" "$n" "$conc" "$tmp/version.json" "$1/bridge"
  fi
done
