#!/bin/sh
# Starts tayga as a stateless NAT64 with a dynamic IPv4 pool, then masquerades
# the pool behind this container's IPv4 leg (stateful NAT64 in effect).
# Environment (set by lib/edge/nat64.ts):
#   NAT64_PREFIX   Pref64::/n to translate, e.g. 64:ff9b::/96
#   TAYGA_IPV6     an IPv6 address of the translator outside the prefix
#   TAYGA_IPV4     tayga's own IPv4 address (default 192.168.255.1)
#   DYNAMIC_POOL   IPv4 pool for IPv6 clients (default 192.168.255.0/24)
#   IPV4_LEG       interface towards the IPv4-only world (default: the one
#                  holding the default IPv4 route, else eth1)
set -eu
: "${NAT64_PREFIX:?NAT64_PREFIX is required}"
: "${TAYGA_IPV6:?TAYGA_IPV6 is required}"
TAYGA_IPV4="${TAYGA_IPV4:-192.168.255.1}"
DYNAMIC_POOL="${DYNAMIC_POOL:-192.168.255.0/24}"
if [ -z "${IPV4_LEG:-}" ]; then
  IPV4_LEG="$(ip -4 route show default | awk '{for (i=1;i<NF;i++) if ($i=="dev") print $(i+1)}' | head -n1)"
  IPV4_LEG="${IPV4_LEG:-eth1}"
fi
mkdir -p /var/spool/tayga
cat > /etc/tayga.conf <<CONF
tun-device nat64
ipv4-addr ${TAYGA_IPV4}
ipv6-addr ${TAYGA_IPV6}
prefix ${NAT64_PREFIX}
dynamic-pool ${DYNAMIC_POOL}
data-dir /var/spool/tayga
CONF
tayga --mktun
ip link set nat64 up
ip route replace "${DYNAMIC_POOL}" dev nat64
ip -6 route replace "${NAT64_PREFIX}" dev nat64
iptables -t nat -C POSTROUTING -s "${DYNAMIC_POOL}" -o "${IPV4_LEG}" -j MASQUERADE 2>/dev/null \
  || iptables -t nat -A POSTROUTING -s "${DYNAMIC_POOL}" -o "${IPV4_LEG}" -j MASQUERADE
echo "nat64: prefix ${NAT64_PREFIX} pool ${DYNAMIC_POOL} via ${IPV4_LEG}"
exec tayga -d
