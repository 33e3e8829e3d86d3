# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the policy tests (sourced, not a test itself): a small CA made
# with the openssl CLI, leaves with chosen names and key types, and the
# OpenSSL CA database (index.txt) an OCSP responder answers from.
#
#   $Q/ca.crt, ca.key     ECDSA P-256 root, also the OCSP signer
#   $Q/NAME.crt, .key     leaf made by `leaf NAME CN [rsa]`, SAN DNS:CN
#   $Q/index.txt          one line per leaf: V (valid) or R (revoked)

Q=$T/qpki
mkdir -p "$Q"
: > "$Q/index.txt"
SERIAL=4096

qssl() {
	openssl "$@" 2>"$Q/err" || { cat "$Q/err"; fail "openssl $1 failed"; }
}

qssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$Q/ca.key" -subj "/O=ktlskit policy test/CN=policy test CA" \
	-days 30 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign,digitalSignature \
	-out "$Q/ca.crt"

# leaf NAME CN [rsa]: a server certificate for DNS:CN signed by the CA
leaf() {
	local name=$1 cn=$2 kt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)

	[ "${3:-}" = rsa ] && kt=(-newkey rsa:2048)
	SERIAL=$((SERIAL + 1))
	qssl req -new "${kt[@]}" -nodes -keyout "$Q/$name.key" \
		-subj "/O=ktlskit policy test/CN=$cn" -out "$Q/$name.csr"
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:9/\n' \
		"$cn" > "$Q/$name.ext"
	qssl x509 -req -in "$Q/$name.csr" -CA "$Q/ca.crt" -CAkey "$Q/ca.key" \
		-set_serial "$SERIAL" -days 7 -sha256 -extfile "$Q/$name.ext" \
		-out "$Q/$name.crt"
	chmod 600 "$Q/$name.key"
	printf 'V\t%s\t\t%X\tunknown\t/O=ktlskit policy test/CN=%s\n' \
		"$(date -u -d '+7 days' +%y%m%d%H%M%SZ)" "$SERIAL" "$cn" \
		>> "$Q/index.txt"
}

# revoke NAME: mark the leaf revoked (now) in the CA database
revoke() {
	local serial

	serial=$(openssl x509 -in "$Q/$1.crt" -noout -serial | cut -d= -f2)
	awk -F'\t' -v OFS='\t' -v s="$serial" -v t="$(date -u +%y%m%d%H%M%SZ)" \
		'$4 == s { $1 = "R"; $3 = t } { print }' "$Q/index.txt" \
		> "$Q/index.new" && mv "$Q/index.new" "$Q/index.txt"
}

# ocsp_response NAME: $Q/NAME.ocsp, the CA's DER answer for that leaf,
# made by `openssl ocsp` from the database as a responder would
ocsp_response() {
	qssl ocsp -issuer "$Q/ca.crt" -cert "$Q/$1.crt" -no_nonce \
		-reqout "$Q/$1.req"
	qssl ocsp -index "$Q/index.txt" -rsigner "$Q/ca.crt" \
		-rkey "$Q/ca.key" -CA "$Q/ca.crt" -reqin "$Q/$1.req" \
		-respout "$Q/$1.ocsp" -ndays 1
}
