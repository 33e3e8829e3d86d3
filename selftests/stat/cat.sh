#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-stat against connections made by real handshakes: ktls-cat at both
# ends over loopback, TLS 1.3 AES-128-GCM on IPv4 and TLS 1.2
# ChaCha20-Poly1305 on IPv6, held open while ktls-stat looks; then
# --watch --json during a transfer: the deltas it prints add up to what
# /proc/net/tls_stat moved, the data arrives intact, and Ctrl-C ends it.
#
#   lo: ktls-cat connect  <== TLS handshake, kTLS sw ==>  ktls-cat listen
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-cat ktls-stat openssl python3
CHECK=$KTLSKIT_REPO/selftests/stat/statcheck.py
make_tmp
T=$KTLSKIT_TMP
modprobe -q aesni_intel 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,IP:::1 \
	-days 2 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null ||
	fail "making a test certificate"

# pair NAME HOST PORT TLS-OPTIONS...: ktls-cat listen and connect, both
# reading a FIFO we hold open, so the connection stays up.
pair()
{
	local name=$1 host=$2 port=$3 bind
	shift 3
	bind=$port
	[ "$host" = ::1 ] && bind="[::1]:$port"
	mkfifo "$T/$name.sin" "$T/$name.cin"
	ktls-cat listen "$bind" --cert "$T/cert.pem" --key "$T/key.pem" "$@" \
		< "$T/$name.sin" > "$T/$name.got_s" 2> "$T/$name.serr" &
	track $!
	hold_open "$T/$name.sin"
	wait_port "$port"
	ktls-cat connect "$( [ "$host" = ::1 ] && echo "[::1]" || echo "$host"):$port" \
		--insecure "$@" < "$T/$name.cin" > "$T/$name.got_c" \
		2> "$T/$name.cerr" &
	track $!
	hold_open "$T/$name.cin"
}

# established PORT N: N tls ends with keys on PORT, within 240 s
established()
{
	local i
	for i in $(seq 1200); do
		[ "$(ktls-stat -c --port "$1" | grep -c ' tls .* sw  *sw ')" -ge "$2" ] &&
			return 0
		sleep 0.2
	done
	cat "$T"/*.serr "$T"/*.cerr
	fail "port $1: no $2 kTLS ends after 120 s"
}

p4=$(free_port)
p6=$(free_port)
pair a 127.0.0.1 "$p4" --tls 1.3 --cipher TLS13-AES128-GCM-SHA256
pair b ::1 "$p6" --tls 1.2 --cipher ECDHE-ECDSA-CHACHA20-POLY1305
established "$p4" 2
established "$p6" 2

ktls-stat | tee "$T/table"
ktls-stat --json > "$T/all.json"
ktls-stat -c --json --port "$p4" > "$T/a.json"
ktls-stat -c --json --port "$p6" > "$T/b.json"
ktls-stat --prometheus > "$T/prom"
# ktls-cat listens on a dual-stack socket: its IPv4 end is IPv4-mapped
grep -Eq "^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):$p4 .* tls  *1\.3  *aes-gcm-128  *sw  *sw " "$T/table" ||
	fail "the table has no server row for port $p4"
grep -q "^\[::1\]:$p6 .* tls  *1.2  *chacha20-poly1305  *sw  *sw " "$T/table" ||
	fail "the table has no IPv6 server row for port $p6"
# the inode in the table belongs to a socket a process holds
ino=$(awk -v p=":$p4\$" '$1 ~ p { print $NF }' "$T/table")
ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q "socket:\[$ino\]" ||
	fail "no process holds socket inode '$ino'"
echo "ok ktls-cat connections in the table: version, cipher, sw, IPv4 and IPv6"

# --watch while a third connection carries 2 MB: its TlsTxSw deltas add
# up to the growth of /proc/net/tls_stat, and SIGINT ends it with 0.
tx0=$(tls_stat TlsTxSw)
ktls-stat --watch 1 --json > "$T/watch" 2> "$T/watch.err" &
watch=$!
# samples: lines of --watch so far
samples()
{
	wc -l < "$T/watch"
}
# more_samples N: --watch printed more than N lines
more_samples()
{
	[ "$(samples)" -gt "$1" ]
}
# its first line shows it has read the counters it starts from
wait_until 60 more_samples 0 || fail "ktls-stat --watch printed nothing"
make_payload "$T/payload" 2000000
p3=$(free_port)
ktls-cat listen "$p3" --cert "$T/cert.pem" --key "$T/key.pem" --no-stdin \
	> "$T/got3" 2> "$T/err3" &
srv=$!
track $srv
wait_port "$p3"
timeout 300 ktls-cat connect "127.0.0.1:$p3" --insecure --tls 1.3 \
	--sendfile "$T/payload" > /dev/null 2>> "$T/err3" ||
	{ cat "$T/err3"; fail "ktls-cat transfer failed"; }
wait "$srv" || { cat "$T/err3"; fail "ktls-cat listen failed"; }
[ "$(sha256 "$T/payload")" = "$(sha256 "$T/got3")" ] ||
	fail "the 2 MB payload arrived damaged"
# the second line from now was sampled after the transfer ended
n=$(samples)
wait_until 60 more_samples $((n + 1)) ||
	fail "ktls-stat --watch stopped printing"
kill -INT "$watch"
wait "$watch" || fail "ktls-stat --watch exited $? on SIGINT"
tx1=$(tls_stat TlsTxSw)
[ "$tx1" -ge $((tx0 + 2)) ] || fail "TlsTxSw rose only from $tx0 to $tx1"

# One Python run for the JSON, Prometheus and --watch checks.
python3 "$CHECK" count "$T/a.json" 2 ulp=tls tls_version=1.3 \
		cipher=aes-gcm-128 tx=sw rx=sw state=ESTAB \
	-- count "$T/a.json" 1 local_port="$p4" inode="$ino" \
	-- count "$T/a.json" 1 peer_port="$p4" family=ipv4 \
	-- count "$T/b.json" 2 ulp=tls tls_version=1.2 \
		cipher=chacha20-poly1305 tx=sw rx=sw family=ipv6 \
	-- prom "$T/prom" "$T/samples" \
	-- watch "$T/watch" TlsTxSw $((tx1 - tx0)) ||
	fail "ktls-stat's JSON, Prometheus or --watch output is wrong"
grep -qx 'ktls_connections{version="1.3",cipher="aes-gcm-128",tx="sw",rx="sw"} 2' "$T/samples" ||
	fail "ktls_connections for TLS 1.3 AES-128-GCM is not 2"
echo "ok --json, --prometheus; --watch deltas add up to /proc's TlsTxSw growth ($tx0 -> $tx1); payload intact"
