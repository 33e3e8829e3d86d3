#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat against kTLS connections whose state we know: ktls-keys sets
# fixed keys (no handshake, so this takes seconds) for every version and
# cipher this kernel takes, over IPv4 and IPv6, with and without
# TLS_RX_EXPECT_NO_PAD. The table, --json (checked field by field) and
# --prometheus (strict format check) must say what was set, the counters
# must be /proc/net/tls_stat's, filters must pick the right sockets, and
# without CAP_NET_ADMIN it must say why it sees no ULP.
#
#   lo: ktls-keys client end  <== TCP, kTLS sw both ways ==>  server end
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-stat python3 ss setpriv
KEYS=$KTLSKIT_REPO/build/selftests/stat/bin/ktls-keys
CHECK=$KTLSKIT_REPO/selftests/stat/statcheck.py
[ -x "$KEYS" ] || skip "$KEYS is not built (make tests)"
make_tmp
T=$KTLSKIT_TMP
modprobe -q aesni_intel 2>/dev/null

# keys NAME ARGS...: run ktls-keys in the background, held open through
# a FIFO until the test ends, and wait for its "ready".
keys()
{
	local name=$1 i
	shift
	mkfifo "$T/$name.in"
	"$KEYS" "$@" < "$T/$name.in" > "$T/$name.out" 2> "$T/$name.err" &
	track $!
	hold_open "$T/$name.in"
	for i in $(seq 100); do
		grep -q '^ready' "$T/$name.out" && return 0
		sleep 0.1
	done
	cat "$T/$name.err"
	fail "ktls-keys $* did not get ready"
}

keys v4 1.2:aes-gcm-128 1.2:aes-gcm-256 1.2:aes-ccm-128 \
	1.2:chacha20-poly1305 1.3:aes-gcm-128 1.3:aes-gcm-256 \
	1.3:aes-ccm-128 1.3:chacha20-poly1305 1.3:sm4-gcm 1.2:aria-gcm-128
keys v6 -6 --no-pad 1.3:aes-gcm-256 1.2:aes-gcm-128
cat "$T/v4.out" "$T/v6.out"
grep -c '^ok' "$T/v4.out" | grep -qx 8 ||
	fail "the kernel refused an AES or ChaCha suite (see above)"

ktls-stat > "$T/table" || fail "ktls-stat exited $?"
cat "$T/table"
ktls-stat --json > "$T/all.json" || fail "ktls-stat --json exited $?"
ktls-stat --prometheus > "$T/prom" || fail "ktls-stat --prometheus exited $?"

# Every connection in the table from both ends: as set, in software.
n=0
while read -r st ver cipher cport sport nopad; do
	[ "$st" = ok ] || continue
	for p in "$cport" "$sport"; do
		grep -q ":$p .* tls  *$ver  *$cipher  *sw  *sw  *no  *$([ "$nopad" = 1 ] && echo yes || echo no) " "$T/table" ||
			fail "the table has no right row for $ver $cipher port $p"
		n=$((n + 1))
	done
done < <(cat "$T/v4.out" "$T/v6.out")
echo "ok the table shows $n connection ends as set (version, cipher, sw, no-pad)"
[ "$(tls_stat TlsCurrTxSw)" -ge "$n" ] || fail "TlsCurrTxSw below $n"

read -r cport sport < <(awk '/^ok 1.3 aes-gcm-128/ { print $4, $5 }' "$T/v4.out")
ino=$(ss -Htne "sport = :$cport" | grep -o 'ino:[0-9]*' | cut -d: -f2)
ktls-stat -c --json --port "$cport" > "$T/port.json"
ktls-stat -c --json --addr ::1 > "$T/addr6.json"
ktls-stat -c --json --addr 127.0.0.1 > "$T/addr4.json"
ktls-stat -g --json > "$T/g.json"

# A plain TCP connection asked about by port is listed, and explained.
port=$(free_port)
mkfifo "$T/plain.in"
python3 -S -c "
import socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(('127.0.0.1', $port)); l.listen(1)
c = socket.create_connection(('127.0.0.1', $port)); a, _ = l.accept()
print('up', flush=True); sys.stdin.read()" < "$T/plain.in" > "$T/plain.out" &
track $!
exec {fd_plain}> "$T/plain.in"
for i in $(seq 600); do grep -q up "$T/plain.out" && break; sleep 0.2; done
ktls-stat -c --json --port "$port" > "$T/plain.json"
ktls-stat -c --port "$port" > "$T/plain.table"
cat "$T/plain.table"
grep -q "note: no ULP: the kernel does not handle TLS" "$T/plain.table" ||
	fail "the table does not explain a plain TCP connection"

# Without CAP_NET_ADMIN the kernel may hide ULP state (6.1 and 6.12 do):
# ktls-stat says so.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$(command -v ktls-stat)" --json > "$T/user.json"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$(command -v ktls-stat)" | grep 'note:.*CAP_NET_ADMIN' ||
	fail "the table says nothing about CAP_NET_ADMIN"

# One Python run for every JSON and Prometheus check (it starts slowly).
python3 "$CHECK" ends "$T/all.json" "$T/v4.out" "$T/v6.out" \
	-- count "$T/all.json" 4 family=ipv6 \
	-- conn "$T/all.json" "$cport" "$sport" inode="$ino" uid=0 \
	-- counters "$T/all.json" \
	-- count "$T/port.json" 2 ulp=tls \
	-- count "$T/port.json" 2 \
	-- count "$T/addr6.json" 4 \
	-- count "$T/addr6.json" 4 family=ipv6 \
	-- count "$T/addr4.json" 0 family=ipv6 \
	-- count "$T/plain.json" 2 ulp=null tx=null \
		"note=~the kernel does not handle TLS" \
	-- parts "$T/all.json" both -- parts "$T/g.json" counters \
	-- parts "$T/port.json" conns \
	-- unpriv "$T/user.json" \
	-- prom "$T/prom" "$T/samples" ||
	fail "ktls-stat's JSON or Prometheus output is wrong (see above)"

# Prometheus: connection gauges sum to the tls ends, counters are /proc's.
total=$(awk '/^ktls_connections\{/ { s += $2 } END { print s + 0 }' "$T/samples")
[ "$total" -eq "$n" ] || fail "ktls_connections add up to $total, not $n"
grep -qx 'ktls_connections{version="1.2",cipher="aes-ccm-128",tx="sw",rx="sw"} 2' "$T/samples" ||
	fail "no ktls_connections series for TLS 1.2 AES-CCM-128"
grep -qx "ktls_curr_tx_sw $(tls_stat TlsCurrTxSw)" "$T/samples" ||
	fail "ktls_curr_tx_sw differs from /proc"
grep -q '^ktls_decrypt_error_total ' "$T/samples" ||
	fail "no ktls_decrypt_error_total"
echo "ok --json fields, filters, counters; --prometheus strict format"
