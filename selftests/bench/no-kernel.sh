#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench handshake --no-kernel on a kernel that has kTLS: no key may
# reach the kernel (TlsTxSw and TlsRxSw stay where they were) although
# libktls and ktlsd could install them, and ktlsd, kept from the tls ULP
# by ktls-bench's seccomp filter, must answer every handshake "no kernel
# TLS" (a success would fail its row). The host test unit/bench_handshake
# covers the same mode on a kernel without kTLS.
#
#   ktls-bench: client threads --lo--> server threads
#               (libktls | ktlsd under seccomp), no kTLS
#
# ktlskit-timeout: 300

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-bench ktlsd python3
make_tmp
T=$KTLSKIT_TMP

tx0=$(tls_stat TlsTxSw)
rx0=$(tls_stat TlsRxSw)
ktls-bench handshake --no-kernel --impl libktls,ktlsd --tls 1.2,1.3 \
	--cert ecdsa-p256 --count 3 --json > "$T/nk.json" 2> "$T/nk.err" ||
	{ cat "$T/nk.json" "$T/nk.err"; fail "--no-kernel failed"; }
tx=$(($(tls_stat TlsTxSw) - tx0))
rx=$(($(tls_stat TlsRxSw) - rx0))
[ "$tx" = 0 ] && [ "$rx" = 0 ] ||
	fail "--no-kernel moved keys to the kernel: TlsTxSw +$tx, TlsRxSw +$rx"
echo "ok no key reached the kernel (TlsTxSw +0, TlsRxSw +0)"
python3 - "$T/nk.json" <<'PY' || { cat "$T/nk.json"; fail "JSON"; }
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["results"]
assert doc["kernel_tls"] is False, doc
assert sorted((r["impl"], r["tls"]) for r in rows) == sorted(
    (i, t) for i in ("libktls", "ktlsd") for t in ("1.2", "1.3"))
for r in rows:
    assert r["error"] is None and r["count"] == 3, r
    assert r["cpu_us_per_handshake"]["server"] > 0, r
print("ok four rows of three handshakes each, ktlsd's included")
PY

# the same ktlsd rows without --no-kernel do reach the kernel here
tx0=$(tls_stat TlsTxSw)
ktls-bench handshake --impl ktlsd --cert ecdsa-p256 --count 2 --json \
	> "$T/k.json" 2> "$T/k.err" ||
	{ cat "$T/k.json" "$T/k.err"; fail "ktlsd with kTLS failed"; }
tx=$(($(tls_stat TlsTxSw) - tx0))
[ "$tx" -ge 2 ] || fail "without --no-kernel ktlsd did not install keys (TlsTxSw +$tx)"
echo "ok without --no-kernel the keys go to the kernel (TlsTxSw +$tx)"
echo "# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0"
