#!/usr/bin/env bash
# Ours (the installed one-shot executables) vs the reference Go plugins in /usr/lib/cni:
# ADD/CHECK/DEL median and p90 over 20 sequential pods, 50 concurrent ADDs then DELs,
# ipMasq on and off, in throwaway namespaces only. Needs root. PODS=/CONCURRENT= to change sizes.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
bin="$(mktemp -d /tmp/podnet-cni-bench.XXXXXX)"
trap 'rm -rf "$bin"' EXIT
"$root/podnet" cni install --bin-dir "$bin" >/dev/null
exec python3 "$root/bench/cni-bench.py" "$bin"
