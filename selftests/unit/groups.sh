#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Key exchange preference, X25519 then P-256, in every role, against
# OpenSSL: the ClientHello that libktls (ktls-cat) and ktlsd send carries
# an X25519 key share and lists X25519 then P-256 (s_server -trace); a
# server (ktls-cat, ktlsd) gives OpenSSL's client X25519 ("Server Temp
# Key"), still agrees on P-256 with a client that offers only P-256, and a
# configured list (--groups, ktlsd's groups =) still decides.
#
#   ktls-cat connect / ktlsd-client connect --TCP--> openssl s_server -trace
#   openssl s_client --TCP--> ktls-cat listen / ktlsd-client accept (ktlsd)
#
# Runs on the host: the handshake is all it looks at, so a kernel without
# kTLS (the handoff then fails after the handshake) is fine, and so is one
# with it.

. "$(dirname "$0")/../lib.sh"
CAT=$KTLSKIT_REPO/build/bin/ktls-cat
KTLSD=$KTLSKIT_REPO/build/bin/ktlsd
CLIENT=$KTLSKIT_REPO/build/selftests/ktlsd/bin/ktlsd-client
[ -x "$CAT" ] || skip "build/bin/ktls-cat is not built"
need_cmd openssl ss
make_tmp
T=$KTLSKIT_TMP
"$KTLSKIT_REPO/selftests/lib/mkpki" "$T/pki" >/dev/null 2>&1 ||
	fail "mkpki failed"
CERT=(-cert "$T/pki/server.pem" -key "$T/pki/server.key")
# s_server ends its session at end of input: keep one writer open
mkfifo "$T/stdin"

# server_trace LOG [S_SERVER OPTIONS...]: one s_server connection with
# -trace into LOG; sets $port
server_trace()
{
	local log=$1

	shift
	port=$(free_port)
	openssl s_server -accept "$port" "${CERT[@]}" -naccept 1 -trace "$@" \
		< "$T/stdin" > "$log" 2>&1 &
	srv_pid=$!
	track $srv_pid
	[ -n "$stdin_open" ] || { exec 9> "$T/stdin"; stdin_open=1; }
	wait_port "$port"
}

# server_done: s_server (-naccept 1) exits after its one connection, and
# only then is its buffered trace all in the log
server_done()
{
	local i

	for ((i = 0; i < 300; i++)); do
		kill -0 "$srv_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# s_server did not exit after its connection"
}

# hello_groups LOG N: the key share groups of ClientHello N (1, or 2 after
# a HelloRetryRequest), then "/" and its supported groups, one line
hello_groups()
{
	awk -v want="$2" '
		/^ *[A-Za-z]+, Length=[0-9]+$/ { in_ch = 0 }
		/^ *ClientHello, Length=/ { n++; in_ch = (n == want) }
		!in_ch { next }
		/extension_type=/ { ext = $0 }
		ext ~ /key_share/ && /NamedGroup:/ { ks = ks " " $2 }
		ext ~ /supported_groups\(10\)/ && /\([0-9]+\)$/ &&
			!/extension_type/ { sg = sg " " $1 }
		END { print ks " /" sg }' "$1"
}

# client_temp_key PORT [S_CLIENT OPTIONS...]: what OpenSSL's client says
# it agreed on
client_temp_key()
{
	local port=$1

	shift
	echo | timeout 60 openssl s_client -connect "127.0.0.1:$port" \
		-CAfile "$T/pki/ca.pem" "$@" 2>&1 |
		sed -n 's/^Server Temp Key: //p'
}

# ---- libktls as client -------------------------------------------------

server_trace "$T/c13.log"
timeout 60 "$CAT" connect "localhost:$port" --ca "$T/pki/ca.pem" \
	< /dev/null > /dev/null 2>&1
server_done
g=$(hello_groups "$T/c13.log" 1)
[[ "$g" == " ecdh_x25519 / ecdh_x25519 secp256r1 "* ]]
count_ok "libktls client, TLS 1.3: key share X25519 (got:$g)"
[[ "$g" == *secp384r1*secp521r1*ffdhe2048* ]]
count_ok "libktls client: P-384, P-521 and FFDHE still offered"

server_trace "$T/c12.log" -tls1_2
timeout 60 "$CAT" connect "localhost:$port" --ca "$T/pki/ca.pem" \
	--tls 1.2 < /dev/null > /dev/null 2>&1
server_done
g=$(hello_groups "$T/c12.log" 1)
[[ "$g" == " / ecdh_x25519 secp256r1 "* ]]
count_ok "libktls client, TLS 1.2: X25519 then P-256 (got:$g)"
grep -A3 "ServerKeyExchange" "$T/c12.log" | grep -q "x25519"
count_ok "OpenSSL server, TLS 1.2: ECDHE over X25519"

# a server that wants P-256 asks again; the handshake then completes
server_trace "$T/hrr.log" -groups P-256
timeout 60 "$CAT" connect "localhost:$port" --ca "$T/pki/ca.pem" \
	< /dev/null > "$T/hrr.out" 2>&1
