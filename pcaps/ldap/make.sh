#!/usr/bin/env bash
# Regenerates the captures of this folder: LDAP binds against a Samba AD domain controller.
# Run as root on a Debian machine; CI never runs it.
#
# Two network namespaces joined by a veth pair; tcpdump records on the client's end. Every
# address lives only inside them:
#   mitm-ldc  10.79.2.10  Samba 4.17 AD DC (dc1.hardwire.test, realm HARDWIRE.TEST): LDAP, KDC
#   mitm-lcl  10.79.2.20  the clients: ldap3 (binds.py), Samba's ldbsearch, OpenLDAP's ldapsearch
#
# Usage: sudo pcaps/ldap/make.sh [OUTDIR [CAPTURE...]]   (default: this folder, every capture)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
shift || true
ONLY=("$@")   # capture names to make; none: all of them
DC=10.79.2.10
CLIENT=10.79.2.20
REALM=HARDWIRE.TEST
DOMAIN=HARDWIRE
BASE=dc=hardwire,dc=test
ADMINPASS='Hardw1re!Adm1n'   # test passwords of a throw-away domain
PASS='Al1ce!Hardw1re'
WRONG='Wr0ng!guess'
PY=/usr/bin/python3           # the interpreter with ldap3 and impacket
IMPACKET=/usr/share/doc/python3-impacket/examples  # Debian's python3-impacket example scripts

[ "$(id -u)" = 0 ] || { echo "make.sh: run as root" >&2; exit 1; }
command -v samba >/dev/null && command -v ldbsearch >/dev/null && command -v ldapsearch >/dev/null && command -v kinit >/dev/null \
  && [ -e /usr/lib/x86_64-linux-gnu/sasl2/libgssapiv2.so ] \
  || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y samba ldb-tools ldap-utils libsasl2-modules-gssapi-mit \
       krb5-user tcpdump iproute2 ethtool python3-ldap3 python3-impacket; }

WORK=$(mktemp -d /tmp/mitm-ldap.XXXXXX)
PIDS=()
HOSTS=(mitm-ldc mitm-lcl)
cleanup() {
  set +e
  trap '' INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for ns in "${HOSTS[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 1
  for ns in "${HOSTS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf /etc/netns/mitm-lcl "$WORK"
  return 0
}
trap cleanup EXIT
trap "exit 1" INT TERM
in_dc() { ip netns exec mitm-ldc "$@"; }
in_cli() { ip netns exec mitm-lcl env KRB5_CONFIG="$WORK/krb5.conf" KRB5CCNAME="FILE:$WORK/ccache" LDAPCONF="$WORK/ldap.conf" "$@"; }

for ns in "${HOSTS[@]}"; do ip netns del "$ns" 2>/dev/null || true; ip netns add "$ns"; done
ip link add mitm-ldv netns mitm-ldc type veth peer name mitm-lcv netns mitm-lcl
setup() {  # NAMESPACE IFACE ADDRESS
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$1" ip link set lo up
  ip netns exec "$1" ip addr add "$3/24" dev "$2"
  # no segmentation offload: frames stay within the MTU, as on a real wire
  command -v ethtool >/dev/null && ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null || true
  ip netns exec "$1" ip link set "$2" up
}
setup mitm-ldc mitm-ldv "$DC"
setup mitm-lcl mitm-lcv "$CLIENT"
# the client finds the DC by name (Kerberos service names); ip netns exec reads this file
mkdir -p /etc/netns/mitm-lcl
printf '127.0.0.1 localhost\n%s dc1.hardwire.test dc1\n' "$DC" > /etc/netns/mitm-lcl/hosts

# ---- the domain controller: a throw-away domain in the scratch folder
dc=$WORK/dc
samba-tool domain provision --targetdir="$dc" --realm="$REALM" --domain="$DOMAIN" --server-role=dc \
  --dns-backend=NONE --host-name=dc1 --host-ip="$DC" --adminpass="$ADMINPASS" \
  --option="interfaces = $DC/24" --option="bind interfaces only = yes" \
  --option="server services = -dns" > "$WORK/provision.log"
conf=$dc/etc/smb.conf
# simple binds and SASL binds without signing accepted in clear (the weak setting the rules
# look for; its default, yes, answers them strongerAuthRequired)
sed -i 's/^\[global\]$/[global]\n\tldap server require strong auth = no/' "$conf"
grep -q 'require strong auth = no' "$conf"
for user in alice bob carol dave erin frank; do
  samba-tool user create "$user" "$PASS" -s "$conf" > /dev/null
