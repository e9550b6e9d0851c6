#!/usr/bin/env bash
# Remakes the name-resolution captures of this folder from real traffic: Samba's nmblookup and
# smbclient resolving NetBIOS names by broadcast, glibc's getent resolving .local names through
# nss-mdns and avahi-daemon, nmbd and avahi-daemon answering their own host's name, a
# Responder-style poisoner (poisoner.py) answering every name, and impacket's smbserver.py
# taking the victim's NTLM authentication. CI never runs it.
#
# Four network namespaces: three hosts on one switch (a bridge in the fourth) so broadcast and
# multicast reach every host as on a LAN, and tcpdump on the bridge sees every datagram:
#   names-srv  10.89.0.10  nmbd (NetBIOS name FILESRV), avahi-daemon (filesrv.local) and an SMB
#                          server (smbserver.py)
#   names-cli  10.89.0.20  the victim: nmblookup, smbclient, llmnr_query.py, and getent through
#                          nss-mdns and its own avahi-daemon for .local names
#   names-poi  10.89.0.66  the attacker: poisoner.py and smbserver.py
#   names-wins 10.89.0.5   a WINS server (nmbd), in wins.pcap only
#   names-sw   (no address) the bridge names-br
# LLMNR: no resolver here sends it (systemd-resolved needs systemd), so llmnr_query.py sends
# the query a Windows stub resolver would; the answer is the poisoner's. The avahi daemons run
# without D-Bus, each in a mount namespace of its own (its socket and pid file in a tmpfs).
#
# Captures:
#   baseline.pcap  nmblookup and smbclient resolve FILESRV by broadcast; nmbd answers, the
#                  client logs on to FILESRV's SMB server. Nothing is poisoned.
#   poison.pcap    the same first lookup (nmbd answers: it owns FILESRV); then the poisoner
#                  starts and answers FILESRV too, FILESRV2, PRINTSRV and WPAD (nmblookup),
#                  intranet and wpad over LLMNR, and FILESHARE, which smbclient asks for by
#                  itself before logging on as alice to the poisoner's SMB server.
#   mdns.pcap      getent hosts filesrv.local (avahi on FILESRV answers); then the poisoner
#                  answers wpad.local, intranet.local and fileshare.local.
#   registered.pcap  FILESRV's nmbd and avahi-daemon start on the capture: nmbd registers its
#                  names by broadcast (RFC 1002 4.2.2), avahi announces filesrv.local; then
#                  nmblookup FILESRV and getent hosts filesrv.local, answered by their owner.
#                  Nothing is poisoned.
#   poison-first.pcap  the same registration and announcement; then the poisoner starts and
#                  answers FIRST: nmbd and avahi-daemon are stopped (SIGSTOP) while the victim
#                  asks for FILESRV (nmblookup) and filesrv.local (getent), and continued
#                  (SIGCONT) a second later, so the owner's answers follow the poisoner's, as
#                  from a busy or distant host; llmnr_query.py asks for filesrv over LLMNR,
#                  which only the poisoner answers.
#   wins.pcap      a WINS server (nmbd, wins support, in names-wins at 10.89.0.5) starts; FILESRV's
#                  nmbd starts as its client and registers its names with it (unicast) as well
#                  as by broadcast; the victim asks the WINS server for FILESRV (it answers
#                  with FILESRV's address), then asks by broadcast while FILESRV's nmbd is
#                  stopped: the poisoner answers first.
#   announced.pcap FILESRV runs avahi-daemon alone (no nmbd), which announces filesrv.local on
#                  the capture; the poisoner answers getent hosts filesrv.local first (avahi
#                  stopped, then continued), then nmblookup FILESRV and LLMNR filesrv alone.
#
# Usage: sudo pcaps/names/make.sh [OUTDIR [CAPTURE...]]   (default: this folder, every capture)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
ONLY=("${@:2}")
want() { [ ${#ONLY[@]} = 0 ] || [[ " ${ONLY[*]} " == *" $1 "* ]]; }
SRV=10.89.0.10
CLI=10.89.0.20
POI=10.89.0.66
WINS=10.89.0.5
BCAST=10.89.0.255
PY=/usr/bin/python3                                  # the interpreter with impacket
IMPACKET=/usr/share/doc/python3-impacket/examples    # Debian's python3-impacket scripts
VICTIM='alice%Hardw1re-names-test'                   # a throw-away test account

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root" >&2; exit 1; }
command -v nmbd >/dev/null && command -v nmblookup >/dev/null && command -v smbclient >/dev/null \
  && command -v tcpdump >/dev/null && [ -d "$IMPACKET" ] && command -v avahi-daemon >/dev/null \
  && [ -e /lib/x86_64-linux-gnu/libnss_mdns4_minimal.so.2 ] \
  || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y samba samba-common-bin smbclient tcpdump iproute2 python3-impacket avahi-daemon libnss-mdns; }

WORK=$(mktemp -d /tmp/names-pcaps.XXXXXX)
SPACES=(names-srv names-cli names-poi names-wins names-sw)
cleanup() {
  set +e
  trap '' INT TERM
  for ns in "${SPACES[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 1
  for ns in "${SPACES[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
  return 0
}
trap cleanup EXIT
trap "exit 1" INT TERM

for ns in "${SPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; done
ip netns exec names-sw ip link add names-br type bridge
ip netns exec names-sw ip link set names-br up
. "$HERE/../record.sh"
bridge_port names-sw names-br names-srv "$SRV" names-sp
bridge_port names-sw names-br names-cli "$CLI" names-cp
bridge_port names-sw names-br names-poi "$POI" names-pp
bridge_port names-sw names-br names-wins "$WINS" names-wp

# smb.conf NAME ADDRESS: a configuration of its own for each Samba tool, all state under $WORK
samba_conf() {
  local dir=$WORK/$1
  mkdir -p "$dir"/{lock,state,cache,private,run,log}
  cat > "$dir/smb.conf" <<CONF
[global]
  netbios name = $1
  workgroup = HARDWIRE
  interfaces = $2/24
  bind interfaces only = yes
  name resolve order = bcast
  client min protocol = NT1
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  private dir = $dir/private
  pid directory = $dir/run
  log file = $dir/log/%m.log
CONF
  echo "$dir/smb.conf"
}
SRV_CONF=$(samba_conf FILESRV "$SRV")
CLI_CONF=$(samba_conf VICTIM "$CLI")
WINS_CONF=$(samba_conf WINS "$WINS")
echo "  wins support = yes" >> "$WINS_CONF"
NMBD_CONF=$SRV_CONF   # FILESRV's nmbd: SRV_WINS_CONF makes it a WINS client
SRV_WINS_CONF=$WORK/FILESRV/smb-wins.conf
sed "s/name resolve order = bcast/name resolve order = wins bcast\n  wins server = $WINS/" "$SRV_CONF" > "$SRV_WINS_CONF"
mkdir -p "$WORK/share"
echo hello > "$WORK/share/readme.txt"

# avahi.conf HOSTNAME: an avahi-daemon without D-Bus that publishes HOSTNAME.local only
avahi_conf() {
  cat > "$WORK/avahi-$1.conf" <<CONF
[server]
host-name=$1
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=no
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
CONF
  echo "$WORK/avahi-$1.conf"
}
mkdir -p /run/avahi-daemon /run/samba/nmbd
# (its own tmpfs for the socket and pid file: one avahi-daemon per namespace)
# start_filesrv [nmbd]: FILESRV's name services, avahi-daemon (filesrv.local) and, when asked,
# nmbd (FILESRV); their pids in SRV_AVAHI and SRV_NMBD. stop_filesrv ends them, so that a
# capture can record them starting.
start_filesrv() {
  ip netns exec names-srv unshare -m sh -c "mount -t tmpfs tmpfs /run/avahi-daemon && exec avahi-daemon --no-drop-root --no-chroot -f $(avahi_conf filesrv)" \
    >> "$WORK/avahi-srv.out" 2>&1 &
  SRV_AVAHI=$!
  SRV_NMBD=
  if [ "${1:-}" = nmbd ]; then
    ip netns exec names-srv unshare -m sh -c "mount -t tmpfs -o mode=0755 tmpfs /run/samba/nmbd && exec nmbd --foreground --no-process-group --configfile=$NMBD_CONF" \
      >> "$WORK/nmbd.out" 2>&1 &
    SRV_NMBD=$!
  fi
  # a name is registered after three broadcasts 2 s apart unanswered, then nmbd defends it
  # (avahi's probes and announcements take 3 s)
  sleep 8
}
stop_filesrv() { kill $SRV_AVAHI $SRV_NMBD; wait $SRV_AVAHI $SRV_NMBD 2>/dev/null || true; }
start_filesrv nmbd
for _ in $(seq 60); do
  ip netns exec names-cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV 2>/dev/null | grep -q "^$SRV " && break
  sleep 1
done
ip netns exec names-srv "$PY" "$IMPACKET/smbserver.py" -smb2support -ip "$SRV" share "$WORK/share" > "$WORK/srv-smb.out" 2>&1 &

# (the Samba tools find nmbd by a socket in /run/samba/nmbd, across network namespaces:
# nmbd and the victim's tools each see a tmpfs of their own there)
cli() { echo "   \$ $*"; ip netns exec names-cli unshare -m sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run/samba/nmbd && exec "$@"' - timeout 30 "$@" || echo "   (exit $?)"; }
record() {  # NAME: tcpdump on the bridge until stop_record
  ip netns exec names-sw tcpdump -i names-br -s 0 -U -w "$WORK/$1" 2>/dev/null &
  DUMP=$!
  DUMPED=$1
  sleep 1
}
stop_record() { sleep 2; kill -TERM "$DUMP"; wait "$DUMP" || true; cp "$WORK/$DUMPED" "$OUT/$DUMPED"; echo "== wrote $OUT/$DUMPED"; }

if want baseline.pcap; then
echo "== baseline.pcap"
record baseline.pcap
cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
cli nmblookup -s "$CLI_CONF" -B "$BCAST" 'FILESRV#20'
cli smbclient -s "$CLI_CONF" //FILESRV/share -U "$VICTIM" -c 'ls'
stop_record
fi

if want poison.pcap; then
echo "== poison.pcap"
record poison.pcap
cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
ip netns exec names-poi "$PY" "$HERE/poisoner.py" "$POI" > "$WORK/poisoner.out" 2>&1 &
POISONER=$!
ip netns exec names-poi "$PY" "$IMPACKET/smbserver.py" -smb2support -ip "$POI" share "$WORK/share" > "$WORK/poi-smb.out" 2>&1 &
for _ in $(seq 60); do ip netns exec names-poi ss -ltn | grep -q ':445 ' && grep -q poisoning "$WORK/poisoner.out" && break; sleep 0.5; done
cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV2
cli nmblookup -s "$CLI_CONF" -B "$BCAST" PRINTSRV
cli nmblookup -s "$CLI_CONF" -B "$BCAST" WPAD
cli "$PY" "$HERE/llmnr_query.py" intranet wpad
cli smbclient -s "$CLI_CONF" //FILESHARE/share -U "$VICTIM" -c 'ls'
stop_record
kill "$POISONER"; wait "$POISONER" 2>/dev/null || true
fi

if want mdns.pcap; then
echo "== mdns.pcap"
# The victim's own avahi-daemon and getent (nss-mdns talks to the daemon's socket) share one
# mount namespace; the two files hand over between the victim's shell and this script.
CLI_AVAHI=$(avahi_conf victim)
record mdns.pcap
ip netns exec names-cli unshare -m sh -c "
  mount -t tmpfs tmpfs /run/avahi-daemon && avahi-daemon -D --no-drop-root --no-chroot -f $CLI_AVAHI && sleep 5
  echo '   \$ getent hosts filesrv.local'; getent hosts filesrv.local
  touch $WORK/asked; while [ ! -e $WORK/poisoning ]; do sleep 0.2; done
  for name in wpad.local intranet.local fileshare.local; do echo \"   \\\$ getent hosts \$name\"; getent hosts \$name; done
  avahi-daemon -k" || echo "   (exit $?)"  &
VICTIM_SHELL=$!
for _ in $(seq 100); do [ -e "$WORK/asked" ] && break; sleep 0.2; done
ip netns exec names-poi "$PY" "$HERE/poisoner.py" "$POI" > "$WORK/poisoner.out" 2>&1 &
POISONER=$!
for _ in $(seq 50); do grep -q poisoning "$WORK/poisoner.out" && break; sleep 0.2; done
touch "$WORK/poisoning"
wait "$VICTIM_SHELL" || true
stop_record
kill "$POISONER"; wait "$POISONER" 2>/dev/null || true
fi

# victim_getent HOOK NAME...: the victim's avahi-daemon starts (and probes its own name), HOOK
# runs, then getent hosts NAME through nss-mdns for each NAME, and the daemon stops.
victim_getent() {
  local hook=$1
  shift
  ip netns exec names-cli unshare -m sh -c "
    mount -t tmpfs tmpfs /run/avahi-daemon && avahi-daemon -D --no-drop-root --no-chroot -f $(avahi_conf victim) && sleep 5
    $hook
    for name in $*; do echo \"   \\\$ getent hosts \$name\"; getent hosts \$name; done
    avahi-daemon -k" || echo "   (exit $?)"
}

start_poisoner() {
  ip netns exec names-poi "$PY" "$HERE/poisoner.py" "$POI" > "$WORK/poisoner.out" 2>&1 &
  POISONER=$!
  for _ in $(seq 50); do grep -q poisoning "$WORK/poisoner.out" && break; sleep 0.2; done
}
stop_poisoner() { kill "$POISONER"; wait "$POISONER" 2>/dev/null || true; }
# The victim asks for FILESRV by broadcast, then for filesrv.local, each while the service
# that owns it is stopped: the poisoner answers first, the owner when continued.
nbns_owner_late() {
  kill -STOP "$SRV_NMBD"
  cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
  kill -CONT "$SRV_NMBD"
  sleep 1
}
mdns_owner_late() {
  victim_getent "kill -STOP $SRV_AVAHI" filesrv.local
  sleep 1
  kill -CONT "$SRV_AVAHI"
  sleep 2
}

for capture in registered.pcap poison-first.pcap announced.pcap wins.pcap; do
  want "$capture" || continue
  echo "== $capture"
  stop_filesrv
  record "$capture"
  case $capture in
    registered.pcap)
      start_filesrv nmbd
      cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
      victim_getent : filesrv.local
      ;;
    poison-first.pcap)
      start_filesrv nmbd
      start_poisoner
      nbns_owner_late
      cli "$PY" "$HERE/llmnr_query.py" filesrv
      mdns_owner_late
      stop_poisoner
      ;;
    announced.pcap)
      start_filesrv
      start_poisoner
      mdns_owner_late
      cli nmblookup -s "$CLI_CONF" -B "$BCAST" FILESRV
      cli "$PY" "$HERE/llmnr_query.py" filesrv
      stop_poisoner
      ;;
    wins.pcap)
      ip netns exec names-wins unshare -m sh -c "mount -t tmpfs -o mode=0755 tmpfs /run/samba/nmbd && exec nmbd --foreground --no-process-group --configfile=$WINS_CONF" \
        >> "$WORK/nmbd-wins.out" 2>&1 &
      WINS_NMBD=$!
      sleep 3
      NMBD_CONF=$SRV_WINS_CONF start_filesrv nmbd
      cli nmblookup -s "$CLI_CONF" -U "$WINS" --recursion FILESRV
      start_poisoner
      nbns_owner_late
      stop_poisoner
      kill "$WINS_NMBD"; wait "$WINS_NMBD" 2>/dev/null || true
      ;;
  esac
  stop_record
done
echo "--- poisoner"; cat "$WORK/poisoner.out" 2>/dev/null || true
echo "--- poisoner's SMB server"; tail -20 "$WORK/poi-smb.out" 2>/dev/null || true
