#!/usr/bin/env bash
# Record real HTTP authentication, WinRM-shaped and WebDAV traffic into pcaps/http/*.pcap.
#
# Two network namespaces joined by a veth pair (servers 10.88.0.1 and 10.88.0.3, client
# 10.88.0.2); nothing leaves the machine.  Servers: Apache 2.4 (Basic, mod_auth_gssapi with
# gss-ntlmssp for NTLM and with an MIT KDC keytab for Kerberos, mod_dav), MIT krb5kdc, and ours
# with pyspnego as the real NTLM/CredSSP acceptor: winrm_server.py and ntlm_http_server.py.
# Clients: curl, cadaver, python-requests + requests_ntlm (dav_ntlm_client.py) and pywinrm
# (winrm_client.py).
# tcpdump records on the server end of the veth.  Everything is torn down on exit.
#
# Run as root:  pcaps/http/make.sh   (OUT=dir writes the captures elsewhere, KEEP=1 keeps the logs)
# CI never runs this; the captures are committed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
SRV_NS=hwh-srv
CLI_NS=hwh-cli
SRV_IP=10.88.0.1
OURS_IP=10.88.0.3 # second server address: ntlm_http_server.py on port 80 beside Apache
CLI_IP=10.88.0.2
USER_NAME=alice
PASSWORD=Hardw1re-test
DOMAIN=HARDWIRE
REALM=HARDWIRE.TEST
HOST=www.hardwire.test
RC4_HOST=rc4.hardwire.test
WINDOWS_AGENT='Microsoft-WebDAV-MiniRedir/10.0.19045'

W=$(mktemp -d /tmp/hardwire-http.XXXXXX)
PIDS=()

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [ -f "$W/apache/apache2.pid" ] && kill "$(cat "$W/apache/apache2.pid")" 2>/dev/null
    sleep 1
    ip netns del "$SRV_NS" 2>/dev/null
    ip netns del "$CLI_NS" 2>/dev/null
    [ -n "${KEEP:-}" ] && echo "make.sh: kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT

# Foreground helpers only: a background job of a shell function gets the subshell's pid in $!.
srv() { ip netns exec "$SRV_NS" "$@"; }
cli() { ip netns exec "$CLI_NS" "$@"; }
log() { echo "make.sh: $*" >&2; }

install_dependencies() {
    local missing=()
    for tool in apache2:apache2 curl:curl krb5kdc:krb5-kdc kadmin.local:krb5-admin-server \
        kinit:krb5-user tcpdump:tcpdump tshark:tshark ethtool:ethtool cadaver:cadaver \
        openssl:openssl; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
    done
    [ -f /usr/lib/apache2/modules/mod_auth_gssapi.so ] || missing+=(libapache2-mod-auth-gssapi)
    [ -f /usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so ] || missing+=(gss-ntlmssp)
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    fi
    python3 -c 'import winrm, spnego, requests_credssp' 2>/dev/null ||
        pip install pywinrm pyspnego requests-credssp
}

make_namespaces() {
    ip netns del "$SRV_NS" 2>/dev/null || true
    ip netns del "$CLI_NS" 2>/dev/null || true
    ip netns add "$SRV_NS"
    ip netns add "$CLI_NS"
    ip link add hwh-s netns "$SRV_NS" type veth peer name hwh-c netns "$CLI_NS"
    srv ip addr add "$SRV_IP/24" dev hwh-s
    srv ip addr add "$OURS_IP/24" dev hwh-s
    cli ip addr add "$CLI_IP/24" dev hwh-c
    for ns in "$SRV_NS:hwh-s" "$CLI_NS:hwh-c"; do
        ip netns exec "${ns%%:*}" ip link set lo up
        ip netns exec "${ns%%:*}" ip link set "${ns##*:}" up
        # Real checksums and MTU-sized segments in the capture, not offload artefacts.
        ip netns exec "${ns%%:*}" ethtool -K "${ns##*:}" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
    done
}

wait_port() { # wait_port IP PORT
    local tries=0
    until cli bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -lt 100 ] || { log "nothing listens on $1:$2"; exit 1; }
        sleep 0.2
    done
}

