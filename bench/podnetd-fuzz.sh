#!/usr/bin/env bash
# The full shim fuzz: 10,000 mutated configs and environments through the installed shim into
# one podnetd (the fault suite runs the same 10,000 in CI, ShimFuzzTest; CASES=N for more). Prints the figures:
# answers by exit status and CNI code, podnetd's CPU, RSS and descriptors. Throwaway namespaces
# only; needs root.
#   CASES=N SEED=S bench/podnetd-fuzz.sh
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
cd "$root"
mvn -B -q -pl cni -am test -Dtest=ShimFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dpodnet.fuzz.cases="${CASES:-10000}" -Dpodnet.fuzz.seed="${SEED:-20261126}" 2>&1 | grep -E "ShimFuzzTest|FAIL|ERROR"
