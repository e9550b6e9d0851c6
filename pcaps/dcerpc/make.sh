#!/usr/bin/env bash
# Regenerates the DCE/RPC captures of this folder: remote task scheduling and
# remote service creation the way attackers do it (impacket), plus a benign
# rpcclient session. Run as root on a Debian machine; CI never runs it.
#
# Two network namespaces joined by a veth pair; every address lives only
# inside them, so no packet leaves the machine:
#   hw-dcerpc-srv  10.77.0.10  Samba smbd (svcctl, samr, srvsvc...), SMB3 encryption off
#                  10.77.0.12  Samba smbd with its defaults (SMB3 encryption offered)
#                  10.77.0.11  OUR stand-in Windows host: impacket's SMB server
#                              (pipe_server.py, \PIPE\atsvc) + responder.py
#                              (DCE/RPC on the pipe, TCP 49670 and TCP 135)
#   hw-dcerpc-cli  10.77.0.20  the clients: impacket example scripts / library, rpcclient
# tcpdump listens on the server end of the veth, one capture per scenario.
#
# Usage: sudo pcaps/dcerpc/make.sh [OUTDIR]   (default: this folder)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
NS_S=hw-dcerpc-srv
NS_C=hw-dcerpc-cli
SMB_SRV=10.77.0.10   # Samba
TASK_SRV=10.77.0.11  # ours
SMB_ENC=10.77.0.12   # Samba with its default (SMB3 encryption offered)
CLIENT=10.77.0.20
USER=hwadmin
PASS='Hardw1re!'     # test password of a throw-away local account

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root" >&2; exit 1; }

# ---- tools
if ! command -v smbd >/dev/null || ! command -v rpcclient >/dev/null \
   || ! command -v tcpdump >/dev/null || ! command -v tshark >/dev/null || ! command -v ethtool >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y samba smbclient tcpdump tshark iproute2 ethtool
fi
python3 -c 'import impacket' 2>/dev/null || pip install impacket
IMPACKET_BIN=$(python3 -c 'import sys, os; print(os.path.dirname(sys.executable))')
# the example scripts beside the interpreter (pyenv's shims are shell scripts)
ATEXEC=$IMPACKET_BIN/atexec.py
SERVICES=$IMPACKET_BIN/services.py
PSEXEC=$IMPACKET_BIN/psexec.py
[ -f "$ATEXEC" ] || ATEXEC=$(command -v atexec.py)
[ -f "$SERVICES" ] || SERVICES=$(command -v services.py)
[ -f "$PSEXEC" ] || PSEXEC=$(command -v psexec.py)

WORK=$(mktemp -d /tmp/hw-dcerpc.XXXXXX)
PIDS=()

