#!/usr/bin/env bash
# Soak: `hardwire live` on one end of a veth pair while tcpreplay sends, as fast as it can, the
# 400 MB mixed capture and floods (SYNs to ever new outside addresses on 445, NTLMSSP
# amplification as IPv4 fragments to 1433, the fallback scanner's ground since 389 is LDAP's)
# into the other end, for DURATION seconds. Every INTERVAL seconds it prints packets seen, drops (kernel, queue) and the daemon's RSS, read from
# /metrics and /proc; then the final stats line. Figures go to benches/RESULTS.md.
#
# Usage (as root, from the workspace root, after `cargo build --release -p hardwire-sensor` and
# `cargo run --release -p hardwire-sensor --example generate`):
#   DURATION=300 INTERVAL=10 benches/soak.sh
# BUDGET=BYTES runs the daemon with that limits.memory_budget per worker (default: the default).
# The namespace and veth names start with "bounds-"; a trap removes them and the daemon.
set -euo pipefail

DURATION=${DURATION:-300}
INTERVAL=${INTERVAL:-10}
WORKERS=${WORKERS:-2}
BIN=${BIN:-target/release/hardwire}
MIX=${MIX:-benches/data/mixed-400m.pcap}
PORT=${PORT:-19751}
BUDGET=${BUDGET:-}
NS=bounds-soak
HOST=bounds-h
PEER=bounds-p
WORK=

die() { printf 'soak.sh: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (a network namespace and a veth pair)"
for tool in tcpreplay ip curl python3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[ -x "$BIN" ] || die "$BIN is missing: cargo build --release -p hardwire-sensor"
[ -f "$MIX" ] || die "$MIX is missing: cargo run --release -p hardwire-sensor --example generate"

cleanup() {
    [ -n "${REPLAY_PID:-}" ] && kill "$REPLAY_PID" 2>/dev/null || true
    [ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
    ip link del "$HOST" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    [ -n "$WORK" ] && rm -rf "$WORK"
    return 0
}
trap cleanup EXIT
cleanup 2>/dev/null || true
WORK=$(mktemp -d /tmp/bounds-soak.XXXXXX)

ip netns add "$NS"
ip link add "$HOST" type veth peer name "$PEER" netns "$NS"
sysctl -qw "net.ipv6.conf.$HOST.disable_ipv6=1"
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$PEER.disable_ipv6=1"
ip link set "$HOST" up
ip netns exec "$NS" ip link set "$PEER" up

# The floods, written with plain struct (forged on purpose: attacks on the sensor itself).
python3 - "$WORK/floods.pcap" <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
def ip_frame(src, dst, proto, payload, ident=1, frag=0):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, bytes(src), bytes(dst))
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + payload
def tcp(sport, dport, seq, flags, payload=b"", ack=0):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload
t = 1_700_000_000
def write(frame):
    global t
    t += 1
    out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)) + frame)
for i in range(300_000):
    write(ip_frame([10, 1, 0, 5], [100, 64 | (i >> 16) & 63, (i >> 8) & 255, i & 255], 6, tcp(1024 + i % 50000, 445, i, 0x02)))
# names reach exactly to the segment's end (as benches/synth.rs ntlm_amplification): each
# candidate is whole, and the scanner parses its 64 per flow
SEG = 65000 // 64 * 64
for flow in range(10):
    seg = b""
    while len(seg) < SEG:
        reach = min(SEG - len(seg) - 64, 0xFFFF)
        fields = b"".join(struct.pack("<HHI", reach if 2 <= f < 5 else 0, reach if 2 <= f < 5 else 0, 64) for f in range(6))
        seg += b"NTLMSSP\0\x03\0\0\0" + fields + struct.pack("<I", 0xA2888205)
    payload = tcp(40000 + flow, 1433, 101, 0x18, seg)
    for at in range(0, len(payload), 1480):
        more = 0x2000 if at + 1480 < len(payload) else 0
        write(ip_frame([10, 1, 0, 5], [10, 250, 0, 1], 6, payload[at:at + 1480], ident=flow + 1, frag=more | at // 8))
PY

printf '[live]\nstats_interval_secs = 10\n' > "$WORK/soak.toml"
[ -n "$BUDGET" ] && printf '[limits]\nmemory_budget = %s\n' "$BUDGET" >> "$WORK/soak.toml"
"$BIN" check-config "$WORK/soak.toml" >/dev/null || die "the soak configuration is refused"
"$BIN" live -i "$HOST" --workers "$WORKERS" --config "$WORK/soak.toml" --metrics "127.0.0.1:$PORT" -o "$WORK/out.jsonl" 2> "$WORK/stderr" &
DAEMON_PID=$!
for _ in $(seq 50); do curl -sf "127.0.0.1:$PORT/metrics" >/dev/null && break; sleep 0.2; done

( while true; do
    ip netns exec "$NS" tcpreplay -q --topspeed -i "$PEER" "$MIX" "$WORK/floods.pcap" >/dev/null 2>&1 || true
  done ) &
REPLAY_PID=$!

metric() { curl -sf "127.0.0.1:$PORT/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
printf '| seconds | packets seen | kernel drops | queue drops | RSS (MB) | held against the budget (MB) | flows shed | load (1 min) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$DURATION" ]; do
    sleep "$INTERVAL"
    kill -0 "$DAEMON_PID" 2>/dev/null || die "hardwire exited: $(cat "$WORK/stderr")"
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON_PID/status")
    held=$(metric hardwire_memory_bytes | awk '{printf "%.1f", $1 / 1048576}')
    shed=$(curl -sf "127.0.0.1:$PORT/metrics" | awk '$1 ~ /^hardwire_memory_flows_shed_total/ {n += $2} END {print n + 0}')
    printf '| %d | %s | %s | %s | %s | %s | %s | %s |\n' $(( $(date +%s) - start )) "$(metric hardwire_packets_total)" \
        "$(metric hardwire_kernel_drops_total)" "$(metric hardwire_queue_drops_total)" "$rss" "$held" "$shed" \
        "$(cut -d' ' -f1 /proc/loadavg)"
done
kill "$REPLAY_PID" 2>/dev/null || true
peak=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON_PID/status")
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && status=0 || status=$?
DAEMON_PID=
echo "peak RSS ${peak} MB; exit status $status; last stats line:"
grep '"event_type":"stats"' "$WORK/out.jsonl" | tail -1
