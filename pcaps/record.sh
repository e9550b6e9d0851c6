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
