#!/bin/sh
# Prints this node's pod subnet and MTU as shell assignments, for `podnet cni install`:
#   SUBNET=10.244.2.0/24  MTU=1450  SOURCE=flannel|podCIDR
# flannel's subnet.env wins when present (flannel then owns the node's lease, as in a
# flannel + cni0 cluster); otherwise Node.spec.podCIDR, read from the API server with the pod's
# service account, since the downward API cannot expose it. IPv4 only.
set -eu

FLANNEL_ENV=${FLANNEL_ENV:-/host/run/flannel/subnet.env}
SA_DIR=${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}
DEFAULT_MTU=${DEFAULT_MTU:-1500}

fail() { echo "node-subnet: $*" >&2; exit 1; }

# a.b.c.d/p (any address inside the subnet, e.g. flannel's 10.244.2.1/24) -> network/p
network_of() {
  addr=${1%/*}
  prefix=${1#*/}
  [ "$addr" != "$1" ] || fail "not a CIDR: $1"
  case $prefix in '' | *[!0-9]*) fail "bad prefix length in $1" ;; esac
  [ "$prefix" -ge 8 ] && [ "$prefix" -le 30 ] || fail "prefix length /$prefix out of range /8../30 in $1"
  case $addr in *[!0-9.]* | *..* | .* | *.) fail "not an IPv4 address: $addr" ;; esac
  old_ifs=$IFS
  IFS=.
  set -- $addr
  IFS=$old_ifs
  [ $# -eq 4 ] || fail "not an IPv4 address: $addr"
  for octet in "$@"; do [ "$octet" -le 255 ] || fail "not an IPv4 address: $addr"; done
  n=$(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 ))
  n=$(( n & ((0xffffffff << (32 - prefix)) & 0xffffffff) ))
  echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))/$prefix"
}

if [ -r "$FLANNEL_ENV" ]; then
  # Parsed, not sourced: the file is data.
  flannel_subnet=$(sed -n 's/^FLANNEL_SUBNET=//p' "$FLANNEL_ENV" | tail -n 1)
  flannel_mtu=$(sed -n 's/^FLANNEL_MTU=//p' "$FLANNEL_ENV" | tail -n 1)
  [ -n "$flannel_subnet" ] || fail "$FLANNEL_ENV has no FLANNEL_SUBNET"
  subnet=$(network_of "$flannel_subnet")
  mtu=${flannel_mtu:-$DEFAULT_MTU}
  source=flannel
else
  [ -n "${NODE_NAME:-}" ] || fail "NODE_NAME is not set (give it spec.nodeName through the downward API)"
  [ -n "${KUBERNETES_SERVICE_HOST:-}" ] || fail "KUBERNETES_SERVICE_HOST is not set: not running in a pod?"
  node=$(curl -sSf --cacert "$SA_DIR/ca.crt" -H "Authorization: Bearer $(cat "$SA_DIR/token")" \
    "https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT:-443}/api/v1/nodes/${NODE_NAME}") \
    || fail "cannot read node $NODE_NAME from the API server"
  cidr=$(printf '%s' "$node" | tr -d '\n\t ' | sed -n 's/.*"podCIDR":"\([^"]*\)".*/\1/p')
  [ -n "$cidr" ] || fail "node $NODE_NAME has no spec.podCIDR (does kube-controller-manager run with --allocate-node-cidrs?)"
  subnet=$(network_of "$cidr")
  mtu=$DEFAULT_MTU
  source=podCIDR
fi
case $mtu in '' | *[!0-9]*) fail "bad MTU: $mtu" ;; esac

echo "SUBNET=$subnet"
echo "MTU=$mtu"
echo "SOURCE=$source"
