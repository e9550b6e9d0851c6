#!/usr/bin/env bash
# Remake many-interfaces.pcapng: the project's own captures of pcaps/ (real traffic, see each
# folder's make.sh) merged into one pcapng with one interface per capture (mergecap -I none),
# every other one with a snapshot length of 8192 and the rest 65535 (editcap -s), Ethernet and
# Linux cooked (v1 and v2) link types mixed. libpcap refuses such a file (an interface whose
# snapshot length or link type differs from the first's); tshark reads every packet, and so
# must hardwire read.
#
# expected.json holds what tshark counts: packets, their bytes on the wire, interfaces.
#
# Usage: pcaps/reader/make.sh (needs editcap, mergecap, capinfos, tshark). CI never runs it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PCAPS=$(dirname "$HERE")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

i=0
# Every capture but the 11 MB bulk transfer, in a stable order.
for capture in $(find "$PCAPS" -name '*.pcap' ! -name 'smb-transfer-5mb.pcap' ! -path "$HERE/*" | sort); do
    snaplen=$(( i % 2 ? 8192 : 65535 ))
    editcap -F pcapng -s "$snaplen" "$capture" "$WORK/$(printf %03d $i).pcapng"
    i=$((i + 1))
done
mergecap -F pcapng -I none -w "$HERE/many-interfaces.pcapng" "$WORK"/*.pcapng

out=$HERE/many-interfaces.pcapng
packets=$(tshark -r "$out" -T fields -e frame.len | wc -l)
bytes=$(tshark -r "$out" -T fields -e frame.len | awk '{s += $1} END {print s}')
interfaces=$(capinfos "$out" | awk -F: '/Number of interfaces in file/ {print $2 + 0}')
cat > "$HERE/expected.json" <<JSON
{
  "many-interfaces.pcapng": {"packets": $packets, "bytes": $bytes, "interfaces": $interfaces}
}
JSON
cat "$HERE/expected.json"
