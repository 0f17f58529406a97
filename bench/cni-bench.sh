#!/usr/bin/env bash
# Ours vs the reference Go plugins in /usr/lib/cni, same config, throwaway namespaces only:
#  1. one-shot executables (ours: a JVM per call, as installed by `podnet cni install`) vs the
#     reference: ADD/CHECK/DEL median and p90 over 20 sequential pods, 50 concurrent ADDs then
#     DELs, ipMasq on and off, ratio ours/reference;
#  2. ours in-process (PluginRunner in a warm JVM: the daemon / runtime path).
# Needs root. PODS=N CONCURRENT=N change the sizes.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
bin="$(mktemp -d /tmp/podnet-cni-bench.XXXXXX)"
trap 'rm -rf "$bin"' EXIT
"$root/podnet" cni install --bin-dir "$bin" >/dev/null
echo "== one-shot executables: ours vs reference"
python3 "$root/bench/cni-bench.py" "$bin"
echo
echo "== ours in-process (warm JVM)"
(cd "$root" && mvn -B -q -o -pl cni -am test-compile >&2)
cp="$root/cni/target/test-classes:$root/cni/target/classes:$root/linux/target/classes:$root/cli/target/lib/*"
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" podnet.cni.bench.InProcessBench "${PODS:-20}" "${CONCURRENT:-50}"
