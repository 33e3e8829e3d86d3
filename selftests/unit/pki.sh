#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host unit test for tools/pki/mkpki. The TLS tests trust its fixtures to be
# exactly what their names say (an "expired" certificate that is merely
# untrusted would make a test pass for the wrong reason), so every case of
# the manifest is checked here with openssl itself, and the properties each
# case is about (dates, SANs, digests, key sizes, purposes, CRLs, modes) are
# checked directly as well. Also: the dev PKI, idempotence, errors.
#
# Output is TAP; exit 0 when all checks pass, 1 otherwise, 4 (skip) without
# openssl.

set -e

REPO=$(cd "$(dirname "$0")/../.." && pwd)
MKPKI=$REPO/tools/pki/mkpki

if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: openssl is not installed"
	exit 4
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
P=$T/test
D=$T/dev

n=0
failed=0

ok()
{
	n=$((n + 1))
	echo "ok $n - $*"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}

not()
{
	! "$@"
}

# check DESC COMMAND...: one TAP line for a command that must succeed.
check()
{
	local desc=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$T/out"
	fi
}

# Verification as the certificate policy wants it, as far as openssl can
# express it:
# strict X.509, security level 2 (RSA >= 2048, no SHA-1 or MD5 signatures
# below the trust anchor), the trust anchor root.crt only.
verify()
{
	openssl verify -x509_strict -auth_level 2 -CAfile "$P/root.crt" "$@"
}

# verify_code WANT DESC ARGS...: openssl verify must end with error WANT,
# or succeed when WANT is 0.
verify_code()
{
	local want=$1 desc=$2 out
	shift 2
	if out=$(verify "$@" 2>&1); then
		if [ "$want" = 0 ]; then
			ok "$desc"
			return
		fi
	elif [ "$want" != 0 ] &&
	     printf '%s\n' "$out" | grep -q "^error $want at "; then
		ok "$desc"
		return
	fi
	not_ok "$desc (wanted openssl error $want)"
	printf '%s\n' "$out" | sed 's/^/#   /'
}

# The openssl verify error each manifest reason must produce.
openssl_code()
{
	case $1 in
	ok|key-readable)		echo 0 ;;	# the mode is checked apart
	expired)			echo 10 ;;
	not-yet-valid)			echo 9 ;;
	host-mismatch)			echo 62 ;;
	untrusted|missing-intermediate)	echo 20 ;;
	revoked)			echo 23 ;;
	crl-missing)			echo 3 ;;
	crl-stale)			echo 12 ;;
	weak-signature)			echo 68 ;;
	weak-key)			echo 66 ;;
	wrong-purpose)			echo 26 ;;
	*)				echo unknown ;;
	esac
}

san()
{
	openssl x509 -noout -ext subjectAltName -in "$P/$1" 2>/dev/null |
		sed 1d |
		sed 's/^ *//'
}

# ---------------------------------------------------------------------------
echo "# mkpki --test"

start=$(date +%s%N)
check "mkpki --test makes the test PKI" "$MKPKI" --test "$P"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -lt 10000 ]; then
	ok "test PKI made in $ms ms"
else
	not_ok "test PKI took $ms ms; it must take seconds"
fi
[ -f "$P/manifest" ] || { echo "Bail out! no manifest"; exit 1; }

