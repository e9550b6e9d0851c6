#!/usr/bin/env bash
# Record http-keepalive-late-basic.pcap: one keep-alive connection on which curl sends twenty
# plain GETs, then a GET with `Authorization: Basic`, then a WebDAV PROPFIND, all answered by
# Python's http.server (HTTP/1.1, keep-alive). It shows that a connection is read for its whole
# life: credentials and WebDAV may come after any number of uneventful requests.
#
# Two network namespaces joined by a veth pair (server 10.89.0.1, client 10.89.0.2); nothing
# leaves the machine. Namespace and interface names can be given (NS_PREFIX) so that runs do not
# collide. Run as root:  pcaps/http/make-keepalive.sh   (OUT=dir writes elsewhere). CI never runs it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
PREFIX=${NS_PREFIX:-hwka}
SRV_NS=$PREFIX-hs
CLI_NS=$PREFIX-hc
SRV_IP=10.89.0.1
CLI_IP=10.89.0.2
W=$(mktemp -d /tmp/hardwire-keepalive.XXXXXX)
SERVER_PID=
TCPDUMP_PID=

cleanup() {
    set +e
    [ -n "$TCPDUMP_PID" ] && kill -INT "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    ip netns del "$SRV_NS" 2>/dev/null
    ip netns del "$CLI_NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
for tool in curl tcpdump python3; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

ip netns add "$SRV_NS"
ip netns add "$CLI_NS"
ip link add "$PREFIX-s" type veth peer name "$PREFIX-c"
ip link set "$PREFIX-s" netns "$SRV_NS"
ip link set "$PREFIX-c" netns "$CLI_NS"
ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$PREFIX-s"
ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$PREFIX-c"
for ns in "$SRV_NS" "$CLI_NS"; do ip -n "$ns" link set lo up; done
ip -n "$SRV_NS" link set "$PREFIX-s" up
ip -n "$CLI_NS" link set "$PREFIX-c" up
ip netns exec "$SRV_NS" ethtool -K "$PREFIX-s" tso off gso off gro off tx off >/dev/null 2>&1 || true

mkdir -p "$W/www/dav"
echo "hello from hardwire's keep-alive test" >"$W/www/index.html"
# http.server answers every method it knows; PROPFIND gets the 501 of a server without WebDAV,
# which is fine: the request head is what matters.
cat >"$W/server.py" <<'PY'
import http.server, sys, functools
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
handler = functools.partial(Handler, directory=sys.argv[2])
http.server.ThreadingHTTPServer((sys.argv[1], 80), handler).serve_forever()
PY
ip netns exec "$SRV_NS" python3 "$W/server.py" "$SRV_IP" "$W/www" 2>"$W/server.log" &
SERVER_PID=$!
for _ in $(seq 50); do ip netns exec "$SRV_NS" ss -ltnH 'sport = :80' | grep -q . && break; sleep 0.1; done

mkdir -p "$OUT"
ip netns exec "$SRV_NS" tcpdump -i "$PREFIX-s" -s 0 -U -w "$OUT/http-keepalive-late-basic.pcap" 'tcp port 80' 2>"$W/tcpdump.err" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q 'listening on' "$W/tcpdump.err" && break; sleep 0.1; done

# One curl, one connection: --next keeps the connection and lets the later requests carry
# their own options.
urls=()
for _ in $(seq 20); do urls+=(-o /dev/null "http://$SRV_IP/index.html"); done
ip netns exec "$CLI_NS" curl -sS -w '%{http_code} %{method} %{num_connects}\n' "${urls[@]}" \
    --next -sS -o /dev/null -w '%{http_code} %{method} %{num_connects}\n' --basic -u 'alice:Hardw1re-test' "http://$SRV_IP/index.html" \
    --next -sS -o /dev/null -w '%{http_code} %{method} %{num_connects}\n' -X PROPFIND -H 'Depth: 1' "http://$SRV_IP/dav/"
sleep 1
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=
ls -l "$OUT/http-keepalive-late-basic.pcap"