CAPTURE_PID=
start_capture() { # start_capture FILE FILTER
    rm -f "$OUT/$1"
    # Started directly (not through srv) so that $! is tcpdump itself.
    ip netns exec "$SRV_NS" tcpdump -i hwh-s --immediate-mode -U -s 0 -Z root -w "$OUT/$1" "$2" 2>"$W/tcpdump.log" &
    CAPTURE_PID=$!
    until grep -q 'listening on' "$W/tcpdump.log"; do sleep 0.1; done
    sleep 0.5 # the first packets were lost without it
}
stop_capture() {
    sleep 1
    kill -INT "$CAPTURE_PID"
    wait "$CAPTURE_PID" || true
    log "wrote $(ls -l "$OUT"/"$1" | awk '{print $5}') bytes to $1"
}

setup_kerberos() {
    mkdir -p "$W/krb5"
    cat >"$W/krb5/krb5.conf" <<EOF
[libdefaults]
    default_realm = $REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    allow_weak_crypto = true
[realms]
    $REALM = {
        kdc = $SRV_IP
    }
[domain_realm]
    .hardwire.test = $REALM
EOF
    # The RC4 client asks the KDC for an RC4 session key too, as an old Windows client would.
    sed 's/allow_weak_crypto = true/allow_weak_crypto = true\n    default_tgs_enctypes = arcfour-hmac-md5 aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96\n    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 arcfour-hmac-md5/' \
        "$W/krb5/krb5.conf" >"$W/krb5/krb5-rc4.conf"
    cat >"$W/krb5/kdc.conf" <<EOF
[kdcdefaults]
    kdc_ports = 88
    kdc_tcp_ports = 88
[realms]
    $REALM = {
        database_name = $W/krb5/principal
        key_stash_file = $W/krb5/stash
        acl_file = $W/krb5/kadm5.acl
        master_key_type = aes256-cts-hmac-sha1-96
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal arcfour-hmac:normal
    }
[logging]
    kdc = FILE:$W/krb5/kdc.log
EOF
    export KRB5_CONFIG="$W/krb5/krb5.conf" KRB5_KDC_PROFILE="$W/krb5/kdc.conf"
    kdb5_util create -s -r "$REALM" -P hardwire-master >/dev/null
    kadmin.local -r "$REALM" -q "addprinc -pw $PASSWORD $USER_NAME" >/dev/null
    kadmin.local -r "$REALM" -q "addprinc -randkey HTTP/$HOST" >/dev/null
    kadmin.local -r "$REALM" -q "addprinc -randkey HTTP/$RC4_HOST" >/dev/null
    kadmin.local -r "$REALM" -q "ktadd -k $W/krb5/http.keytab HTTP/$HOST" >/dev/null
    # Only an RC4 key for this service: the KDC can issue its tickets in nothing else.
    kadmin.local -r "$REALM" -q "ktadd -k $W/krb5/http.keytab -e arcfour-hmac:normal HTTP/$RC4_HOST" >/dev/null
    chmod 644 "$W/krb5/http.keytab"
    ip netns exec "$SRV_NS" krb5kdc -n -P "$W/krb5/kdc.pid" &
    PIDS+=($!)
}