# Every manifest case, verified by openssl as the case says it should be.
rows=0
while read -r name expect role host opts cert key chain crl; do
	case $name in
	""|"#"*|name)
		continue ;;
	esac
	rows=$((rows + 1))
	want=$(openssl_code "$expect")
	if [ "$want" = unknown ]; then
		not_ok "$name: unknown reason '$expect' in the manifest"
		continue
	fi
	args=(-purpose "ssl$role")
	case $host in
	-)		;;
	*:*|[0-9]*.*[0-9])	args+=(-verify_ip "$host") ;;
	*)		args+=(-verify_hostname "$host") ;;
	esac
	# Policies openssl's verify cannot switch: it always accepts a
	# left-most wildcard and always falls back to the CN. Those cases
	# must pass openssl; their SAN state is checked below.
	desc="$name: openssl verify says $expect"
	case $name in
	wildcard|cn-only-strict)
		want=0
		desc="$name: openssl verify passes ($expect by our policy)" ;;
	key-readable)
		desc="$name: openssl verify passes (refused for its mode)" ;;
	esac
	case $crl in
	-)	;;
	*/|crls)	args+=(-crl_check -CApath "$P/$crl") ;;
	*)		args+=(-crl_check -CRLfile "$P/$crl") ;;
	esac
	if [[ $opts == *p12pass=* ]]; then
		pass=${opts#*p12pass=}
		pass=${pass%%,*}
		if ! openssl pkcs12 -in "$P/$cert" -passin "file:$P/$pass" \
			-nodes -out "$T/$name.pem" 2>"$T/out"; then
			not_ok "$name: $cert does not open with $pass"
			continue
		fi
		openssl x509 -in "$T/$name.pem" -out "$T/$name.crt"
		cert=$T/$name.crt
		chain=$T/$name.pem
		key=$T/$name.pem
	else
		for f in "$cert" "$key" "$chain"; do
			[ "$f" = - ] || [ -e "$P/$f" ] ||
				not_ok "$name: $f is missing"
		done
		cert=$P/$cert
		key=$P/$key
		[ "$chain" = - ] || chain=$P/$chain
	fi
	[ "$chain" = - ] || args+=(-untrusted "$chain")
	verify_code "$want" "$desc" \
		"${args[@]}" "$cert"
	# The key must belong to the certificate, in whatever encoding.
	if [ "$key" != "$P/-" ]; then
		a=$(openssl x509 -in "$cert" -noout -pubkey 2>&1)
		b=$(openssl pkey -in "$key" -pubout 2>&1)
		if [ -n "$a" ] && [ "$a" = "$b" ]; then
			ok "$name: key matches certificate"
		else
			not_ok "$name: key does not match certificate"
		fi
	fi
done <"$P/manifest"
if [ "$rows" -ge 30 ]; then
	ok "manifest lists $rows cases"
else
	not_ok "manifest lists only $rows cases"
fi
dups=$(awk '!/^#/ && NF { print $1 }' "$P/manifest" | sort | uniq -d)
check "manifest case names are unique" test -z "$dups"

echo "# what each case is about"

# Chains: leaf first, then its issuer, and they verify as a chain.
for c in server-ec server-rsa client-ec no-int; do
	check "$c.chain.pem is the leaf and one intermediate" \
		test "$(grep -c 'BEGIN CERTIFICATE' "$P/$c.chain.pem")" = 2
	check "$c.chain.pem starts with $c.crt" \
		cmp -n "$(stat -c %s "$P/$c.crt")" "$P/$c.crt" "$P/$c.chain.pem"
done
verify_code 0 "no-int verifies with its intermediate" \
	-untrusted "$P/intermediate.crt" "$P/no-int.crt"
verify_code 20 "no-int fails without its intermediate" "$P/no-int.crt"
verify_code 0 "the intermediates verify against root.crt" \
	"$P/intermediate.crt" "$P/intermediate-rsa.crt"
verify_code 18 "untrusted-root is a self-signed root, not root.crt" "$P/untrusted-root.crt"
check "untrusted.crt is issued by the untrusted root" \
	openssl verify -CAfile "$P/untrusted-root.crt" "$P/untrusted.crt"

# Dates.
check "server-ec is valid for another year" \
	openssl x509 -noout -checkend $((365 * 86400)) -in "$P/server-ec.crt"
check "expired has expired" \
	not openssl x509 -noout -checkend 0 -in "$P/expired.crt"
not_before=$(openssl x509 -noout -startdate -in "$P/not-yet-valid.crt")
not_before=$(date -u -d "${not_before#notBefore=}" +%s)
check "not-yet-valid starts in the future" \
	test "$not_before" -gt "$(date +%s)"
verify_code 0 "not-yet-valid is otherwise good (-attime its start)" \
	-attime $((not_before + 60)) -untrusted "$P/intermediate.crt" \
	"$P/not-yet-valid.crt"
verify_code 0 "expired was good a month before its end" \
	-attime $(($(date -u -d "$(openssl x509 -noout -enddate \
		-in "$P/expired.crt" | cut -d= -f2)" +%s) - 30 * 86400)) \
	-untrusted "$P/intermediate.crt" "$P/expired.crt"

# Names.
check "server-ec SAN" test "$(san server-ec.crt)" = \
	"DNS:server.test, DNS:localhost, IP Address:127.0.0.1"
check "wrong-host SAN is www.example.test only" \
	test "$(san wrong-host.crt)" = "DNS:www.example.test"
check "wildcard SAN is *.example.test only" \
	test "$(san wildcard.crt)" = "DNS:*.example.test"
check "ip-only SAN has addresses only" test "$(san ip-only.crt)" = \
	"IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
check "cn-only has no SAN" test -z "$(san cn-only.crt)"
check "cn-only CN is cn-only.test" test \
	"$(openssl x509 -noout -subject -nameopt multiline \
		-in "$P/cn-only.crt" | sed -n 's/^ *commonName *= //p')" = \
	cn-only.test

# Signatures and keys.
sigalg()
{
	openssl x509 -noout -text -in "$P/$1" |
		sed -n 's/^ *Signature Algorithm: //p' | head -n 1
}
bits()
{
	openssl x509 -noout -text -in "$P/$1" |
		sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p'
}
check "sha1 is signed ecdsa-with-SHA1" test "$(sigalg sha1.crt)" = \
	ecdsa-with-SHA1
check "md5 is signed md5WithRSAEncryption" test "$(sigalg md5.crt)" = \
	md5WithRSAEncryption
check "server-ec is signed ecdsa-with-SHA256" \
	test "$(sigalg server-ec.crt)" = ecdsa-with-SHA256
verify_code 0 "sha1 is fine but for its digest (-auth_level 0)" \
	-auth_level 0 -untrusted "$P/intermediate.crt" "$P/sha1.crt"
verify_code 0 "md5 is fine but for its digest (-auth_level 0)" \
	-auth_level 0 -untrusted "$P/intermediate-rsa.crt" "$P/md5.crt"
check "rsa1024 has a 1024-bit key" test "$(bits rsa1024.crt)" = 1024
check "server-rsa has a 2048-bit key" test "$(bits server-rsa.crt)" = 2048
check "client-rsa has a 2048-bit key" test "$(bits client-rsa.crt)" = 2048
check "server-ec has a 256-bit key" test "$(bits server-ec.crt)" = 256
check "server-ec key is P-256" \
	grep -q 'NIST CURVE: P-256' <(openssl x509 -noout -text \
		-in "$P/server-ec.crt")
verify_code 0 "rsa1024 is fine but for its key (-auth_level 1)" \
	-auth_level 1 -untrusted "$P/intermediate.crt" "$P/rsa1024.crt"

# Purposes.
eku()
{
	openssl x509 -noout -ext extendedKeyUsage -in "$P/$1" | sed 1d |
		sed 's/^ *//'
}
check "client-ec EKU is clientAuth" test "$(eku client-ec.crt)" = \
	"TLS Web Client Authentication"
check "wrong-eku EKU is clientAuth only" test "$(eku wrong-eku.crt)" = \
	"TLS Web Client Authentication"
check "server-ec EKU is serverAuth" test "$(eku server-ec.crt)" = \
	"TLS Web Server Authentication"
check "nscerttype EKU is serverAuth" test "$(eku nscerttype.crt)" = \
	"TLS Web Server Authentication"
check "nscerttype says SSL Client" grep -qx ' *SSL Client' \
	<(openssl x509 -noout -ext nsCertType -in "$P/nscerttype.crt")
verify_code 0 "wrong-eku is a good client certificate" -purpose sslclient \
	-untrusted "$P/intermediate.crt" "$P/wrong-eku.crt"

# Revocation.
serial=$(openssl x509 -noout -serial -in "$P/revoked.crt" | cut -d= -f2)
check "crl.pem lists revoked ($serial)" grep -q "Serial Number: $serial" \
	<(openssl crl -noout -text -in "$P/crl.pem")
check "crl.der is crl.pem in DER" cmp "$P/crl.der" \
	<(openssl crl -in "$P/crl.pem" -outform DER)
check "crl-stale lists revoked too" grep -q "Serial Number: $serial" \
	<(openssl crl -noout -text -in "$P/crl-stale.pem")
next=$(openssl crl -noout -nextupdate -in "$P/crl-stale.pem" | cut -d= -f2)
check "crl-stale is past its nextUpdate" \
	test "$(date -u -d "$next" +%s)" -lt "$(date +%s)"
verify_code 0 "revoked is good without CRL checking" -purpose sslserver \
	-untrusted "$P/intermediate.crt" "$P/revoked.crt"
verify_code 0 "server-rsa passes -crl_check_all with crls/" \
	-crl_check_all -CApath "$P/crls" \
	-untrusted "$P/intermediate-rsa.crt" "$P/server-rsa.crt"
verify_code 23 "revoked fails -crl_check_all with crls/" \
	-crl_check_all -CApath "$P/crls" \
	-untrusted "$P/intermediate.crt" "$P/revoked.crt"
check "crls/ holds only hash-named current CRLs" test \
	"$(for f in "$P"/crls/*; do
		echo "$(openssl crl -hash -noout -in "$f").r0" = "${f##*/}"
	done | awk '$1 == $3 { n++ } END { print n }')" = 3

