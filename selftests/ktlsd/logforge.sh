#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Log forgery: untrusted strings with a newline must not start a log line
# of their own. A local application names a profile that holds a newline
# and a whole forged "result=ok" line; a remote peer presents a client
# certificate whose subject CN holds one (mutual TLS, once signed by the
# test CA so the handshake succeeds and the subject is logged, once
# self-signed so it is named in the failure's sentence). ktlsd's log must
# show each only escaped (\n) inside the line it belongs to.
#
#   ktlsd-client raw/accept --Unix--> ktlsd
#   openssl s_client -cert EVIL --TCP--> ktlsd-client accept --fd--> ktlsd
#
# ktlskit-timeout: 300

. "$(dirname "$0")/lib.bash"
need_cmd openssl
ktlsd_setup
write_conf
cat >> "$CONF" <<EOC

[profile mtls]
role = server
cert = $P/server-ec.chain.pem
key = $P/server-ec.key
ca = $P/root.crt
verify_client = yes
allow_uid = 0
EOC
start_ktlsd

# forged LABEL: the text of a forged line (short: a profile name has at
# most 63 bytes); no real peer is 6.6.6.6
forged()
{
	echo "ktlsd: info: handshake peer=6.6.6.6:6 result=ok $1"
}

# no_forgery LABEL WHAT: no log line starts with the forged text, and the
# escaped form (\n, then the text) is inside another line
no_forgery()
{
	expect_line "$T/ktlsd.log" "\\\\nktlsd: info: handshake peer=6\\.6\\.6\\.6:6 result=ok $1" \
		"$2: escaped form"
	grep -q "^ktlsd: info: handshake peer=6\\.6\\.6\\.6:6 result=ok $1" "$T/ktlsd.log" &&
		fail "$2: forged line in the log: $(grep -F "6.6.6.6" "$T/ktlsd.log")"
	pass "$2: logged as $(grep -F "result=ok $1" "$T/ktlsd.log" | cut -c1-150)..."
}

# 1. the profile of a request (refused: the socket is not connected)
timeout 20 "$CLIENT" --profile "x"$'\n'"$(forged prof1)" raw notconn \
	> "$T/app" 2>&1 || fail "raw request: $(cat "$T/app")"
grep -q 'reason=bad-socket' "$T/app" || fail "raw request: $(cat "$T/app")"
no_forgery prof1 "profile in a refused request"

# 2. the same through a whole request with a connected socket: the
# profile is unknown, and the reply's sentence is one line too
port=$(free_port)
"$CLIENT" --profile "y"$'\n'"$(forged prof2)" accept "$port" > "$T/app" 2>&1 &
app=$!
wait_port "$port"
exec 3<>"/dev/tcp/127.0.0.1/$port"
wait $app && fail "unknown profile accepted"
exec 3>&-
no_forgery prof2 "unknown profile"
[ "$(wc -l < "$T/app")" = 1 ] && grep -qF 'no profile "y\nktlsd: info:' "$T/app" ||
	fail "reply sentence: $(cat "$T/app")"
pass "reply sentence is one line: $(cut -c1-100 "$T/app")..."

# 3. a client certificate whose subject holds a newline: the DER must
# really carry the 0x0a byte inside the CN
subj="/CN=c"$'\n'"$(forged cert)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
	-keyout "$T/evil.key" -subj "$subj" -out "$T/evil.csr" 2>"$T/ossl" ||
	fail "csr: $(cat "$T/ossl")"
printf 'extendedKeyUsage = clientAuth\nkeyUsage = digitalSignature\n' > "$T/ext"
openssl x509 -req -in "$T/evil.csr" -CA "$P/intermediate.crt" \
	-CAkey "$P/intermediate.key" -set_serial 4242 -days 2 \
	-extfile "$T/ext" -out "$T/evil.crt" 2>"$T/ossl" ||
	fail "sign: $(cat "$T/ossl")"
openssl x509 -in "$T/evil.crt" -outform DER | od -An -tx1 -v | tr -d ' \n' |
	grep -q '0a6b746c73643a' || fail "the certificate's DER has no newline in the CN"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
	-keyout "$T/self.key" -subj "/CN=s"$'\n'"$(forged self)" -days 2 \
	-addext "extendedKeyUsage = clientAuth" -out "$T/self.crt" 2>"$T/ossl" ||
	fail "self-signed: $(cat "$T/ossl")"
pass "client certificates with a newline in the subject CN (0x0a in the DER)"

# mtls CERT KEY [CHAIN]: s_client with a client certificate against ktlsd
mtls()
{
	local port app
	port=$(free_port)
	"$CLIENT" --profile mtls accept "$port" > "$T/app" 2>&1 &
	app=$!
	wait_port "$port"
	timeout 60 openssl s_client -connect "127.0.0.1:$port" \
		-CAfile "$P/root.crt" -servername server.test -cert "$1" \
		-key "$2" ${3:+-cert_chain "$3"} -quiet -ign_eof \
		< /dev/null > /dev/null 2>"$T/peer.err"
	wait $app
}

mtls "$T/evil.crt" "$T/evil.key" "$P/intermediate.crt" ||
	fail "mutual TLS with the CA-signed certificate: $(cat "$T/app" "$T/peer.err")"
grep -q '^ok .*peer=/CN=c' "$T/app" ||
	fail "no peer identity: $(cat "$T/app")"
no_forgery cert "subject of a trusted client certificate"

mtls "$T/self.crt" "$T/self.key" && fail "self-signed client certificate accepted"
expect_line "$T/app" '^error .*reason=cert-untrusted' "self-signed client"
no_forgery self "subject of an untrusted client certificate"

ktlsd_alive
