#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Per-uid caps, each with an attacker uid (1000) and a victim (uid 0):
#  1. max_pending_per_uid: the attacker opens 100 Unix connections and
#     sends nothing, on a daemon with 64 descriptors; the daemon closes
#     what is over the cap at once, and the victim is served while the
#     attacker's 8 are still open;
#  2. keep_sessions_per_uid: the attacker's ten kept sessions evict its
#     own, never the victim's.
# Checks are on outcomes and order, never on durations.
#
#   python3 / ktlsd-client as uid 1000 --Unix--> ktlsd <--Unix-- ktlsd-client
#                                                               (uid 0)
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
need_cmd setpriv openssl prlimit
# the attacker's interpreter: one that uid 1000 may run (not a shim in
# root's home)
PY=/usr/bin/python3
[ -x $PY ] || skip "$PY is not installed"
ktlsd_setup

ATTACKER=1000

# 1. max_pending_per_uid = 8 on a daemon with 64 descriptors: the
# attacker opens 100 connections and sends nothing
write_conf "max_pending_per_uid = 8" "request_timeout = 100s"
restart_ktlsd
prlimit --nofile=64:64 --pid $KTLSD_PID || fail "prlimit"
mkfifo "$T/go"
setpriv --reuid=$ATTACKER --regid=$ATTACKER --clear-groups $PY -c '
import select, socket, sys, time
path, go = sys.argv[1], sys.argv[2]
socks = []
for i in range(100):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    socks.append(s)
# the daemon closes what is over the cap: wait for 92 hang-ups
closed = set()
end = time.monotonic() + 60
while len(closed) < 92 and time.monotonic() < end:
    r, _, _ = select.select([s for s in socks if s not in closed], [], [], 1)
    for s in r:
        try:
            s.recv(4096)
        except OSError:
            pass
        closed.add(s)
print("closed=%d open=%d" % (len(closed), 100 - len(closed)), flush=True)
open(go).read()
# still open after the victim was served?
r, _, _ = select.select([s for s in socks if s not in closed], [], [], 0)
print("after closed=%d" % len(r), flush=True)
' "$SOCK" "$T/go" > "$T/pending" 2>&1 &
ppid=$!
track $ppid
# the script gives the daemon 60 s to close them, then reports
while kill -0 $ppid 2>/dev/null && ! grep -q '^closed=' "$T/pending"; do
	sleep 0.1
done
grep -q '^closed=92 open=8$' "$T/pending" ||
	fail "max_pending_per_uid not enforced: $(cat "$T/pending")"
timeout 60 "$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "victim pairs: $(cat "$T/app")"
echo go > "$T/go"
wait $ppid
grep -q '^after closed=0$' "$T/pending" ||
	fail "victim served only after the attacker's connections were closed: $(cat "$T/pending")"
grep -q 'uid=1000 .*max_pending_per_uid = 8' "$T/ktlsd.log" ||
	fail "no log line for the capped uid"
pass "attacker at max_pending_per_uid = 8 (92 of 100 closed): victim served while its 8 stay open"

# 2. keep_sessions = 8, keep_sessions_per_uid = 4: the victim keeps one
# TLS 1.3 session; the attacker makes ten (five loopback pairs)
kill $ppid 2>/dev/null
write_conf "keep_sessions = 8" "keep_sessions_per_uid = 4"
cat >> "$CONF" <<EOC

[profile aserver]
role = server
cert = $P/server-ec.chain.pem
key = $P/server-ec.key
allow_uid = $ATTACKER

[profile aclient]
role = client
ca = $P/root.crt
server_name = server.test
allow_uid = $ATTACKER
EOC
restart_ktlsd
rev_server
rm -f "$T/probe"
timeout 120 "$CLIENT" --probe-after "$T/probe" connect "127.0.0.1:$SERVER" \
	> "$T/victim" 2>&1 &
vpid=$!
expect_line "$T/victim" '^ok version=1\.3 .*session=[0-9a-f]{16}' "victim's kept session"
grep -q 'session=0000000000000000' "$T/victim" && fail "victim's session not kept: $(cat "$T/victim")"
setpriv --reuid=$ATTACKER --regid=$ATTACKER --clear-groups \
	"$CLIENT" --profile aserver --client-profile aclient pairs 5 \
	> "$T/app" 2>&1 || fail "attacker's pairs: $(tail -3 "$T/app")"
touch "$T/probe"
wait $vpid || fail "victim: $(cat "$T/victim")"
grep -q '^probe reason=' "$T/victim" || fail "no probe: $(cat "$T/victim")"
grep -q '^probe reason=no-session' "$T/victim" &&
	fail "the attacker's sessions evicted the victim's: $(grep probe "$T/victim")"
ktlsd_stats
grep -q '^ktlsd_kept_sessions 5$' "$T/stats" ||
	fail "kept sessions: $(grep '^ktlsd_kept' "$T/stats"), not 4 of the attacker's and the victim's"
pass "attacker made 10 kept sessions, holds 4; the victim's is still kept ($(grep -o '^probe reason=[a-z-]*' "$T/victim"))"
