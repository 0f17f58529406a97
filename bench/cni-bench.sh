#!/usr/bin/env bash
# podnet's CNI plugins against the reference Go plugins (/usr/lib/cni), same config, same run,
# throwaway namespaces only (nothing in the root namespace). Needs root.
#  1. the one-shot path: our executables with no podnetd (a JVM per call, AOT cache);
#  2. the fast path: the same executables with podnetd listening;
#  3. podnetd's RSS over SOAK ADD/DEL cycles (default 1000), every 100 cycles;
#  4. ours in-process (PluginRunner in a warm JVM, no exec at all), for the floor.
# PODS=N CONCURRENT=N SOAK=N change the sizes; MASQ=on|off|both (default both).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"
work="$(mktemp -d /tmp/podnet-cni-bench.XXXXXX)"
bin="$work/bin"
daemon_pid=""
ns="pnbench-$$"
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  ip netns del "$ns-node" 2>/dev/null || true
  ip netns del "$ns-pod" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
pods=${PODS:-20} conc=${CONCURRENT:-50} masq=${MASQ:-both} soak=${SOAK:-1000}

"$root/podnet" cni install --bin-dir "$bin" >/dev/null
export PODNET_SOCKET="$work/podnetd.sock"

echo "== 1. one-shot path (no podnetd, none started): ours / reference"
PODNET_AUTOSTART=0 "$root/podnet" bench cni --ours "$bin" --pods "$pods" --concurrent "$conc" --masq "$masq" --cold 0

"$root/podnet" daemon run --socket "$PODNET_SOCKET" 2>"$work/podnetd.log" &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$PODNET_SOCKET" ] && break; sleep 0.1; done
echo
echo "== 2. fast path (exec shim -> podnetd): ours / reference"
"$root/podnet" bench cni --ours "$bin" --pods "$pods" --concurrent "$conc" --masq "$masq" --cold 0

echo
echo "== 3. podnetd RSS over $soak ADD/DEL cycles (ipMasq on)"
ip netns add "$ns-node"; ip netns add "$ns-pod"
conf='{"cniVersion":"1.0.0","name":"soak","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,
 "ipam":{"type":"host-local","dataDir":"'"$work"'/ipam","ranges":[[{"subnet":"10.244.2.0/24"}]]}}'
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$(pgrep -f -n "daemon run --socket $PODNET_SOCKET")/status"; }
printf "cycles %6d  rss %s MiB\n" 0 "$(rss)"
for i in $(seq 1 "$soak"); do
  for cmd in ADD DEL; do
    echo "$conf" | CNI_COMMAND=$cmd CNI_CONTAINERID=soak CNI_NETNS=/run/netns/$ns-pod CNI_IFNAME=eth0 \
      CNI_PATH="$bin" nsenter --net=/run/netns/$ns-node "$bin/bridge" >/dev/null
  done
  [ $((i % 100)) -eq 0 ] && printf "cycles %6d  rss %s MiB\n" "$i" "$(rss)"
done
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""

echo
echo "== 4. ours in-process (warm JVM, no exec)"
(cd "$root" && mvn -B -q -pl cni -am test-compile >&2)
cp="$root/cni/target/test-classes:$root/cni/target/classes:$root/linux/target/classes:$root/cli/target/lib/*"
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" podnet.cni.bench.InProcessBench "$pods" "$conc"