# Encodings.
check "server-ec.der is server-ec.crt in DER" cmp "$P/server-ec.der" \
	<(openssl x509 -in "$P/server-ec.crt" -outform DER)
check "server-ec.key.der is DER" not grep -q BEGIN "$P/server-ec.key.der"
check "p12.pass is one line" test "$(wc -l <"$P/p12.pass")" = 1
for p in server-ec.p12 server-ec-3des.p12; do
	check "$p holds one key and two certificates" test "$(openssl pkcs12 \
		-in "$P/$p" -passin "file:$P/p12.pass" -nodes 2>/dev/null |
		grep -c -e 'BEGIN PRIVATE KEY' -e 'BEGIN CERTIFICATE')" = 3
	check "$p does not open with a wrong password" not openssl pkcs12 \
		-in "$P/$p" -passin pass:wrong -noout
done

# Modes: every secret 0600, but the one meant to be refused.
for f in "$P"/*.key "$P"/*.key.der "$P"/*.p12 "$P/p12.pass"; do
	m=$(stat -c %a "$f")
	case ${f##*/} in
	key-readable.key)	check "key-readable.key is 0644" test "$m" = 644 ;;
	*)	check "${f##*/} is 0600" test "$m" = 600 ;;
	esac
done
check "certificates are readable (0644)" \
	test "$(stat -c %a "$P/root.crt" "$P/server-ec.chain.pem" | sort -u)" = 644

