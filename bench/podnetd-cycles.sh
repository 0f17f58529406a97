#!/usr/bin/env bash
# podnetd over 1,000 ADD/DEL cycles through the installed shim (ipMasq on): RSS and open
# descriptors after the warm-up and at the end. The fault suite runs 300 of them in CI
# (AddDelCyclesTest); this runs the full 1,000. Throwaway namespaces only; needs root.
#   CYCLES=N bench/podnetd-cycles.sh
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
cd "$root"
mvn -B -q -pl cni -am test -Dtest=AddDelCyclesTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dpodnet.cycles="${CYCLES:-1000}" 2>&1 | grep -E "AddDelCyclesTest|FAIL|ERROR"
