#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktlsd's [kernel] section (the kernel's handshake upcall), as
# --check-config sees it: a configuration of only [kernel] is usable; every
# mistake is one FILE:LINE sentence (a certificate without its key, an
# unknown setting, a second [kernel], a bad duration, a trust store that
# does not load) and makes the file unusable; no ca is a warning. Then
# ktlsd starts with it on this kernel: either it joins the "handshake"
# family, or it says that the kernel has none, and serves its counters
# either way.
#
# Runs on the host: nothing here needs kTLS. The handshakes themselves are
# tested in the VM (selftests/upcall).

. "$(dirname "$0")/../lib.sh"
KTLSD=$KTLSKIT_REPO/build/bin/ktlsd
[ -x "$KTLSD" ] || skip "build/bin/ktlsd is not built"
need_cmd openssl
make_tmp
T=$KTLSKIT_TMP
"$KTLSKIT_REPO/tools/pki/mkpki" --test "$T/pki" >/dev/null ||
	fail "mkpki failed"
P=$T/pki

# conf NAME: the [kernel] lines on stdin, after a [global] of our own
conf()
{
	{
		echo "[global]"
		echo "socket = $T/ktlsd.sock"
		cat
	} > "$T/$1.conf"
}

# check NAME: --check-config's output in $out, its status in $rc
check()
{
	out=$("$KTLSD" --check-config -c "$T/$1.conf" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
}

conf good <<EOF
[kernel]
ca = $P/root.crt
server_cert = $P/server-ec.chain.pem
server_key = $P/server-ec.key
client_cert = $P/client-ec.chain.pem
client_key = $P/client-ec.key
keyrings = .nvme, .nfs
handshake_timeout = 3s
EOF
check good
[ $rc = 0 ]
count_ok "only [kernel]: usable"
echo "$out" | grep -q "kernel consumers served"
count_ok "only [kernel]: says kernel consumers are served"

conf half <<EOF
[kernel]
ca = $P/root.crt
server_cert = $P/server-ec.chain.pem
EOF
check half
[ $rc != 0 ]
count_ok "server_cert without server_key: refused"
echo "$out" | grep -q "half.conf:3: \[kernel\] server_cert and server_key go together"
count_ok "server_cert without server_key: the sentence says why"

conf unknown <<EOF
[kernel]
ca = $P/root.crt
trust_store = $P/root.crt
EOF
check unknown
[ $rc != 0 ] && echo "$out" | grep -q "unknown.conf:5: unknown setting \"trust_store\" in \[kernel\]"
count_ok "unknown setting: refused with its line"

conf twice <<EOF
[kernel]
ca = $P/root.crt
[kernel]
ca = $P/root.crt
EOF
check twice
[ $rc != 0 ] && echo "$out" | grep -q "twice.conf:5: \[kernel\] already defined at line 3"
count_ok "a second [kernel]: refused"

conf duration <<EOF
[kernel]
ca = $P/root.crt
handshake_timeout = soon
EOF
check duration
[ $rc != 0 ] && echo "$out" | grep -q "duration.conf:5: handshake_timeout must be a duration"
count_ok "a bad handshake_timeout: refused"

conf noca <<EOF
[kernel]
ca = $T/missing-ca.pem
EOF
check noca
[ $rc != 0 ] && echo "$out" | grep -q "noca.conf:3: \[kernel\] client: .*missing-ca.pem"
count_ok "a trust store that does not load: refused, file named"

conf system <<EOF
[kernel]
EOF
check system
[ $rc = 0 ] && echo "$out" | grep -q "warning: \[kernel\] has no ca"
count_ok "no ca: usable, with a warning about the system trust store"

conf empty <<EOF
EOF
check empty
[ $rc != 0 ] && echo "$out" | grep -q "no \[profile NAME\] or \[kernel\] section"
count_ok "neither a profile nor [kernel]: nothing to serve"

# The daemon itself, on this machine's kernel.
"$KTLSD" -f -c "$T/good.conf" > "$T/log" 2>&1 &
pid=$!
track $pid
wait_line "$T/log" "listening on" 30 || fail "ktlsd did not start: $(cat "$T/log")"
sed 's/^/# /' "$T/log"
grep -Eq "answering the kernel.s TLS handshake requests|this kernel has no \"handshake\" netlink family" "$T/log"
count_ok "ktlsd says whether it serves the kernel's requests"
stats=$("$KTLSD" --stats -s "$T/ktlsd.sock" 2>&1)
echo "$stats" | grep -q "^ktlsd_kernel_handshakes_total{consumer=\"nfs\",role=\"client\",result=\"ok\"} 0$"
count_ok "its counters have the kernel consumers' family"
kill -TERM $pid
wait $pid
[ $? = 0 ]
count_ok "it stops cleanly"
ok_totals