setup_apache() {
    local a="$W/apache" m=/usr/lib/apache2/modules
    mkdir -p "$a" "$W/www/basic" "$W/www/ntlm" "$W/www/krb" "$W/www/dav" "$W/www/davntlm" "$W/davlock"
    for d in basic ntlm krb; do echo "hello from /$d/" >"$W/www/$d/index.html"; done
    echo "shared notes" >"$W/www/dav/notes.txt"
    echo "shared notes" >"$W/www/davntlm/notes.txt"
    chown -R www-data: "$W/www/dav" "$W/www/davntlm" "$W/davlock"
    printf '%s:%s:%s\n' "$DOMAIN" "$USER_NAME" "$PASSWORD" >"$W/ntlm-users"
    chmod 644 "$W/ntlm-users"
    echo "$USER_NAME:$(openssl passwd -apr1 "$PASSWORD")" >"$W/htpasswd"
    chmod 755 "$W"
    cat >"$a/apache2.conf" <<EOF
ServerRoot $a
PidFile $a/apache2.pid
DefaultRuntimeDir $a
Mutex file:$a default
ErrorLog $a/error.log
LogLevel info
User www-data
Group www-data
ServerName $HOST
Listen $SRV_IP:80
Listen $SRV_IP:8081
LoadModule mpm_prefork_module $m/mod_mpm_prefork.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule authz_user_module $m/mod_authz_user.so
LoadModule authn_core_module $m/mod_authn_core.so
LoadModule authn_file_module $m/mod_authn_file.so
LoadModule auth_basic_module $m/mod_auth_basic.so
LoadModule auth_gssapi_module $m/mod_auth_gssapi.so
LoadModule mime_module $m/mod_mime.so
LoadModule dir_module $m/mod_dir.so
LoadModule dav_module $m/mod_dav.so
LoadModule dav_fs_module $m/mod_dav_fs.so
TypesConfig /etc/mime.types
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{User-Agent}i\"" combined
CustomLog $a/access.log combined
DocumentRoot $W/www
DirectoryIndex index.html
DAVLockDB $W/davlock/DAVLock
<Directory $W/www>
    Require all granted
</Directory>
<Location /basic/>
    AuthType Basic
    AuthName "hardwire basic"
    AuthBasicProvider file
    AuthUserFile $W/htpasswd
    Require valid-user
</Location>
<Location /ntlm/>
    AuthType GSSAPI
    AuthName "hardwire ntlm"
    GssapiAllowedMech ntlmssp
    GssapiConnectionBound On
    Require valid-user
</Location>
<Location /krb/>
    AuthType GSSAPI
    AuthName "hardwire kerberos"
    GssapiAllowedMech krb5
    GssapiCredStore keytab:$W/krb5/http.keytab
    Require valid-user
</Location>
<Directory $W/www/dav>
    DAV On
</Directory>
<Directory $W/www/davntlm>
    DAV On
    AuthType GSSAPI
    AuthName "hardwire webdav ntlm"
    GssapiAllowedMech ntlmssp
    GssapiConnectionBound On
    Require valid-user
</Directory>
EOF
    srv env NTLM_USER_FILE="$W/ntlm-users" KRB5_CONFIG="$W/krb5/krb5.conf" \
        KRB5_KTNAME="$W/krb5/http.keytab" apache2 -f "$a/apache2.conf" -k start
    wait_port "$SRV_IP" 80
}

setup_winrm() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$HOST" \
        -keyout "$W/winrm.pem" -out "$W/winrm.pem.crt" 2>/dev/null
    cat "$W/winrm.pem.crt" >>"$W/winrm.pem"
    ip netns exec "$SRV_NS" env NTLM_USER_FILE="$W/ntlm-users" python3 "$HERE/winrm_server.py" --bind "$SRV_IP" \
        --port 5985 --basic "$USER_NAME:$PASSWORD" 2>"$W/winrm-5985.log" &
    PIDS+=($!)
    ip netns exec "$SRV_NS" env NTLM_USER_FILE="$W/ntlm-users" python3 "$HERE/winrm_server.py" --bind "$SRV_IP" \
        --port 5986 --basic "$USER_NAME:$PASSWORD" --cert "$W/winrm.pem" 2>"$W/winrm-5986.log" &
    PIDS+=($!)
    ip netns exec "$SRV_NS" env NTLM_USER_FILE="$W/ntlm-users" python3 "$HERE/ntlm_http_server.py" \
        --bind "$OURS_IP" --port 80 2>"$W/ntlm-http.log" &
    PIDS+=($!)
    wait_port "$OURS_IP" 80
    wait_port "$SRV_IP" 5985
    wait_port "$SRV_IP" 5986
}

CURL=(cli curl -sS -o /dev/null -w '%{http_code} %{method} %{url_effective}\n')

