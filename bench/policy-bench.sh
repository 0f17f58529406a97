#!/usr/bin/env bash
# NetworkPolicy benchmark (node's PolicyBenchmark, a main in the test tree): a policy change with
# 200 pods and 50 policies, a pod's ADD membership (and its parts), and iperf3 TCP throughput
# between two pods with no policy and with 51 policies, alternating A B A B (2 s each;
# IPERF_SECONDS=N). Throwaway namespaces only; needs root and iperf3. ROUNDS=N sets the
# throughput rounds (default 10).
#
# REFERENCE=DIR also runs the tree in DIR (an older checkout, built, with this PolicyBenchmark
# copied into it), alternating reference and this tree PAIRS times (default 2): A B A B.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"

classpath() { # the test classpath of the tree at $1 (compiled on the way)
  local tree="$1" f
  f="$(mktemp /tmp/podnet-policy-bench.XXXXXX)"
  (cd "$tree" && mvn -B -q -o -pl node -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$f" -Dmdep.includeScope=test >&2)
  echo "$tree/node/target/test-classes:$tree/node/target/classes:$(cat "$f")"
  rm -f "$f"
}

run() { # $1: label, $2: classpath
  echo "== $1 (load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
  "$JAVA" --enable-native-access=ALL-UNNAMED -Diperf.seconds="${IPERF_SECONDS:-2}" -cp "$2" \
    podnet.node.policy.PolicyBenchmark "${ROUNDS:-10}"
}

ours="$(classpath "$root")"
if [ -z "${REFERENCE:-}" ]; then
  run "this tree" "$ours"
  exit 0
fi
reference="$(classpath "$REFERENCE")"
for i in $(seq "${PAIRS:-2}"); do
  run "reference $REFERENCE, pair $i" "$reference"
  run "this tree, pair $i" "$ours"
done
