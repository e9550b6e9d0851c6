#!/usr/bin/env bash
# Regenerates the captures of presentation contexts and SMB1 pipe transports (issue 13):
#   svcctl-contexts.pcap          impacket over \PIPE\svcctl (SMB2): a bind of 70 random
#                                 interfaces before svcctl, an alter_context adding svcctl as a
#                                 new context, OpenSCManagerW + RCreateServiceW in 64-byte fragments
#   svcctl-contexts-oneside.pcap  the same capture cut to what the client sent (tcpdump filter
#                                 'src host 10.77.1.20'): no bind_ack, no answer at all
#   svcctl-contexts-midstream.pcap the same capture from the alter_context on (editcap: frame 27
#                                 onwards): no handshake, negotiate, logon, CREATE or bind
#   smb1-write-read.pcap          svcctl over SMB1 written with the core SMB_COM_WRITE (Samba
#                                 refuses the core SMB_COM_READ on a pipe: answers by READ_ANDX)
#   rpcclient-smb1.pcap           rpcclient, client ipc max protocol NT1 (WRITE_ANDX / READ_ANDX / TRANSACTION): samr, srvsvc
#   svcctl-compound.pcap          \PIPE\svcctl in SMB2 related compounds (smbprotocol): CREATE +
#                                 WRITE (bind) + READ, then WRITE + READ per call; the PDUs are
#                                 impacket's OpenSCManagerW + RCreateServiceW
# Server: Samba smbd ('server min protocol = NT1', SMB3 encryption off). Clients: clients.py
# (impacket's library, and smbprotocol's for the compounds) and rpcclient. Two network namespaces joined by a veth pair; nothing
# leaves the machine. Namespace names carry NS_PREFIX so that runs do not collide.
# Usage: sudo pcaps/dcerpc/make-contexts.sh [OUTDIR [CAPTURE...]]   (default: this folder, every
# capture; name captures, e.g. smb1-write-read.pcap, to remake only those). CI never runs it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
shift || true
ONLY=" $* "
PREFIX=${NS_PREFIX:-hwctx}
NS_S=$PREFIX-ds
NS_C=$PREFIX-dc
SMB_SRV=10.77.1.10
CLIENT=10.77.1.20
USER=hwadmin
PASS='Hardw1re!'     # test password of a throw-away local account (as in clients.py)

[ "$(id -u)" = 0 ] || { echo "make-contexts.sh: run as root" >&2; exit 1; }
for tool in smbd rpcclient tcpdump tshark editcap; do
  command -v "$tool" >/dev/null || { echo "make-contexts.sh: missing $tool (see make.sh)" >&2; exit 1; }
done
python3 -c 'import impacket' || { echo "make-contexts.sh: python3 lacks impacket" >&2; exit 1; }
python3 -c 'import smbprotocol' 2>/dev/null || pip install smbprotocol

WORK=$(mktemp -d /tmp/hw-contexts.XXXXXX)
SMBD=
cleanup() {
  set +e
  trap '' INT TERM
  [ -n "$SMBD" ] && kill "$SMBD" 2>/dev/null
  sleep 1
  # samba-dcerpcd and its rpcd_* helpers outlive smbd: end what still runs in our namespace
  ip netns pids "$NS_S" 2>/dev/null | xargs -r kill 2>/dev/null
  sleep 1
  ip netns del "$NS_S" 2>/dev/null
  ip netns del "$NS_C" 2>/dev/null
  rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap "exit 1" INT TERM

in_srv() { ip netns exec "$NS_S" "$@"; }
in_cli() { ip netns exec "$NS_C" "$@"; }

ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$PREFIX-s" netns "$NS_S" type veth peer name "$PREFIX-c" netns "$NS_C"
for ns in "$NS_S" "$NS_C"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
in_srv ip addr add "$SMB_SRV/24" dev "$PREFIX-s"
in_cli ip addr add "$CLIENT/24" dev "$PREFIX-c"
in_srv ethtool -K "$PREFIX-s" tso off gso off gro off >/dev/null 2>&1 || true
in_cli ethtool -K "$PREFIX-c" tso off gso off gro off >/dev/null 2>&1 || true
in_srv ip link set "$PREFIX-s" up
in_cli ip link set "$PREFIX-c" up

id "$USER" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$USER"
mkdir -p "$WORK"/{lock,state,cache,private,run,ncalrpc,log,share}
cat > "$WORK/smb.conf" <<CONF
[global]
  netbios name = SMBSRV
  workgroup = HARDWIRE
  server role = standalone server
  interfaces = $SMB_SRV/24
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  admin users = $USER
  lock directory = $WORK/lock
  state directory = $WORK/state
  cache directory = $WORK/cache
  private dir = $WORK/private
  pid directory = $WORK/run
  ncalrpc dir = $WORK/ncalrpc
  log file = $WORK/log/%m.log
  passdb backend = tdbsam
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
  server smb encrypt = off
  server min protocol = NT1
[share]
  path = $WORK/share
  read only = no
CONF
printf '%s\n%s\n' "$PASS" "$PASS" | smbpasswd -c "$WORK/smb.conf" -s -a "$USER" >/dev/null
# setsid: on shutdown samba-dcerpcd signals its whole process group, which must not be ours
in_srv setsid smbd --foreground --no-process-group --configfile="$WORK/smb.conf" > "$WORK/log/smbd.out" 2>&1 &
SMBD=$!
for _ in $(seq 50); do
  in_cli bash -c "exec 3<>/dev/tcp/$SMB_SRV/445" 2>/dev/null && break
  sleep 0.2
done

. "$HERE/../record.sh"
capture() {  # capture NAME CMD...
  [ "$ONLY" = "  " ] || [[ "$ONLY" == *" $1 "* ]] || return 0
  record "$NS_S" "$PREFIX-s" tcp "$@"
}

capture svcctl-contexts.pcap python3 "$HERE/clients.py" svcctl-contexts "$SMB_SRV"
if [ "$ONLY" = "  " ] || [[ "$ONLY" == *" svcctl-contexts.pcap "* ]]; then
  tcpdump -r "$OUT/svcctl-contexts.pcap" -w "$OUT/svcctl-contexts-oneside.pcap" "src host $CLIENT" 2>/dev/null
fi
if [ "$ONLY" = "  " ] || [[ "$ONLY" == *" svcctl-contexts-midstream.pcap "* ]]; then
  # the first frame whose DCE/RPC PDU is the alter_context
  first=$(tshark -r "$OUT/svcctl-contexts.pcap" -Y 'dcerpc.pkt_type == 14' -T fields -e frame.number | head -1)
  editcap -r "$OUT/svcctl-contexts.pcap" "$OUT/svcctl-contexts-midstream.pcap" "$first-1000000"
fi
capture smb1-write-read.pcap python3 "$HERE/clients.py" smb1-write-read "$SMB_SRV"
capture rpcclient-smb1.pcap rpcclient --option='client ipc min protocol=NT1' --option='client ipc max protocol=NT1' -U "$USER%$PASS" \
  -c 'enumdomusers;srvinfo;netshareenumall' "$SMB_SRV"
capture svcctl-compound.pcap python3 "$HERE/clients.py" svcctl-compound "$SMB_SRV"
ls -l "$OUT"/*.pcap