cleanup() {
  set +e
  trap '' INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  # smbd's samba-dcerpcd and rpcd_* helpers outlive smbd: end whatever still
  # runs inside our server namespace (and only there)
  sleep 1
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

# ---- network namespaces
ip netns del "$NS_S" 2>/dev/null || true
ip netns del "$NS_C" 2>/dev/null || true
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add hwdce-s netns "$NS_S" type veth peer name hwdce-c netns "$NS_C"
for ns in "$NS_S" "$NS_C"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
in_srv ip addr add "$SMB_SRV/24" dev hwdce-s
in_srv ip addr add "$TASK_SRV/24" dev hwdce-s
in_srv ip addr add "$SMB_ENC/24" dev hwdce-s
in_cli ip addr add "$CLIENT/24" dev hwdce-c
# no segmentation offload: frames on the veth stay within the 1500-byte MTU,
# as on a real wire (the sensor must reassemble TCP as it would there)
in_srv ethtool -K hwdce-s tso off gso off gro off >/dev/null
in_cli ethtool -K hwdce-c tso off gso off gro off >/dev/null
in_srv ip link set hwdce-s up
in_cli ip link set hwdce-c up

# ---- Samba, two instances, each with its own state under $WORK/NAME
# plain:  'server smb encrypt = off', so SMB3 encryption is not offered and the
#         DCE/RPC inside the pipes stays visible (as against an SMB 2.1 host);
#         'server min protocol = NT1' for the SMB1 capture.
# enc:    Samba's defaults: encryption offered, and impacket then encrypts the
#         whole session (smb3.py sets SMB2_SESSION_FLAG_ENCRYPT_DATA itself).
# setsid: on shutdown samba-dcerpcd signals its whole process group, which
# must not be ours.
id "$USER" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$USER"
start_samba() {  # NAME ADDRESS EXTRA-GLOBAL-LINES
  local dir=$WORK/$1
  mkdir -p "$dir"/{lock,state,cache,private,run,ncalrpc,log,share}
  cat > "$dir/smb.conf" <<EOF
[global]
  netbios name = SMBSRV
  workgroup = HARDWIRE
  server role = standalone server
  interfaces = $2/24
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  admin users = $USER
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  private dir = $dir/private
  pid directory = $dir/run
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log/%m.log
  passdb backend = tdbsam
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
$3
[share]
  path = $dir/share
  read only = no
EOF
  printf '%s\n%s\n' "$PASS" "$PASS" | smbpasswd -c "$dir/smb.conf" -s -a "$USER" >/dev/null
  in_srv setsid smbd --foreground --no-process-group --configfile="$dir/smb.conf" > "$dir/log/smbd.out" 2>&1 &
  PIDS+=($!)
}
start_samba plain "$SMB_SRV" "  server smb encrypt = off
  server min protocol = NT1"
start_samba enc "$SMB_ENC" ""

# ---- our stand-in Windows host
mkdir -p "$WORK/admin/Temp"
in_srv python3 "$HERE/responder.py" --tcp "$TASK_SRV:49670" --pipe 127.0.0.1:40001 --epm "$TASK_SRV:135" \
  --outdir "$WORK/admin" --password "$PASS" > "$WORK/responder.log" 2>&1 &
PIDS+=($!)
in_srv python3 "$HERE/pipe_server.py" --listen "$TASK_SRV" --pipe-backend 127.0.0.1:40001 \
  --admin-dir "$WORK/admin" --user "$USER" --password "$PASS" > "$WORK/pipe_server.log" 2>&1 &
PIDS+=($!)

wait_port() {  # host port
  for _ in $(seq 50); do
    in_cli bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "make.sh: nothing listens on $1:$2" >&2; return 1
}
wait_port "$SMB_SRV" 445
wait_port "$SMB_ENC" 445
wait_port "$TASK_SRV" 445
wait_port "$TASK_SRV" 49670
wait_port "$TASK_SRV" 135

# capture NAME CMD...: record one scenario run from the client namespace
capture() {
  local name=$1; shift
  in_srv tcpdump -i hwdce-s -s 0 -U -Z root -w "$WORK/$name" tcp 2>/dev/null &
  local dump=$!
  sleep 1
  echo "== $name: $*"
  in_cli timeout 60 "$@" || echo "   (client exited with $?)"
  sleep 1
  kill -TERM "$dump"; wait "$dump" || true  # (SIGINT is ignored by background jobs)
  cp "$WORK/$name" "$OUT/$name"
}

capture atexec-atsvc.pcap python3 "$ATEXEC" "$USER:$PASS@$TASK_SRV" whoami
capture atsvc-netrjobadd.pcap python3 "$HERE/clients.py" netrjobadd "$TASK_SRV"
capture tsch-tcp.pcap python3 "$HERE/clients.py" tsch-tcp "$TASK_SRV" 49670 privacy
capture tsch-tcp-noauth.pcap python3 "$HERE/clients.py" tsch-tcp "$TASK_SRV" 49670 none
capture epm-135.pcap python3 "$HERE/clients.py" epm "$TASK_SRV"
capture psexec-svcctl.pcap python3 "$SERVICES" "$USER:$PASS@$SMB_SRV" create -name HwSvc \
  -display HwSvc -path '%COMSPEC% /c whoami'
capture psexec-svcctl-smb3enc.pcap python3 "$SERVICES" "$USER:$PASS@$SMB_ENC" create -name HwSvc \
  -display HwSvc -path '%COMSPEC% /c whoami'
capture psexec-upload-svcctl.pcap python3 "$PSEXEC" "$USER:$PASS@$SMB_SRV" whoami
capture rpcclient-samr.pcap rpcclient -U "$USER%$PASS" -c 'enumdomusers;srvinfo' "$SMB_SRV"
capture smb1-svcctl.pcap python3 "$HERE/clients.py" smb1-svcctl "$SMB_SRV"

echo "== server logs"
cat "$WORK/responder.log"
ls -l "$OUT"/*.pcap
# the oracle beside the captures (its rule lists are by hand: check EXPECTED.md)
[ "$OUT" = "$HERE" ] && python3 "$HERE/tshark_facts.py" --json
exit 0
