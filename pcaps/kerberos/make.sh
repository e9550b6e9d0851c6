#!/usr/bin/env bash
# Remake the Kerberos captures of this folder from REAL traffic between real implementations:
# an MIT KDC (krb5kdc 1.20) and MIT's kinit/kvno and impacket's GetNPUsers.py / getTGT.py as
# clients.
#
# Everything happens on this machine: two network namespaces joined by a veth pair with
# addresses of their own (10.88.0.10 KDC, 10.88.0.20 client). Nothing is routed out. tcpdump
# records full packets on the client's end of the veth, one capture per scenario.
#
# Usage (as root):  pcaps/kerberos/make.sh [scenario ...]     (no argument: all scenarios)
# Scenarios: baseline asrep-roast kerberoast overpass spray bruteforce user-enum
# Rerunnable: it removes what a previous run left before it starts, and a trap removes the
# namespaces and the processes inside them on exit. CI never runs it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE}
WORK=/tmp/krb-make
KDC_NS=krb-kdc
CLI_NS=krb-cli
KDC_IF=krb-k
CLI_IF=krb-c
KDC_IP=10.88.0.10
CLI_IP=10.88.0.20
REALM=HARDWIRE.TEST
# Test accounts of a throwaway KDC in a namespace.
PASS='Hardw1re-krb-test'
SPN='MSSQLSvc/db1.hardwire.test:1433'
USERS=(alice bob carol dave erin frank)
# Debian's python3-impacket keeps the example scripts here.
IMPACKET=/usr/share/doc/python3-impacket/examples

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'make.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, krb5kdc, tcpdump)"

