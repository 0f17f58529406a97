#!/bin/sh
# Captures the netlink batches nft(8) sends for the objects Masquerade creates, as hex, one
# file per command: the fixtures of NftMessagesTest. Runs nft only inside a throwaway netns.
# Needs root, nft and strace. Usage: ./capture-fixtures.sh [OUTDIR]   (default: this directory)
set -eu
out=$(cd "${1:-$(dirname "$0")}" && pwd)
ns=nftcap-$$
ip netns add "$ns"
trap 'ip netns delete "$ns"' EXIT

cap() {
    name=$1; shift
    trace=$(mktemp)
    ip netns exec "$ns" strace -o "$trace" -e trace=sendmsg -e write=3 -xx -s 65536 nft "$@"
    # strace prints " | OFFSET  HEX BYTES ...  ASCII |": keep the hex columns only.
    grep '^ | ' "$trace" | cut -c11-59 | tr -d ' \n' > "$out/$name.hex"
    echo >> "$out/$name.hex"
    rm -f "$trace"
}

cap table add table inet podnet
cap chain add chain inet podnet postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'
cap set4 add set inet podnet pn4-mynet '{ type ipv4_addr; }'
cap set6 add set inet podnet pn6-mynet '{ type ipv6_addr; }'
cap rule4 add rule inet podnet postrouting ip saddr @pn4-mynet ip saddr 10.244.2.0/24 \
    ip daddr != 10.244.2.0/24 ip daddr != 224.0.0.0/4 masquerade comment '"podnet pn4-mynet 10.244.2.0/24"'
cap rule6 add rule inet podnet postrouting ip6 saddr @pn6-mynet ip6 saddr fd00:10:244::/64 \
    ip6 daddr != fd00:10:244::/64 ip6 daddr != ff00::/8 masquerade comment '"podnet pn6-mynet fd00:10:244::/64"'
cap rule4-20 add rule inet podnet postrouting ip saddr @pn4-mynet ip saddr 10.244.0.0/20 \
    ip daddr != 10.244.0.0/20 ip daddr != 224.0.0.0/4 masquerade comment '"podnet pn4-mynet 10.244.0.0/20"'
cap rule6-60 add rule inet podnet postrouting ip6 saddr @pn6-mynet ip6 saddr fd00:10:244::/60 \
    ip6 daddr != fd00:10:244::/60 ip6 daddr != ff00::/8 masquerade comment '"podnet pn6-mynet fd00:10:244::/60"'
cap elem4 add element inet podnet pn4-mynet '{ 10.244.2.5 }'
cap elem6 add element inet podnet pn6-mynet '{ fd00:10:244::5 }'
cap delelem4 delete element inet podnet pn4-mynet '{ 10.244.2.5 }'
handle=$(ip netns exec "$ns" nft -a list chain inet podnet postrouting | sed -n 's/.*pn4-mynet 10.244.2.0\/24" # handle \([0-9]*\)/\1/p')
echo "$handle" > "$out/delrule.handle"
cap delrule delete rule inet podnet postrouting handle "$handle"
ip netns exec "$ns" nft flush chain inet podnet postrouting
cap delset4 delete set inet podnet pn4-mynet