echo "# idempotence and repair"

sums()
{
	(cd "$1" && find . -type f ! -name '.mkpki-*' -print0 | sort -z |
		xargs -0 sha256sum)
}
before=$(sums "$P")
start=$(date +%s%N)
check "second mkpki --test succeeds" "$MKPKI" --test "$P"
ms=$((($(date +%s%N) - start) / 1000000))
check "second run changed nothing" test "$before" = "$(sums "$P")"
if [ "$ms" -lt 1000 ]; then
	ok "second run took $ms ms"
else
	not_ok "second run took $ms ms; a complete folder must be quick"
fi
rm "$P/revoked.crt"
check "mkpki --test repairs a folder missing a file" "$MKPKI" --test "$P"
check "revoked.crt is back" test -s "$P/revoked.crt"
check "the repaired PKI is new" test "$before" != "$(sums "$P")"
verify_code 23 "the new revoked is on the new CRL" -crl_check \
	-CRLfile "$P/crl.pem" -untrusted "$P/revoked.chain.pem" \
	"$P/revoked.crt"

echo "# mkpki --dev"

check "mkpki --dev makes the dev PKI" "$MKPKI" --dev "$D"
check "dev folder is 0700" test "$(stat -c %a "$D")" = 700
check "dev-ca.key is 0600" test "$(stat -c %a "$D/dev-ca.key")" = 600
check "localhost.key is 0600" test "$(stat -c %a "$D/localhost.key")" = 600
check "localhost.crt verifies for localhost" openssl verify -x509_strict \
	-auth_level 2 -purpose sslserver -verify_hostname localhost \
	-CAfile "$D/dev-ca.crt" "$D/localhost.crt"
