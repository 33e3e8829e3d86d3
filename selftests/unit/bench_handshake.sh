#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench handshake --no-kernel on the host (no kTLS needed): libktls,
# ktlsd and OpenSSL side by side, TLS 1.2 and 1.3, one group on both
# sides, each side pinned to a CPU. Every row must have its count, no
# error, the CPU each side spent, and say that no keys went to the kernel;
# ktlsd must have answered every handshake with its failure ("no kernel
# TLS", never a success for a socket the kernel does not carry), and
# without --no-kernel the same run must fail here, where the kernel has no
# kTLS, rather than count handshakes whose keys went nowhere.
#
#   ktls-bench: client threads (CPU 1) --lo--> server threads (CPU 0):
#               libktls | ktlsd (seccomp: no TCP_ULP) | OpenSSL

. "$(dirname "$0")/../lib.sh"
BENCH=$KTLSKIT_REPO/build/bin/ktls-bench
[ -x "$BENCH" ] || skip "build/bin/ktls-bench is not built"
[ -x "$KTLSKIT_REPO/build/bin/ktlsd" ] || skip "build/bin/ktlsd is not built"
need_cmd python3
make_tmp
T=$KTLSKIT_TMP

pin=0,1
[ "$(nproc)" -ge 2 ] || pin=0,0
mkdir "$T/tmp"
TMPDIR=$T/tmp "$BENCH" handshake --no-kernel --impl libktls,ktlsd,openssl \
	--tls 1.2,1.3 --cert ecdsa-p256 --group X25519 --count 8 \
	--concurrency 2 --pin "$pin" --json > "$T/nk.json" 2> "$T/nk.err"
rc=$?
[ "$rc" = 0 ]
count_ok "--no-kernel: exit 0 (got $rc: $(tail -2 "$T/nk.err"))"
left=$(ls -A "$T/tmp")
[ -z "$left" ]
count_ok "ktls-bench removed its temporary folder (left: ${left:-nothing})"
python3 - "$T/nk.json" "$pin" > "$T/py.out" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["mode"] == "handshake" and doc["kernel_tls"] is False, doc
s, c = (int(x) for x in sys.argv[2].split(","))
assert doc["pin"] == {"server": s, "client": c}, doc["pin"]
rows = doc["results"]
seen = sorted((r["impl"], r["tls"]) for r in rows)
assert seen == sorted((i, t) for i in ("libktls", "ktlsd", "openssl")
                      for t in ("1.2", "1.3")), seen
for r in rows:
    assert r["error"] is None, r
    assert r["kernel_tls"] is False and r["group"] == "X25519", r
    assert r["count"] == 8 and r["handshakes_per_sec"] > 0, r
    l = r["latency_us"]
    assert 0 < l["p50"] <= l["p90"] <= l["p99"] <= l["max"], r
    cpu = r["cpu_us_per_handshake"]
    assert cpu["server"] > 0 and cpu["client"] > 0, r
print("rows ok")
PY
grep -q "^rows ok" "$T/py.out"
count_ok "--no-kernel JSON: six rows, counts, latencies, CPU ($(tail -1 "$T/py.out"))"

# the table names the mode and the new columns
"$BENCH" handshake --no-kernel --impl libktls --tls 1.2 --cert ecdsa-p256 \
	--group P-256 --count 3 > "$T/table.txt" 2>&1
grep -q "handshakes only (--no-kernel)" "$T/table.txt" &&
	 grep -q "srv us" "$T/table.txt" &&
	 grep -Eq "^libktls +1\.2 +ecdsa-p256 +P-256 +no +3 " "$T/table.txt"
count_ok "table: handshakes only, a 1.2 P-256 row with CPU columns"

# without --no-kernel on a kernel that has no kTLS, no row may pass
if grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp 2>/dev/null; then
	echo "ok - without --no-kernel # SKIP this kernel has kTLS"
else
	for impl in libktls ktlsd; do
		"$BENCH" handshake --impl $impl --cert ecdsa-p256 --count 2 \
			--json > "$T/k-$impl.json" 2>/dev/null
		rc=$?
		[ "$rc" = 1 ] && python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))[\"results\"][0]
assert r[\"error\"] and r[\"count\"] == 0, r" "$T/k-$impl.json"
		count_ok "$impl without --no-kernel and without kTLS: exit 1, an error, no count"
	done
fi

# bad input is refused with what was wrong
"$BENCH" handshake --pin 0 > /dev/null 2> "$T/pin.err"
rc=$?
[ "$rc" = 2 ] && grep -q "pin takes SERVER_CPU,CLIENT_CPU" "$T/pin.err"
count_ok "--pin 0: usage error"
"$BENCH" handshake --no-kernel --impl libktls --cert ecdsa-p256 \
	--group nope --count 1 > /dev/null 2>&1
rc=$?
[ "$rc" = 1 ]
count_ok "--group nope: the row fails (exit $rc)"

ok_totals
