#!/usr/bin/env bash
# Creates a snac2 instance for the interoperability test, to be run with
# "snac httpd BASEDIR": it listens on 127.0.0.1:PORT, names itself
# 127.0.0.1:PORT in plain http ids, and has one user.
#
# Usage: snac-setup.sh BASEDIR PORT USER   (BASEDIR must not exist yet)
#
# What lets snac federate over plain http on loopback (snac(8), server.json):
#   protocol  "http": ids and outgoing URLs use http:// instead of https://
#   host      "127.0.0.1:PORT": the host part of every id, port included
# snac 2.75 has no check against loopback or private addresses. Its Linux
# Landlock sandbox is not compiled into Debian's build ("Linux sandbox not
# compiled in" in its log); disable_sandbox is set anyway so that a build
# with it cannot confine the test. Everything that would reach another
# host on its own is off: inbox collection, e-mail notifications, media
# proxying. snac then contacts only the actors the test makes it talk to.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 BASEDIR PORT USER" >&2; exit 2; }
base=$1 port=$2 user=$3
command -v snac >/dev/null || { echo "snac-setup: snac is not installed" >&2; exit 1; }

# snac init asks, in order: listen address, port, host name, URL prefix and
# the administrator's e-mail.
printf '127.0.0.1\n%s\n127.0.0.1:%s\n\n\n' "$port" "$port" | snac init "$base" >/dev/null

# The answers above, and the settings the test needs; snac fills in
# defaults for what is absent.
cat >"$base/server.json" <<EOF
{
    "host": "127.0.0.1:$port",
    "prefix": "",
    "address": "127.0.0.1",
    "port": $port,
    "layout": 2.7,
    "protocol": "http",
    "dbglevel": 1,
    "queue_retry_minutes": 1,
    "queue_retry_max": 3,
    "queue_timeout": 6,
    "queue_timeout_2": 8,
    "def_timeline_entries": 50,
    "max_timeline_entries": 50,
    "timeline_purge_days": 0,
    "local_purge_days": 0,
    "min_account_age": 0,
    "admin_email": "",
    "admin_account": "",
    "disable_inbox_collection": true,
    "disable_email_notifications": true,
    "proxy_media": false,
    "disable_sandbox": true
}
EOF

snac adduser "$base" "$user" >/dev/null

# snac writes the headers of every request whose signature it could not
# check here; the test expects it to stay empty.
mkdir -p "$base/error"
echo "snac-setup: $base ready, http://127.0.0.1:$port/$user"
