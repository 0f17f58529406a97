#!/usr/bin/env bash
# NetworkPolicy benchmark (node's PolicyBenchmark, a main in the test tree): a policy change with
# 200 pods and 50 policies, a pod's ADD membership (and its parts), and iperf3 TCP throughput
# between two pods with no policy and with 51 policies, alternating A B A B (2 s each;
# IPERF_SECONDS=N). Throwaway namespaces only; needs root and iperf3. ROUNDS=N sets the
# throughput rounds (default 20); each prints Gbit/s and the CPU time of iperf3's client and
# server per GB moved (the node's bridge and netfilter work runs in the sender's softirq, so it is
# in there), and their ratios, 51 policies / none. THROUGHPUT_ONLY=1 runs only those rounds.
#
# REFERENCE=DIR also runs the tree in DIR (an older checkout, built, with this PolicyBenchmark
# copied into it), REFERENCE=COMMIT a `git archive` of that commit of this repository (made in a
# temporary directory with this PolicyBenchmark copied in, removed at the end), alternating
# reference and this tree PAIRS times (default 2): A B A B. For the throughput figure of a change
# to the ruleset, against the commit before it (about 3 min on a quiet machine):
#   THROUGHPUT_ONLY=1 ROUNDS=10 REFERENCE=<commit> bench/policy-bench.sh
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
  "$JAVA" --enable-native-access=ALL-UNNAMED -Diperf.seconds="${IPERF_SECONDS:-2}" \
    -Dthroughput.only="$([ -n "${THROUGHPUT_ONLY:-}" ] && echo true || echo false)" -cp "$2" \
    podnet.node.policy.PolicyBenchmark "${ROUNDS:-20}"
}

ours="$(classpath "$root")"
if [ -z "${REFERENCE:-}" ]; then
  run "this tree" "$ours"
  exit 0
fi
if [ ! -d "$REFERENCE" ]; then
  commit="$(git -C "$root" rev-parse --verify "$REFERENCE^{commit}")"
  tmp="$(mktemp -d /tmp/podnet-policy-reference.XXXXXX)"
  trap 'rm -rf "$tmp"' EXIT
  git -C "$root" archive "$commit" | tar -x -C "$tmp"
  cp "$root/node/src/test/java/podnet/node/policy/PolicyBenchmark.java" "$tmp/node/src/test/java/podnet/node/policy/"
  echo "== reference: commit $commit in $tmp"
  REFERENCE="$tmp"
fi
reference="$(classpath "$REFERENCE")"
for i in $(seq "${PAIRS:-2}"); do
  run "reference $REFERENCE, pair $i" "$reference"
  run "this tree, pair $i" "$ours"
done