capture_basic() {
    start_capture basic-http.pcap 'tcp port 80'
    "${CURL[@]}" "http://$SRV_IP/basic/"
    "${CURL[@]}" --basic -u "$USER_NAME:$PASSWORD" "http://$SRV_IP/basic/"
    stop_capture basic-http.pcap
}

capture_nonstandard_port() {
    start_capture http-nonstandard-port.pcap 'tcp port 8081'
    "${CURL[@]}" "http://$SRV_IP:8081/basic/"
    "${CURL[@]}" --basic -u "$USER_NAME:$PASSWORD" "http://$SRV_IP:8081/basic/"
    stop_capture http-nonstandard-port.pcap
}

capture_ntlm() {
    # curl against our pyspnego server: gss-ntlmssp cannot decode curl's NEGOTIATE.
    start_capture ntlm-http.pcap 'tcp port 80'
    "${CURL[@]}" --ntlm -u "$DOMAIN\\$USER_NAME:$PASSWORD" "http://$OURS_IP/ntlm/"
    stop_capture ntlm-http.pcap
    # A real NTLM server (Apache + gss-ntlmssp) with pyspnego's initiator (python-requests).
    start_capture ntlm-http-apache.pcap 'tcp port 80'
    cli python3 -c 'import sys, requests, requests_ntlm
r = requests.get(sys.argv[1], auth=requests_ntlm.HttpNtlmAuth(sys.argv[2], sys.argv[3]))
print(r.status_code, "GET", sys.argv[1])' "http://$SRV_IP/ntlm/" "$DOMAIN\\$USER_NAME" "$PASSWORD"
    stop_capture ntlm-http-apache.pcap
}

capture_logon_failures() {
    # Wrong passwords: Basic for six names (a password spray), and NTLM for alice against Apache
    # + gss-ntlmssp (pyspnego's initiator), which answers the AUTHENTICATE with 401.
    start_capture http-logon-failures.pcap 'tcp port 80'
    local user
    for user in alice bob carol dave erin frank; do
        "${CURL[@]}" --basic -u "$user:Spring2026!" "http://$SRV_IP/basic/"
    done
    cli python3 -c 'import sys, requests, requests_ntlm
r = requests.get(sys.argv[1], auth=requests_ntlm.HttpNtlmAuth(sys.argv[2], sys.argv[3]))
print(r.status_code, "GET", sys.argv[1])' "http://$SRV_IP/ntlm/" "$DOMAIN\\$USER_NAME" "Wrong-$PASSWORD"
    stop_capture http-logon-failures.pcap
}

capture_kerberos() { # capture_kerberos FILE HOST KRB5_CONFIG
    local cc="$W/krb5/ccache-$2"
    echo "$PASSWORD" | cli env KRB5_CONFIG="$3" KRB5CCNAME="FILE:$cc" kinit "$USER_NAME@$REALM" >/dev/null
    start_capture "$1" 'tcp port 80'
    cli env KRB5_CONFIG="$3" KRB5CCNAME="FILE:$cc" curl -sS -o /dev/null \
        -w '%{http_code} %{method} %{url_effective}\n' --negotiate -u : \
        --resolve "$2:80:$SRV_IP" "http://$2/krb/"
    stop_capture "$1"
    cli env KRB5_CONFIG="$3" KRB5CCNAME="FILE:$cc" klist -e >&2
}

winrm() { # winrm FILE PORT SCHEME TRANSPORT ENCRYPTION USER
    start_capture "$1" "tcp port $2"
    cli python3 "$HERE/winrm_client.py" "$3://$SRV_IP:$2/wsman" "$4" "$5" "$6"
    stop_capture "$1"
}

