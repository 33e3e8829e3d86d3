#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Which wolfSSL our programs run with.
#
# The default build (scripts/wolfssl): the library is Debian's source of
# the version apt offers, with the flags we want; no program or libktls.so
# loads a shared libwolfssl (the system's could otherwise slip in under our
# headers), and libktls.so exports nothing of wolfSSL's.
#
# The fallback, make WOLFSSL=system: builds into build/wolfssl-system, links
# Debian's libwolfssl, and the host unit tests pass with it too.
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"
need_cmd readelf nm ldd apt-cache make
cd "$KTLSKIT_REPO" || fail "no repository at $KTLSKIT_REPO"
fails=0

# ---- the default build ----
id=$(cat build/wolfssl.id 2>/dev/null)
if [ "$id" = system ]; then
	echo "# known: our wolfSSL: build/ was made with WOLFSSL=system"
else
	prefix=$(scripts/wolfssl --prefix) || fail "scripts/wolfssl --prefix"
	[ "$id" = "$prefix" ]
	ok "build/ is built against today's wolfSSL build ($prefix)"
	want=$(LC_ALL=C apt-cache policy libwolfssl-dev |
	       awk '/Candidate:/ { print $2 }')
	[ "$(cat "$prefix/debian-version" 2>/dev/null)" = "$want" ]
	ok "it is Debian's wolfssl $want, the version apt offers"
	opts=$prefix/include/wolfssl/options.h
	for d in WOLFSSL_TLS13_MIDDLEBOX_COMPAT HAVE_SECRET_CALLBACK \
		 WOLFSSL_AESNI WOLFSSL_SP_X86_64_ASM ATOMIC_USER OPENSSL_ALL \
		 HAVE_OCSP HAVE_SNI HAVE_SESSION_TICKET WOLFSSL_TLS13; do
		grep -q "^#define $d\$" "$opts"
		ok "our wolfSSL is built with $d"
	done
	for b in build/bin/* build/lib/libktls.so.1; do
		! readelf -d "$b" | grep -q 'NEEDED.*libwolfssl'
		ok "${b#build/} does not need a shared libwolfssl"
		! ldd "$b" | grep -q libwolfssl
		ok "${b#build/} loads no libwolfssl"
	done
	# What the dynamic loader really opens when a program starts.
	! LD_DEBUG=libs build/bin/ktls-cat --help 2>&1 >/dev/null |
		   grep -q 'libwolfssl'
	ok "ktls-cat, run, opens no libwolfssl"
	others=$(nm -D --defined-only build/lib/libktls.so.1 |
		 awk '$2 != "A" && $3 !~ /^ktls_/ { print $3 }' | head -n 3)
	[ -z "$others" ]
	ok "libktls.so exports only ktls_* symbols${others:+ (also: $others)}"
fi

# ---- make WOLFSSL=system ----
sys=build/wolfssl-system
if ! pkg-config --exists wolfssl; then
	echo "# known: WOLFSSL=system: Debian's libwolfssl-dev is not installed"
else
	if ! make -s WOLFSSL=system BUILD=$sys host-tests \
		$sys/lib/libktls.so.1 > "$sys.log" 2>&1; then
		tail -n 20 "$sys.log"
		fail "make WOLFSSL=system host-tests failed"
	fi
	readelf -d $sys/lib/libktls.so.1 | grep -q 'NEEDED.*libwolfssl'
	ok "WOLFSSL=system: libktls.so needs Debian's libwolfssl"
	for t in "$sys"/selftests/unit/*; do
		[ -x "$t" ] || continue
		if "$t" > "$t.out" 2>&1; then
			echo "ok - WOLFSSL=system: unit/${t##*/}" \
				"($(grep -c '^ok' "$t.out") cases)"
		else
			sed 's/^/# /' "$t.out" | tail -n 20
			echo "not ok - WOLFSSL=system: unit/${t##*/}"
			fails=$((fails + 1))
		fi
	done
fi
[ "$fails" = 0 ] || fail "$fails check(s) failed"