install_deps() {
    local missing=()
    command -v krb5kdc >/dev/null || [ -x /usr/sbin/krb5kdc ] || missing+=(krb5-kdc krb5-admin-server)
    command -v kinit >/dev/null   || missing+=(krb5-user)
    command -v tcpdump >/dev/null || missing+=(tcpdump)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    fi
    [ -d "$IMPACKET" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y python3-impacket
}

cleanup() {
    local ns pid
    for ns in "$KDC_NS" "$CLI_NS"; do
        ip netns list | grep -qw "$ns" || continue
        for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
        sleep 0.5
        for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT

setup_net() {
    cleanup
    ip netns add "$KDC_NS"
    ip netns add "$CLI_NS"
    ip link add "$KDC_IF" type veth peer name "$CLI_IF"
    ip link set "$KDC_IF" netns "$KDC_NS"
    ip link set "$CLI_IF" netns "$CLI_NS"
    ip -n "$KDC_NS" link set "$KDC_IF" address 02:00:0a:58:00:0a
    ip -n "$CLI_NS" link set "$CLI_IF" address 02:00:0a:58:00:14
    ip -n "$KDC_NS" addr add "$KDC_IP/24" dev "$KDC_IF"
    ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_IF"
    for ns in "$KDC_NS" "$CLI_NS"; do
        ip -n "$ns" link set lo up
    done
    ip -n "$KDC_NS" link set "$KDC_IF" up
    ip -n "$CLI_NS" link set "$CLI_IF" up
    # No offloads: tcpdump sees the segments as they are on the wire.
    ip netns exec "$CLI_NS" ethtool -K "$CLI_IF" tso off gso off gro off 2>/dev/null || true
}

# A realm whose accounts require pre-authentication (as Active Directory's do by default),
# with RC4 keys beside the AES ones, as a domain that still allows RC4 has.
setup_kdc() {
    rm -rf "$WORK"
    mkdir -p "$WORK"
    cat >"$WORK/kdc.conf" <<EOF
[kdcdefaults]
    kdc_listen = 88
    kdc_tcp_listen = 88
[realms]
    $REALM = {
        database_name = $WORK/principal
        key_stash_file = $WORK/stash
        acl_file = $WORK/kadm5.acl
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal arcfour-hmac:normal
        default_principal_flags = +preauth
    }
[logging]
    kdc = FILE:$WORK/kdc.log
EOF
    # The KDC's own library settings: RC4 is still permitted (as on a domain that allows it).
    cat >"$WORK/kdc-krb5.conf" <<EOF
[libdefaults]
    default_realm = $REALM
    allow_weak_crypto = true
    allow_rc4 = true
    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 arcfour-hmac
EOF
    # Clients: AES only (the clean baseline), and one that asks for RC4 service tickets.
    for name in aes rc4; do
        local enctypes="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96" tgs="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"
        [ "$name" = rc4 ] && enctypes="$enctypes arcfour-hmac" && tgs="$enctypes"
        cat >"$WORK/$name.conf" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    allow_weak_crypto = true
    permitted_enctypes = $enctypes
    default_tkt_enctypes = $enctypes
    default_tgs_enctypes = $tgs
[realms]
    $REALM = {
        kdc = $KDC_IP
    }
EOF
    done
    touch "$WORK/kadm5.acl"
    export KRB5_KDC_PROFILE="$WORK/kdc.conf" KRB5_CONFIG="$WORK/kdc-krb5.conf"
    kdb5_util create -r "$REALM" -s -P 'Hardw1re-master' >/dev/null
    local user
    for user in "${USERS[@]}"; do
        kadmin.local -q "addprinc -pw $PASS $user" >/dev/null
    done
    # The account without pre-authentication (AD's DONT_REQ_PREAUTH).
    kadmin.local -q "addprinc -pw $PASS -requires_preauth roastme" >/dev/null
    # A service run by a user account whose only key is RC4 (a password set before the domain
    # had AES keys): the Kerberoasting target. And one with AES keys for the baseline.
    kadmin.local -q "addprinc -e arcfour-hmac:normal -pw $PASS $SPN" >/dev/null
    kadmin.local -q "addprinc -pw $PASS HTTP/web.hardwire.test" >/dev/null
    kadmin.local -q "addprinc -randkey host/ws1.hardwire.test" >/dev/null
    ip netns exec "$KDC_NS" env KRB5_KDC_PROFILE="$WORK/kdc.conf" KRB5_CONFIG="$WORK/kdc-krb5.conf" \
        /usr/sbin/krb5kdc -n -r "$REALM" &
    sleep 1
    unset KRB5_KDC_PROFILE KRB5_CONFIG
}

# Runs a command in the client namespace with a client configuration (aes or rc4).
client() {
    local conf=$1
    shift
    ip netns exec "$CLI_NS" env KRB5_CONFIG="$WORK/$conf.conf" KRB5CCNAME="FILE:$WORK/ccache" "$@"
}

capture() {
    local name=$1
    shift
    log "$name"
    rm -f "$WORK/ccache"
    ip netns exec "$CLI_NS" tcpdump -i "$CLI_IF" -s 0 -U -w "$OUT/$name.pcap" "port 88" 2>/dev/null &
    local dump=$!
    sleep 1
    "$@"
    sleep 1
    kill "$dump"
    wait "$dump" 2>/dev/null || true
}

kinit_pw() {
    local conf=$1 user=$2 password=$3
    printf '%s\n' "$password" | client "$conf" kinit "$user@$REALM" >/dev/null 2>&1 || true
}

impacket() {
    local script=$1
    shift
    client aes /usr/bin/python3 "$IMPACKET/$script" "$@" || true
}

scenario_baseline() {
    # AES-only logon and service tickets, over UDP then TCP: nothing to report.
    kinit_pw aes alice "$PASS"
    client aes kvno host/ws1.hardwire.test >/dev/null
    client aes kvno HTTP/web.hardwire.test >/dev/null
    sed -i 's/^\[libdefaults\]$/[libdefaults]\n    udp_preference_limit = 1/' "$WORK/aes.conf"
    rm -f "$WORK/ccache"
    kinit_pw aes bob "$PASS"
    sed -i '/udp_preference_limit = 1/d' "$WORK/aes.conf"
}

scenario_asrep_roast() {
    # GetNPUsers.py asks for a TGT for each name without pre-authentication: roastme's AS-REP
    # comes back, the others are asked for pre-authentication.
    printf '%s\n' alice roastme bob >"$WORK/names"
    impacket GetNPUsers.py "$REALM/" -usersfile "$WORK/names" -no-pass -dc-ip "$KDC_IP" -format hashcat -outputfile "$WORK/asrep.out"
}

scenario_kerberoast() {
    # A TGT, then an RC4-only service ticket request for the user service.
    kinit_pw rc4 alice "$PASS"
    client rc4 kvno -e arcfour-hmac "$SPN" || true
}

scenario_overpass() {
    # getTGT.py with the NT hash: an RC4-HMAC encrypted timestamp.
    local nthash
    nthash=$(/usr/bin/python3 -c "from impacket.ntlm import compute_nthash; print(compute_nthash('$PASS').hex())")
    impacket getTGT.py "$REALM/carol" -hashes ":$nthash" -dc-ip "$KDC_IP"
    rm -f carol.ccache
}

scenario_spray() {
    # One wrong password tried against six accounts.
    local user
    for user in "${USERS[@]}"; do
        kinit_pw aes "$user" 'Spring2026!'
    done
}

scenario_bruteforce() {
    # Twelve wrong passwords for one account.
    local i
    for i in $(seq 1 12); do
        kinit_pw aes dave "Guess-$i"
    done
}

scenario_user_enum() {
    # Twelve names the KDC does not know (GetNPUsers.py, as kerbrute userenum does it).
    local i
    for i in $(seq 1 12); do printf 'nosuchuser%02d\n' "$i"; done >"$WORK/names"
    impacket GetNPUsers.py "$REALM/" -usersfile "$WORK/names" -no-pass -dc-ip "$KDC_IP"
}

main() {
    install_deps
    setup_net
    setup_kdc
    local scenarios=("$@")
    [ ${#scenarios[@]} -gt 0 ] || scenarios=(baseline asrep-roast kerberoast overpass spray bruteforce user-enum)
    local s
    for s in "${scenarios[@]}"; do
        capture "krb5-$s" "scenario_${s//-/_}"
    done
}

main "$@"