done
in_dc setsid samba --foreground --no-process-group -s "$conf" > "$WORK/samba.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do in_cli bash -c "exec 3<>/dev/tcp/$DC/389" 2>/dev/null && break; sleep 0.5; done
# the KDC answers on 88 once it runs too
for _ in $(seq 100); do in_cli bash -c "exec 3<>/dev/tcp/$DC/88" 2>/dev/null && break; sleep 0.5; done

cat > "$WORK/krb5.conf" <<CONF
[libdefaults]
  default_realm = $REALM
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
[realms]
  $REALM = {
    kdc = $DC
  }
CONF
# OpenLDAP's client: the DC's self-signed certificate, no reverse lookups for GSSAPI
printf 'TLS_REQCERT never\nSASL_NOCANON on\n' > "$WORK/ldap.conf"

. "$HERE/../record.sh"
capture() {  # NAME CMD...: one scenario run in the client namespace, recorded on its veth
  if [ ${#ONLY[@]} -gt 0 ] && ! printf '%s\n' "${ONLY[@]}" | grep -qx "$1"; then return 0; fi
  record mitm-lcl mitm-lcv "" "$@"
}

alice="CN=alice,CN=Users,$BASE"
# ldap3: an anonymous bind, then alice's simple bind in clear (the password on the wire)
capture ldap-simple.pcap "$PY" "$HERE/binds.py" "$DC" simple "$alice" "$PASS"
# ldap3: 11 wrong passwords for alice on one connection, then one for each of five others
capture ldap-simple-failures.pcap "$PY" "$HERE/binds.py" "$DC" failures "$alice" "$WRONG" 11 \
  "CN=bob,CN=Users,$BASE" "CN=carol,CN=Users,$BASE" "CN=dave,CN=Users,$BASE" "CN=erin,CN=Users,$BASE" "CN=frank,CN=Users,$BASE"
# Samba's own client: SASL GSS-SPNEGO with NTLM, sealed (its default) and plain. (Asked to sign
# only, it seals all the same with NTLM.)
for wrapping in seal plain; do
  capture "ldap-spnego-ntlm-$wrapping.pcap" ldbsearch -H "ldap://$DC" -U "$DOMAIN/alice%$PASS" --use-kerberos=disabled \
    --option="client ldap sasl wrapping = $wrapping" -b "$BASE" '(sAMAccountName=alice)' cn
done
# Kerberos: a ticket from the Samba KDC, then OpenLDAP's SASL GSSAPI bind with its default
# security layer (sealed), with integrity only (ssf 1) and with none (maxssf=0)
echo "$PASS" | in_cli kinit alice@"$REALM" > /dev/null
capture ldap-gssapi-sealed.pcap ldapsearch -Q -Y GSSAPI -H ldap://dc1.hardwire.test -b "$BASE" '(sAMAccountName=alice)' cn
capture ldap-gssapi-signed.pcap ldapsearch -Q -Y GSSAPI -O minssf=1,maxssf=1 -H ldap://dc1.hardwire.test -b "$BASE" '(sAMAccountName=alice)' cn
capture ldap-gssapi-plain.pcap ldapsearch -Q -Y GSSAPI -O maxssf=0 -H ldap://dc1.hardwire.test -b "$BASE" '(sAMAccountName=alice)' cn
# Samba's GSS-API code (rebind.py): a Kerberos SASL bind (GSSAPI) with an integrity layer only,
# a search, then bob's simple bind and a search again inside that layer. (With GSS-SPNEGO NTLM
# signing only, Samba's server reads the layer as sealed and drops the connection.)
capture ldap-gssapi-signed-rebind.pcap "$PY" "$HERE/rebind.py" dc1.hardwire.test GSSAPI alice "$DOMAIN" "$REALM" "$PASS" "$BASE" \
  "CN=bob,CN=Users,$BASE" "$PASS"
# StartTLS, then alice's simple bind inside TLS
capture ldap-starttls.pcap ldapsearch -x -ZZ -H "ldap://$DC" -D "$alice" -w "$PASS" -b "$BASE" '(sAMAccountName=alice)' cn
# The DC's RPC side: impacket's secretsdump.py -just-dc as Administrator (DRSUAPI
# DRSGetNCChanges on the wire; Samba 4.17 refuses stock secretsdump's request, which is still
# what dcerpc.dcsync needs), and 8 Netlogon authentications with a zero credential
capture dc-dcsync.pcap "$PY" "$IMPACKET/secretsdump.py" -just-dc "$DOMAIN/Administrator:$ADMINPASS@$DC"
capture dc-zerologon.pcap "$PY" "$HERE/zerologon.py" "$DC" DC1 8
ls -l "$OUT"/*.pcap