check "localhost.crt verifies for ::1" openssl verify -purpose sslserver \
	-verify_ip ::1 -CAfile "$D/dev-ca.crt" "$D/localhost.crt"
check "localhost SAN" test "$(P=$D san localhost.crt)" = \
	"DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
check "localhost key is P-256" grep -q 'NIST CURVE: P-256' \
	<(openssl x509 -noout -text -in "$D/localhost.crt")
ca_before=$(sha256sum <"$D/dev-ca.crt")
leaf_before=$(sha256sum <"$D/localhost.crt")
rm "$D/localhost.key"
check "mkpki --dev repairs a missing server key" "$MKPKI" --dev "$D"
check "the dev CA is kept" test "$ca_before" = "$(sha256sum <"$D/dev-ca.crt")"
check "the server certificate is new" \
	test "$leaf_before" != "$(sha256sum <"$D/localhost.crt")"
check "the new server key matches" test \
	"$(openssl x509 -in "$D/localhost.crt" -noout -pubkey)" = \
	"$(openssl pkey -in "$D/localhost.key" -pubout)"
before=$(sums "$P")
check "dev and test PKIs can share a folder" "$MKPKI" --dev "$P"
check "... and the test PKI is left as it was" "$MKPKI" --test "$P"
check "... unchanged" test "$before" = \
	"$(sums "$P" | grep -v -e ' ./dev-ca' -e ' ./localhost')"

echo "# errors"

mk_err()
{
	# Runs mkpki, keeps its status and stderr.
	set +e
	"$@" 2>"$T/err" >/dev/null
	rc=$?
	set -e
}

mk_err "$MKPKI"
check "no arguments: exit 2" test "$rc" = 2
mk_err "$MKPKI" --frobnicate "$T/x"
check "unknown option: exit 2, names it" test "$rc" = 2 -a \
	"$(grep -c "frobnicate" "$T/err")" = 1
mk_err "$MKPKI" --test
check "missing folder: exit 2" test "$rc" = 2
check "--help: exit 0 and a usage" "$MKPKI" --help
mk_err env PATH=/nonexistent /bin/bash "$MKPKI" --test "$T/x"
check "no openssl: exit 1" test "$rc" = 1
check "no openssl: one line starting mkpki:" test \
	"$(wc -l <"$T/err")-$(cut -c1-6 "$T/err")" = "1-mkpki:"

# An openssl that fails at signing: mkpki must name the step, leave no
# stamp, and the next good run must start over and complete.
mkdir -p "$T/bin"
cat >"$T/bin/openssl" <<EOF
#!/bin/bash
if [ "\$1" = ca ]; then
	echo "error:fake:signing refused by the test" >&2
	exit 1
fi
exec $(command -v openssl) "\$@"
EOF
chmod +x "$T/bin/openssl"
mk_err env PATH="$T/bin:$PATH" "$MKPKI" --test "$T/x"
check "failing step: exit 1" test "$rc" = 1
check "failing step: one line naming the step and the cause" grep -qx \
	'mkpki: self-signing root failed: error:fake:signing refused by the test' \
	"$T/err"
check "failing step: no stamp left" test ! -e "$T/x/.mkpki-test"
check "failing step: no work folder left" \
	test -z "$(find "$T/x" -name '.mkpki-work*')"
check "after a failure the next run completes" "$MKPKI" --test "$T/x"

echo "1..$n"
[ "$failed" = 0 ] || { echo "# $failed of $n checks failed"; exit 1; }
