#!/usr/bin/env bash
# NetworkPolicy benchmark (node's PolicyBenchmark, a main in the test tree): a policy change with
# 200 pods and 50 policies, a pod's ADD membership, and iperf3 TCP throughput between two pods
# with no policy and with 51 policies, alternating A B A B (2 s each; IPERF_SECONDS=N). Throwaway
# namespaces only; needs root and iperf3. ROUNDS=N sets the throughput rounds (default 10).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
cp_file="$(mktemp /tmp/podnet-policy-bench.XXXXXX)"
trap 'rm -f "$cp_file"' EXIT
(cd "$root" && mvn -B -q -pl node -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2)
cp="$root/node/target/test-classes:$root/node/target/classes:$(cat "$cp_file")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$JAVA" --enable-native-access=ALL-UNNAMED -Diperf.seconds="${IPERF_SECONDS:-2}" -cp "$cp" podnet.node.policy.PolicyBenchmark "${ROUNDS:-10}"
