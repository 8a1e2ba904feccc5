#!/bin/sh
# Starts tayga as a stateless NAT64 with a dynamic IPv4 pool, then masquerades
# the pool behind this container's IPv4 leg (stateful NAT64 in effect).
# Environment (set by lib/edge/nat64.ts):
#   NAT64_PREFIX   Pref64::/n to translate, e.g. 64:ff9b::/96
#   V4_ADDR        this container's address on the IPv4-only network; its
#                  interface is the IPv4 leg
#   TAYGA_IPV6     tayga's IPv6 address, outside the prefix (default: this
#                  container's first global IPv6 address)
#   TAYGA_IPV4     tayga's own IPv4 address (default 192.168.255.1)
#   DYNAMIC_POOL   IPv4 pool for IPv6 clients (default 192.168.255.0/24)
# Plain IPv4 arriving from the cluster side is forwarded too (dual-stack pods
# reach the origin natively through this router, untranslated).
set -eu
: "${NAT64_PREFIX:?NAT64_PREFIX is required}"
: "${V4_ADDR:?V4_ADDR is required}"
TAYGA_IPV4="${TAYGA_IPV4:-192.168.255.1}"
DYNAMIC_POOL="${DYNAMIC_POOL:-192.168.255.0/24}"
IPV4_LEG="$(ip -o -4 addr show | awk -v a="$V4_ADDR" '{split($4, p, "/"); if (p[1] == a) print $2}' | head -n1)"
: "${IPV4_LEG:?no interface holds V4_ADDR}"
if [ -z "${TAYGA_IPV6:-}" ]; then
  TAYGA_IPV6="$(ip -o -6 addr show scope global | awk '{split($4, p, "/"); print p[1]}' | head -n1)"
fi
: "${TAYGA_IPV6:?no global IPv6 address for tayga}"
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
# Everything leaving by the IPv4 leg (translated pool and forwarded native
# IPv4) takes this container's address, so the origin's replies come back here.
iptables -t nat -C POSTROUTING -o "${IPV4_LEG}" -j MASQUERADE 2>/dev/null \
  || iptables -t nat -A POSTROUTING -o "${IPV4_LEG}" -j MASQUERADE
echo "nat64: prefix ${NAT64_PREFIX} pool ${DYNAMIC_POOL} via ${IPV4_LEG}"
exec tayga -d
