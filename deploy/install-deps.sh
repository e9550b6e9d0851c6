#!/bin/sh
# Installs what building and testing hardwire needs on Debian/Ubuntu, without prompting:
# libpcap (capture), iproute2 and tcpreplay (the live-capture test in a network namespace),
# redis-server and nats-server (the broker sinks' tests start real servers; Debian 12 ships
# Redis 7.0 and NATS 2.9, the versions the sinks are written for), chromium (the test that opens
# `hardwire report`'s HTML in a real headless browser).
set -eu
packages="libpcap-dev iproute2 tcpreplay redis-server nats-server chromium"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
