#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench handshake mode: libktls in-process, ktlsd (its own daemon,
# started by ktls-bench) and OpenSSL, with ECDSA P-256 and RSA-2048
# certificates made at run time, full and resumed handshakes, two at a
# time. Every measurement must have its count, ordered percentiles and no
# error (a resumed row counts only handshakes the server really resumed),
# and the
# libktls and ktlsd rows must have switched sockets to kTLS (TlsTxSw and
# TlsRxSw rise by at least one per handshake).
#
#   ktls-bench: client threads --lo--> server threads (libktls | ktlsd | OpenSSL)
#
# ktlskit-timeout: 900

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-bench ktlsd python3
make_tmp
T=$KTLSKIT_TMP

for impl in libktls ktlsd openssl; do
	tx0=$(tls_stat TlsTxSw)
	rx0=$(tls_stat TlsRxSw)
	ktls-bench handshake --impl $impl --cert ecdsa-p256,rsa2048 --resume \
		--count 6 --concurrency 2 --json > "$T/$impl.json" \
		2> "$T/$impl.err" ||
		{ cat "$T/$impl.json" "$T/$impl.err"; fail "$impl: handshake mode failed"; }
	tx=$(($(tls_stat TlsTxSw) - tx0))
	rx=$(($(tls_stat TlsRxSw) - rx0))
	python3 - "$T/$impl.json" "$impl" "$tx" "$rx" <<'PY' || { cat "$T/$impl.json"; fail "$impl: JSON"; }
import json, sys
doc = json.load(open(sys.argv[1]))
impl, tx, rx = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
assert doc["tool"] == "ktls-bench" and doc["mode"] == "handshake", doc
for k in ("kernel", "cpu", "cpus", "emulated"):
    assert k in doc["host"], k
rows = doc["results"]
seen = {(r["cert"], r["resumed"]) for r in rows}
assert seen == {(c, m) for c in ("ecdsa-p256", "rsa2048") for m in (False, True)}, seen
total = 0
for r in rows:
    assert r["impl"] == impl and r["tls"] == "1.3", r
    assert r["error"] is None, r
    # a resumed row may hold a few full handshakes (server refused the
    # ticket), counted apart; most must have resumed
    assert r["count"] + r["full_fallbacks"] == 6, r
    assert r["count"] >= 3 and (r["resumed"] or not r["full_fallbacks"]), r
    assert r["handshakes_per_sec"] > 0, r
    l = r["latency_us"]
    assert 0 < l["p50"] <= l["p90"] <= l["p99"] <= l["max"], r
    total += r["count"] + r["full_fallbacks"]
# both ends of every libktls handshake switch to kTLS; with ktlsd the
# client is libktls and the daemon the server; priming connections add more
if impl != "openssl":
    assert tx >= 2 * total and rx >= 2 * total, (tx, rx, total)
else:
    assert tx == 0 and rx == 0, (tx, rx)
print(f"ok {impl}: {len(rows)} rows, tls_stat TlsTxSw +{tx} TlsRxSw +{rx}")
PY
done
ktls-bench handshake --impl openssl,libktls --cert ecdsa-p256 --count 4 |
	tee "$T/table.txt"
grep -q '^libktls  *1.3  *ecdsa-p256  *default  *no  *4 ' "$T/table.txt" ||
	fail "the table lacks the libktls row"