server_done
g=$(hello_groups "$T/hrr.log" 2)
[[ "$g" == " secp256r1 /"* ]]
count_ok "libktls client after HelloRetryRequest: key share P-256 (got:$g)"
! grep -q "handshake failed: \(peer\|.*alert\)" "$T/hrr.out" &&
	 grep -q "CONNECTION ESTABLISHED\|Finished" "$T/hrr.log"
count_ok "libktls client: the handshake with a P-256-only server completed"

server_trace "$T/conf.log"
timeout 60 "$CAT" connect "localhost:$port" --ca "$T/pki/ca.pem" \
	--groups P-256:X25519 < /dev/null > /dev/null 2>&1
server_done
g=$(hello_groups "$T/conf.log" 1)
[[ "$g" == " secp256r1 / secp256r1 ecdh_x25519" ]]
count_ok "--groups P-256:X25519 still decides: key share P-256 (got:$g)"

# ---- libktls as server -------------------------------------------------

# listen_key NAME [KTLS-CAT OPTIONS...] -- [S_CLIENT OPTIONS...]
listen_key()
{
	local name=$1 a=() port key

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		a+=("$1")
		shift
	done
	shift
	port=$(free_port)
	timeout 60 "$CAT" listen "$port" --cert "$T/pki/server.pem" \
		--key "$T/pki/server.key" "${a[@]}" < /dev/null \
		> /dev/null 2> "$T/$name.err" &
	track $!
	wait_port "$port"
	client_temp_key "$port" "$@"
}

key=$(listen_key l13 --)
[[ "$key" == X25519* ]]
count_ok "libktls server, TLS 1.3, OpenSSL's default client: X25519 (got: $key)"
key=$(listen_key l12 -- -tls1_2)
[[ "$key" == X25519* ]]
count_ok "libktls server, TLS 1.2: X25519 (got: $key)"
key=$(listen_key lp256 -- -groups P-256)
[[ "$key" == "ECDH, prime256v1"* ]]
count_ok "libktls server, client offering P-256 only: P-256 (got: $key)"
key=$(listen_key lconf --groups P-384 -- -groups P-256:P-384)
[[ "$key" == "ECDH, secp384r1"* ]]
count_ok "libktls server --groups P-384 still decides: P-384 (got: $key)"

# ---- ktlsd ---------------------------------------------------------------

if [ ! -x "$CLIENT" ] || [ ! -x "$KTLSD" ]; then
	echo "ok - ktlsd cases # SKIP ktlsd or ktlsd-client is not built (make tests)"
else
	SOCK=$T/ktlsd.sock
	cat > "$T/ktlsd.conf" <<EOF
[global]
socket = $SOCK
socket_mode = 0600
lock_memory = no

[profile server]
role = server
cert = $T/pki/server.pem
key = $T/pki/server.key
allow_uid = $(id -u)

[profile server-p256]
role = server
cert = $T/pki/server.pem
key = $T/pki/server.key
groups = P-256
allow_uid = $(id -u)

[profile client]
role = client
ca = $T/pki/ca.pem
server_name = localhost
allow_uid = $(id -u)
EOF
	# a group ktlsd does not know is a configuration error with its line
	sed 's/^groups = P-256$/groups = P-256:nope/' "$T/ktlsd.conf" \
		> "$T/bad.conf"
	"$KTLSD" --check-config -c "$T/bad.conf" > "$T/bad.out" 2>&1
	rc=$?
	[ $rc != 0 ] && grep -q "bad.conf:[0-9]*: profile server-p256: unknown key exchange group \"nope\"" "$T/bad.out"
	count_ok "ktlsd --check-config: groups = P-256:nope is refused at its line"

	"$KTLSD" -f -c "$T/ktlsd.conf" 2> "$T/ktlsd.log" &
	track $!
	for ((i = 0; i < 300; i++)); do
		[ -S "$SOCK" ] && break
		sleep 0.1
	done
	[ -S "$SOCK" ] || fail "ktlsd did not start: $(tail -3 "$T/ktlsd.log")"

	# accept_key PROFILE [S_CLIENT OPTIONS...]
	accept_key()
	{
		local port prof=$1

		shift
		port=$(free_port)
		timeout 60 "$CLIENT" --socket "$SOCK" --profile "$prof" \
			accept "$port" > /dev/null 2>&1 &
		track $!
		wait_port "$port"
		client_temp_key "$port" "$@"
	}
	key=$(accept_key server)
	[[ "$key" == X25519* ]]
	count_ok "ktlsd server, default profile: X25519 (got: $key)"
	key=$(accept_key server -groups P-256)
	[[ "$key" == "ECDH, prime256v1"* ]]
	count_ok "ktlsd server, client offering P-256 only: P-256 (got: $key)"
	key=$(accept_key server-p256)
	[[ "$key" == "ECDH, prime256v1"* ]]
	count_ok "ktlsd profile with groups = P-256: P-256 (got: $key)"

	server_trace "$T/d13.log"
	timeout 60 "$CLIENT" --socket "$SOCK" --profile client \
		connect "127.0.0.1:$port" > /dev/null 2>&1
	server_done
	g=$(hello_groups "$T/d13.log" 1)
	[[ "$g" == " ecdh_x25519 / ecdh_x25519 secp256r1 "* ]]
	count_ok "ktlsd client profile: key share X25519 (got:$g)"
fi

exec 9>&-
ok_totals