dav_requests() { # dav_requests BASE_URL CURL_AUTH_ARGS...: every WebDAV method, once
    local base=$1
    shift
    local propfind='<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
    local proppatch='<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:H="urn:hardwire"><D:set><D:prop><H:owner>alice</H:owner></D:prop></D:set></D:propertyupdate>'
    local lockinfo='<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>'
    echo "quarterly figures" >"$W/report.txt"
    "${CURL[@]}" "$@" -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml' --data "$propfind" "$base/"
    "${CURL[@]}" "$@" -X MKCOL "$base/docs/"
    "${CURL[@]}" "$@" -T "$W/report.txt" "$base/docs/report.txt"
    "${CURL[@]}" "$@" -X COPY -H "Destination: $base/docs/report-copy.txt" "$base/docs/report.txt"
    "${CURL[@]}" "$@" -X MOVE -H "Destination: $base/docs/report-moved.txt" "$base/docs/report-copy.txt"
    "${CURL[@]}" "$@" -X PROPPATCH -H 'Content-Type: application/xml' --data "$proppatch" "$base/docs/report.txt"
    local token
    token=$(cli curl -sS -o /dev/null -D - "$@" -X LOCK -H 'Timeout: Second-600' \
        -H 'Content-Type: application/xml' --data "$lockinfo" "$base/docs/report.txt" |
        tr -d '\r' | sed -n 's/^Lock-Token: //Ip')
    "${CURL[@]}" "$@" -X UNLOCK -H "Lock-Token: $token" "$base/docs/report.txt"
}

miniredir_requests() { # OPTIONS / GET / PUT with the agent string of Windows' WebClient
    local base=$1
    shift
    "${CURL[@]}" "$@" -A "$WINDOWS_AGENT" -X OPTIONS "$base/"
    "${CURL[@]}" "$@" -A "$WINDOWS_AGENT" "$base/notes.txt"
    "${CURL[@]}" "$@" -A "$WINDOWS_AGENT" -T "$W/report.txt" "$base/upload.txt"
}

capture_webdav() {
    start_capture webdav-anon.pcap 'tcp port 80'
    dav_requests "http://$SRV_IP/dav"
    miniredir_requests "http://$SRV_IP/dav"
    stop_capture webdav-anon.pcap

    start_capture webdav-miniredir.pcap 'tcp port 80'
    miniredir_requests "http://$SRV_IP/dav"
    stop_capture webdav-miniredir.pcap

    start_capture webdav-ntlm.pcap 'tcp port 80'
    cli python3 "$HERE/dav_ntlm_client.py" "http://$SRV_IP/davntlm" "$DOMAIN\\$USER_NAME" "$PASSWORD"
    stop_capture webdav-ntlm.pcap

    start_capture webdav-cadaver.pcap 'tcp port 80'
    printf 'ls\nmkdir cadaver-dir\nput %s cadaver-dir/report.txt\nget notes.txt %s\npropset notes.txt color blue\nlock notes.txt\nunlock notes.txt\ncopy notes.txt notes-copy.txt\nmove notes-copy.txt cadaver-dir/notes.txt\nquit\n' \
        "$W/report.txt" "$W/notes-download.txt" |
        cli cadaver "http://$SRV_IP/dav/" >&2 || true
    stop_capture webdav-cadaver.pcap
}

main() {
    [ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
    install_dependencies
    make_namespaces
    setup_kerberos
    setup_apache
    setup_winrm
    mkdir -p "$OUT"
    # make.sh NAME...: only those captures (capture_NAME), the others left as they are.
    if [ $# -gt 0 ]; then
        local name
        for name in "$@"; do "capture_$name"; done
        return
    fi

    capture_basic
    capture_nonstandard_port
    capture_ntlm
    capture_kerberos negotiate-kerberos-http.pcap "$HOST" "$W/krb5/krb5.conf"
    capture_kerberos negotiate-kerberos-rc4-http.pcap "$RC4_HOST" "$W/krb5/krb5-rc4.conf"
    capture_webdav

    winrm winrm-basic-http.pcap 5985 http basic never "$USER_NAME"
    winrm winrm-ntlm-encrypted.pcap 5985 http ntlm always "$DOMAIN\\$USER_NAME"
    winrm winrm-ntlm-clear.pcap 5985 http ntlm never "$DOMAIN\\$USER_NAME"
    winrm winrm-credssp.pcap 5985 http credssp always "$DOMAIN\\$USER_NAME"
    winrm winrm-https-5986.pcap 5986 https basic never "$USER_NAME"
    log "done; server logs were in $W (removed on exit)"
}

main "$@"
