# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for the interop scripts (sourced, not a test itself):
# a throwaway PKI and payloads, peers started and stopped, SHA-256 checks
# and /proc/net/tls_stat deltas proving the kernel carried our records.

set -u
KTLSKIT_PIDS=
KTLSKIT_TMP=
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
CAT=$KTLSKIT_REPO/build/bin/ktls-cat
make_tmp
trap 'stop_jobs; cleanup_tmp' EXIT
T=$KTLSKIT_TMP
P=$T/pki
FAILS=0
CHECKS=0
CONNS=0
PORT=${PORT:-20000}

need_cat() {
	[ -x "$CAT" ] || skip "build/bin/ktls-cat is not built"
	need_ktls
}

setup_pki() {
	"$KTLSKIT_REPO/selftests/lib/mkpki" "$P" >/dev/null
}

# Stop every background job of this test (peers and their feeders).
stop_jobs() {
	local j

	for j in $(jobs -p); do
		kill "$j" 2>/dev/null
	done
	wait 2>/dev/null
}

next_port() {
	PORT=$((PORT + 1))
}

# wait_listen PORT: until something listens there (never connects to it)
wait_listen() {
	local i

	for i in $(seq 1 100); do
		if ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# check DESC [CONDITION...]: count a result, CONDITION's or, without one,
# that of the command just before (a compound test, written as code)
check() {
	local rc=$? desc=$1

	shift
	CHECKS=$((CHECKS + 1))
	if [ $# -gt 0 ]; then
		"$@"
		rc=$?
	fi
	if [ $rc = 0 ]; then
		echo "ok $CHECKS $desc"
	else
		echo "not ok $CHECKS $desc"
		FAILS=$((FAILS + 1))
	fi
}

same_file() {
	if [ "$(sha256 "$1")" = "$(sha256 "$2")" ]; then
		return 0
	fi
	echo "# sha256 differs: $1 ($(stat -c %s "$1") bytes) vs $2 ($(stat -c %s "$2") bytes)"
	return 1
}

# ktls_info FILE: the --json info line must show both directions in the kernel
kernel_both() {
	grep -q '"event":"info".*"tx":"kernel-[a-z]*","rx":"kernel-[a-z]*"' "$1" ||
		{ echo "# not carried by the kernel: $(cat "$1")"; return 1; }
}

# cipher_is FILE PREFIX: the negotiated suite starts with PREFIX
cipher_is() {
	grep -q "\"cipher\":\"$2" "$1" ||
		{ echo "# expected $2: $(grep info "$1")"; return 1; }
}

finish() {
	echo "# $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}

# The matrix: version, our wolfSSL suite name, IANA name, OpenSSL name,
# GnuTLS cipher keyword.
MATRIX="
1.3 TLS13-AES128-GCM-SHA256 TLS_AES_128_GCM_SHA256 TLS_AES_128_GCM_SHA256 AES-128-GCM
1.3 TLS13-AES256-GCM-SHA384 TLS_AES_256_GCM_SHA384 TLS_AES_256_GCM_SHA384 AES-256-GCM
1.3 TLS13-CHACHA20-POLY1305-SHA256 TLS_CHACHA20_POLY1305_SHA256 TLS_CHACHA20_POLY1305_SHA256 CHACHA20-POLY1305
1.3 TLS13-AES128-CCM-SHA256 TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_SHA256 AES-128-CCM
1.2 ECDHE-ECDSA-AES128-GCM-SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 AES-128-GCM
1.2 ECDHE-ECDSA-AES256-GCM-SHA384 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 AES-256-GCM
1.2 ECDHE-ECDSA-CHACHA20-POLY1305 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 CHACHA20-POLY1305
1.2 ECDHE-ECDSA-AES128-CCM TLS_ECDHE_ECDSA_WITH_AES_128_CCM ECDHE-ECDSA-AES128-CCM AES-128-CCM
"

SIZES=${SIZES:-"0 1 16383 16384 16385 1048576"}

# payload_file NAME BYTES: $T/NAME with random content, reused by size
payload_file() {
	if [ ! -f "$T/payload.$2" ]; then
		make_payload "$T/payload.$2" "$2"
	fi
	cp "$T/payload.$2" "$T/$1"
}

# ok_transfer RC IN OUT IANA: exit 0, same bytes, kernel TX+RX, right suite
ok_transfer() {
	local rc=$1 in=$2 out=$3 iana=$4

	CONNS=$((CONNS + 1))
	if [ "$rc" -ne 0 ]; then
		echo "# ktls-cat exit $rc: $(cat "$T/cat.err")"
		echo "# peer: $(tail -3 "$T/peer.err")"
		return 1
	fi
	same_file "$in" "$out" && kernel_both "$T/cat.err" &&
		cipher_is "$T/cat.err" "$iana"
}

# Every ktls-cat connection installs TX and RX once: the counters must
# have grown by the number of transfers (peers do not use kTLS here).
stats_begin() {
	TX0=$(tls_stat TlsTxSw)
	RX0=$(tls_stat TlsRxSw)
	ERR0=$(tls_stat TlsDecryptError)
}

kstat_delta_ok() {
	local tx=$(($(tls_stat TlsTxSw) - TX0)) rx=$(($(tls_stat TlsRxSw) - RX0))
	local err=$(($(tls_stat TlsDecryptError) - ERR0))

	local n=$CONNS

	echo "# tls_stat deltas: TlsTxSw +$tx TlsRxSw +$rx TlsDecryptError +$err, transfers $n"
	[ "$tx" -ge "$n" ] && [ "$rx" -ge "$n" ] && [ "$err" -eq 0 ]
}

stats_check() {
	check "kernel carried TX and RX of every connection" kstat_delta_ok
}
