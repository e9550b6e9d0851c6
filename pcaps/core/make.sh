#!/usr/bin/env bash
# Remake the link-layer captures of this folder from REAL traffic (curl against Python's
# http.server on loopback, UDP datagrams the kernel fragments), recorded with tcpdump:
#
#   any-sll2.pcap       tcpdump -i any (Linux cooked v2, what tcpdump 4.99 writes by default)
#   any-sll.pcap        tcpdump -i any -y LINUX_SLL (Linux cooked v1)
#   vlan.pcap           any-sll.pcap as Ethernet with an 802.1Q tag (VLAN 10), by tcprewrite
#   qinq.pcap           the same with two tags: 802.1ad 100 outside, 802.1Q 20 inside
#   ipv4-fragments.pcap 3000-byte UDP datagrams over a 1500-byte MTU: the kernel fragments them
#   http-fragments.pcap the HTTP of any-sll.pcap cut into 64-byte IPv4 fragments by fragroute
#
# expected.json holds what tshark counts in each (packets, frames with VLAN tags, fragments),
# the oracle tests/corpus.rs compares with.
#
# Usage (as root): pcaps/core/make.sh. Rerunnable: namespaces and servers of a previous run are
# removed first, and a trap removes them on exit. CI never runs it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE}
WORK=/tmp/hw-core
NS=hwcore
PORT=8088

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'make.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, tcpdump -i any)"
for tool in tcpdump tshark capinfos tcprewrite curl python3 ip; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install tcpdump tshark tcpreplay curl python3 iproute2)"
done

cleanup() {
    local ns pid
    if ip netns list | grep -qw "$NS"; then
        for pid in $(ip netns pids "$NS"); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$NS"
    fi
    [ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null || true
    HTTP_PID=
}
trap cleanup EXIT
cleanup
rm -rf "$WORK" && mkdir -p "$WORK/site"
echo 'hello from hardwire pcaps/core' > "$WORK/site/index.html"

# Starts tcpdump (the command from $3 on) writing $1 with the filter $2; waits until it listens.
start_tcpdump() {
    local file=$1 filter=$2; shift 2
    "$@" --immediate-mode -U -s 0 -w "$file" "$filter" 2> "$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 50); do
        # "listening" comes a moment before packets are really seen.
        grep -q listening "$WORK/tcpdump.log" && { sleep 1; return; }
        sleep 0.1
    done
    die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
}
stop_tcpdump() {
    sleep 0.5
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
}

# --- tcpdump -i any on loopback: SLL2 and SLL ------------------------------------------------
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/site" >/dev/null 2>&1 &
HTTP_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

for variant in sll2 sll; do
    log "any-$variant.pcap"
    args=(tcpdump -i any)
    [ "$variant" = sll ] && args+=(-y LINUX_SLL)
    start_tcpdump "$OUT/any-$variant.pcap" "tcp port $PORT" "${args[@]}"
    curl -s -o /dev/null -A "hardwire-pcaps-core" "http://127.0.0.1:$PORT/"
    curl -s -o /dev/null -A "hardwire-pcaps-core" "http://127.0.0.1:$PORT/index.html"
    stop_tcpdump
done
kill "$HTTP_PID"; HTTP_PID=

# --- VLAN tags, QinQ and fragments --------------------------------------------------------------
# A namespace of our own whose loopback has a 1500-byte MTU (tcpdump -i lo records Ethernet
# frames there). This VM's kernel has neither veth nor 8021q, so tcprewrite adds the tags to the
# real HTTP recorded on that loopback, and fragroute (inside tcprewrite) cuts it into fragments.
ip netns add "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ip link set lo mtu 1500
# Distinct client and server addresses (documentation range), both on that loopback.
SRV_IP=192.0.2.1
CLI_IP=192.0.2.2
in_ns ip addr add "$SRV_IP/32" dev lo
in_ns ip addr add "$CLI_IP/32" dev lo
in_ns python3 -m http.server "$PORT" --bind "$SRV_IP" --directory "$WORK/site" >/dev/null 2>&1 &
for _ in $(seq 50); do in_ns curl -s -o /dev/null "http://$SRV_IP:$PORT/" && break; sleep 0.1; done

log "ipv4-fragments.pcap"
# The kernel fragments: 3000-byte UDP datagrams over the 1500-byte loopback.
start_tcpdump "$OUT/ipv4-fragments.pcap" "udp or ip[6:2] & 0x1fff != 0" ip netns exec "$NS" tcpdump -i lo
in_ns python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$CLI_IP"'", 0))
for i in range(3):
    s.sendto(bytes([65 + i]) * 3000, ("'"$SRV_IP"'", 9))
'
stop_tcpdump

start_tcpdump "$WORK/lo.pcap" "tcp port $PORT" ip netns exec "$NS" tcpdump -i lo
in_ns curl -s -o /dev/null --interface "$CLI_IP" -A "hardwire-pcaps-core" "http://$SRV_IP:$PORT/"
stop_tcpdump
macs=(--enet-smac=02:00:0a:4e:00:02 --enet-dmac=02:00:0a:4e:00:01)
vlan() { echo --enet-vlan=add --enet-vlan-tag="$1" --enet-vlan-cfi=0 --enet-vlan-pri=0 --enet-vlan-proto="$2"; }
log "vlan.pcap"
tcprewrite --infile="$WORK/lo.pcap" --outfile="$OUT/vlan.pcap" "${macs[@]}" $(vlan 10 802.1q)
log "qinq.pcap"
tcprewrite --infile="$WORK/lo.pcap" --outfile="$WORK/inner.pcap" "${macs[@]}" $(vlan 20 802.1q)
tcprewrite --infile="$WORK/inner.pcap" --outfile="$OUT/qinq.pcap" $(vlan 100 802.1ad)
log "http-fragments.pcap"
echo "ip_frag 64" > "$WORK/fragroute.conf"
tcprewrite --infile="$WORK/lo.pcap" --outfile="$OUT/http-fragments.pcap" "${macs[@]}" --fragroute="$WORK/fragroute.conf"

# --- what tshark sees ------------------------------------------------------------------------
log "expected.json"
count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }
{
    echo '{'
    first=1
    for file in any-sll2 any-sll vlan qinq ipv4-fragments http-fragments; do
        pcap="$OUT/$file.pcap"
        [ $first = 1 ] || echo ','
        first=0
        printf '  "%s.pcap": {"packets": %d, "link": "%s", "vlan_frames": %d, "qinq_frames": %d, "fragments": %d, "http_requests": %d}' \
            "$file" "$(count "$pcap" '')" "$(capinfos -E -T -r "$pcap" | cut -f2)" \
            "$(count "$pcap" vlan)" "$(count "$pcap" ieee8021ad)" \
            "$(count "$pcap" 'ip.flags.mf==1 or ip.frag_offset>0')" "$(count "$pcap" http.request)"
    done
    echo
    echo '}'
} > "$OUT/expected.json"
cat "$OUT/expected.json"
