# Sourced by the pcaps/*/make*.sh scripts: one scenario recorded. CI never runs it.
#
# record NAMESPACE INTERFACE FILTER NAME CMD...: tcpdump (with the capture FILTER, "" for none)
# on INTERFACE inside NAMESPACE while the script's own in_cli runs CMD... (60 s at most), then
# $WORK/NAME is copied to $OUT/NAME.
record() {
  local ns=$1 iface=$2 filter=$3 name=$4
  shift 4
  # (the filter is split into words on purpose: "" gives none)
  # shellcheck disable=SC2086
  ip netns exec "$ns" tcpdump -i "$iface" -s 0 -U -Z root -w "$WORK/$name" $filter 2>/dev/null &
  local dump=$!
  sleep 1
  echo "== $name: $*"
  in_cli timeout 60 "$@" || echo "   (client exited with $?)"
  sleep 1
  kill -TERM "$dump"; wait "$dump" || true
  cp "$WORK/$name" "$OUT/$name"
}

# bridge_port SWITCH BRIDGE NAMESPACE ADDRESS PORT: NAMESPACE's eth0 is a veth whose peer PORT is a
# port of BRIDGE in namespace SWITCH; IPv4 only, ADDRESS/24 with its broadcast, segmentation
# offload off (frames stay within the MTU, as on a real wire), and multicast (LLMNR, mDNS)
# leaving by eth0.
bridge_port() {
  local switch=$1 bridge=$2 ns=$3 address=$4 port=$5
  ip link add "$port" netns "$switch" type veth peer name eth0 netns "$ns"
  ip netns exec "$switch" ip link set "$port" master "$bridge" up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip addr add "$address/24" brd + dev eth0
  command -v ethtool >/dev/null && ip netns exec "$ns" ethtool -K eth0 tso off gso off gro off >/dev/null || true
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip route add 224.0.0.0/4 dev eth0
}
