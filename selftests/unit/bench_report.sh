#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host unit test of make bench's results side: bench/report merges the
# parts (device rows join the throughput rows, a part that failed keeps its
# reason, a ktls-bench document of the wrong mode is refused), prints the
# emulation warning first when and only when the CPU was emulated, prints
# the nginx ratios, and draws a PNG with gnuplot; bench/benchlib.py decides
# emulation and parses sizes; bench/http-compare's verdict on tls_stat
# deltas. The JSON below is test input made up here, never results.
#
# Output is TAP; exit 0 when all checks pass, 1 otherwise, 4 (skip)
# without python3.

REPO=$(cd "$(dirname "$0")/../.." && pwd)
REPORT=$REPO/bench/report
export PYTHONDONTWRITEBYTECODE=1

command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 4; }

. "$REPO/selftests/bench/tap.bash"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

not_grep()
{
	! grep -q "$@"
}

# result PATH CIPHER TLS MBPS SRV CLI VERIFIED [EXTRA JSON]: one result
result()
{
	cat <<EOF
{"path":"$1","cipher":"$2","tls":"$3","size":1048576,"bytes":4194304,
 "flows":1,"reps":2,
 "bytes_per_sec":{"median":$4e6,"min":$4e6,"max":$4e6,"samples":[$4e6,$4e6]},
 "cpu_sec_per_gib":{"server":{"median":$5,"min":$5,"max":$5},
   "client":{"median":$6,"min":$6,"max":$6},
   "system":{"median":9,"min":9,"max":9}},
 "tls_stat_delta":{"TlsTxSw":2},"path_verified":$7,"error":null${8:+,$8}}
EOF
}

host_tcg='{"kernel":"6.1.0-test","cpu":"QEMU TCG CPU version 2.5+","cpus":2,"emulated":true,"note":"qemu TCG"}'
host_real='{"kernel":"6.1.0-test","cpu":"Real CPU","cpus":8,"emulated":false}'

cat > "$T/tp.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"throughput","host":$host_tcg,
 "results":[$(result tcp null null 100 2 3 true),
	    $(result ktls-sendfile aes128gcm 1.3 20 10 30 true)]}
EOF
cat > "$T/dev.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"throughput","host":$host_tcg,
 "results":[$(result device-tx aes128gcm 1.2 15 5 30 true)]}
EOF
cat > "$T/hs-wrong.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"throughput","host":$host_tcg,"results":[]}
EOF
cat > "$T/http.json" <<EOF
{"tool":"http-compare","mode":"http","host":$host_tcg,"baseline":"nginx-userspace",
 "results":[
  $(result nginx-userspace aes128gcm 1.3 10 40 50 true \
	'"ratio_vs_nginx_userspace":{"bytes_per_sec":1.0,"server_cpu_per_gib":1.0}'),
  $(result nginx-ktls aes128gcm 1.3 12 20 50 true \
	'"ratio_vs_nginx_userspace":{"bytes_per_sec":1.2,"server_cpu_per_gib":0.5}'),
  $(result ktls-serve aes128gcm 1.3 13 10 50 false \
	'"ratio_vs_nginx_userspace":{"bytes_per_sec":1.3,"server_cpu_per_gib":0.25}')]}
EOF

check "merge of all parts succeeds" \
	python3 "$REPORT" merge "$T/all.json" --series 6.1 --throughput "$T/tp.json" \
	--device "$T/dev.json" --handshake "$T/hs-wrong.json" --http "$T/http.json"

check "device rows join the throughput rows" \
	q "$T/all.json" "[r['path'] for r in d['throughput']['results']] == ['tcp','ktls-sendfile','device-tx']"
check "a handshake document of mode throughput is refused with a reason" \
	q "$T/all.json" "d['handshake'] is None and 'mode' in d['handshake_error']"
check "host, series and date are recorded" \
	q "$T/all.json" "d['host']['kernel'] == '6.1.0-test' and d['kernel_series'] == '6.1' and d['date'].endswith('Z')"

python3 "$REPORT" show "$T/all.json" > "$T/show.txt" 2>&1
check "emulated: the summary starts with the emulation warning" \
	bash -c "head -n 1 '$T/show.txt' | grep -q '^NOTE: this ran under CPU emulation.*do not predict native speed'"
check "the nginx ratios are printed" \
	grep -Eq 'nginx-ktls +1.3 aes128gcm +throughput x1.20 +server CPU/GiB x0.50' "$T/show.txt"
check "a path whose tls_stat did not match is flagged" \
	grep -Eq '^http +ktls-serve .*NOT verified' "$T/show.txt"
check "a part that failed is named with its reason" \
	grep -q '^handshake: not measured: ktls-bench gave mode' "$T/show.txt"

sed "s/$(echo "$host_tcg" | sed 's/[][\.*^$/]/\\&/g')/$host_real/" "$T/http.json" > "$T/http-real.json"
python3 "$REPORT" merge "$T/real.json" --series 6.12 --http "$T/http-real.json" \
	--error 'throughput=build/bin/ktls-bench is not built'
python3 "$REPORT" show "$T/real.json" > "$T/real.txt" 2>&1
check "native CPU: no emulation warning" not_grep 'emulation' "$T/real.txt"
check "a missing part keeps the reason it was given" \
	grep -q '^throughput: not measured: build/bin/ktls-bench is not built' "$T/real.txt"

# the native handshake table (ktls-bench handshake --no-kernel on the host)
hs_row()
{
	echo "{\"impl\":\"$1\",\"cert\":\"ecdsa-p256\",\"resumed\":false,\"tls\":\"$2\",
 \"group\":\"X25519\",\"kernel_tls\":false,\"count\":100,\"full_fallbacks\":0,
 \"handshakes_per_sec\":$3,\"latency_us\":{\"p50\":1,\"p90\":2,\"p99\":3,\"max\":4},
 \"cpu_us_per_handshake\":{\"server\":$4,\"client\":500},\"error\":null}"
}
cat > "$T/native.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"handshake","host":$host_real,
 "results":[$(hs_row openssl 1.3 1000 400), $(hs_row libktls 1.3 1500 300),
	    $(hs_row ktlsd 1.2 1300 350), $(hs_row openssl 1.2 1000 420)],
 "kernel_tls":false,"concurrency":1,"pin":{"server":0,"client":1}}
EOF
check "merge takes the native handshake part beside the VM's" \
	python3 "$REPORT" merge "$T/nat.json" --series 6.1 --throughput "$T/tp.json" \
	--handshake-native "$T/native.json"
check "the native part keeps its own host; the document's host is the VM's" \
	q "$T/nat.json" "d['handshake_native']['host']['cpu'] == 'Real CPU' and d['host']['kernel'] == '6.1.0-test' and d['handshake_native_error'] is None"
python3 "$REPORT" show "$T/nat.json" > "$T/nat.txt" 2>&1
check "the native table: pinning, and each rate against OpenSSL's" \
	bash -c "grep -q 'server on CPU 0, client on CPU 1' '$T/nat.txt' &&
		grep -Eq '^\| libktls \| 1.3 \| ecdsa-p256 \| X25519 \| no \| 1500 \| 1.50 \| 300 \| 3333 \| 1.33 \| 500 \|$' '$T/nat.txt' &&
		grep -Eq '^\| ktlsd \| 1.2 .* \| 1300 \| 1.30 \| 350 ' '$T/nat.txt'"
check "native-md prints the table alone" \
	bash -c "python3 '$REPORT' native-md '$T/nat.json' | head -n 5 | grep -q '^| impl | TLS'"
check "native-md without a native part: status 1" \
	bash -c "! python3 '$REPORT' native-md '$T/all.json' >/dev/null"

if command -v gnuplot >/dev/null; then
	check "the chart is a PNG" bash -c "python3 '$REPORT' show '$T/all.json' --png '$T/c.png' >/dev/null &&
		head -c 8 '$T/c.png' | od -An -c | grep -q 'P   N   G'"
	echo '{"tool":"ktlskit-bench","host":null,"throughput":null,"http":null}' > "$T/empty.json"
	check "no numbers: no chart, and a non-zero exit" \
		bash -c "! python3 '$REPORT' show '$T/empty.json' --png '$T/e.png' >/dev/null 2>&1 && [ ! -e '$T/e.png' ]"
else
	echo "# gnuplot is not installed: chart checks not run"
fi

# benchlib and http-compare's verdicts
check "emulation and size rules" python3 - "$REPO/bench" <<'EOF'
import importlib.machinery, sys
sys.path.insert(0, sys.argv[1])
import benchlib as b
assert b.emulation('Intel Xeon', {'fpu'}, '') == (False, None)
e, note = b.emulation('QEMU TCG CPU version 2.5+', {'hypervisor'}, '')
assert e and 'TCG' in note
e, note = b.emulation('AMD EPYC', {'hypervisor'}, 'Hypervisor detected: KVM')
assert not e and 'KVM' in note
assert b.emulation('AMD EPYC', {'hypervisor'}, '')[0]
assert b.parse_size('64M') == 64 << 20 and b.parse_size('512k') == 512 << 10
assert b.delta({'TlsTxSw': 1, 'TlsCurrTxSw': 1},
	       {'TlsTxSw': 4, 'TlsCurrTxSw': 3}) == {'TlsTxSw': 3}
hc = importlib.machinery.SourceFileLoader(
	'hc', sys.argv[1] + '/http-compare').load_module()
assert hc.verify('nginx-ktls', {'TlsTxSw': 5, 'TlsRxSw': 0}, 5)
assert not hc.verify('nginx-ktls', {'TlsTxSw': 0}, 5)
assert hc.verify('nginx-userspace', {'TlsTxSw': 0, 'TlsRxSw': 0}, 5)
assert not hc.verify('nginx-userspace', {'TlsTxSw': 1}, 5)
assert hc.verify('ktls-serve', {'TlsTxSw': 2, 'TlsRxSw': 2}, 2)
assert not hc.verify('ktls-serve', {'TlsTxSw': 2, 'TlsRxSw': 0}, 2)
EOF

# the cost mode (make bench COST=1)
# cres SERVER CASE LABEL SRV CLI [SRV_MIN SRV_MAX [EXTRA]]: one http-cost
# result
cres()
{
	local lo=${6:-$4} hi=${7:-$4}
	cat <<EOF
{"server":"$1","case":"$2","label":"$3","kind":"x","unit":"instructions",
 "reps":3,"error":null,"finding":null,"path_verified":true,
 "instructions":{"server":{"median":$4,"min":$lo,"max":$hi,
   "spread":$(python3 -c "print(($hi - $lo) / $4)"),"samples":[$lo,$4,$hi]},
  "client":{"median":$5,"min":$5,"max":$5,"spread":0,"samples":[$5,$5,$5]}},
 "user_share":{"server":0.25,"client":null,"server_ticks":[100,300],"client_ticks":[1,2]}${8:+,$8}}
EOF
}

# cost_doc N: an http-cost document, ktls-serve at N per 4 KiB request
cost_doc()
{
	cat <<EOF
{"tool":"http-cost","mode":"cost","icount":true,"reps":3,"host":$host_tcg,
 "wrk":{"negotiated":{"nginx-userspace":"TLSv1.3 TLS_AES_128_GCM_SHA256"}},
 "results":[
  $(cres nginx-userspace gib 'per GiB' 8e9 9e9 7.9e9 8.1e9),
  $(cres nginx-ktls gib 'per GiB' 4e9 9e9 4e9 4e9 \
	'"retries":["curl: (35) Send failure: Broken pipe"]'),
  $(cres ktls-serve gib 'per GiB' 2e9 9e9),
  $(cres nginx-userspace req-4k 'per request, 4 KiB' 80000 50000),
  $(cres nginx-ktls req-4k 'per request, 4 KiB' 100000 50000),
  $(cres ktls-serve req-4k 'per request, 4 KiB' "$1" 50000 "$1" "$1" \
	'"finding":"the server resumed 0 of 30 sessions offered"')]}
EOF
}
cost_doc 60000 > "$T/cost-a.json"
cost_doc 60600 > "$T/cost-b.json"
cost_doc 62000 > "$T/cost-c.json"
cat > "$T/csock.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"throughput","host":$host_tcg,
 "results":[$(result ktls-sendfile aes128gcm 1.3 20 4.5 9 true)]}
EOF
cat > "$T/chs.json" <<EOF
{"tool":"ktls-bench","version":"0.1","mode":"handshake","host":$host_tcg,
 "results":[$(hs_row libktls 1.3 10 2500)]}
EOF
# the ratios are http-cost's to compute: done here as it does them
python3 - "$REPO/bench" "$T"/cost-[abc].json <<'EOF'
import importlib.machinery, json, sys
hc = importlib.machinery.SourceFileLoader(
	'hcost', sys.argv[1] + '/http-cost').load_module()
for p in sys.argv[2:]:
	d = json.load(open(p))
	hc.ratios(d['results'])
	json.dump(d, open(p, 'w'))
EOF
for x in a b c; do
	python3 "$REPORT" merge "$T/cm-$x.json" --kind cost --series 6.12 \
		--cost "$T/cost-$x.json" --cost-sockets "$T/csock.json" \
		--cost-handshake "$T/chs.json"
done
check "cost merge: kind, model, icount and the three parts" \
	q "$T/cm-a.json" "d['kind'] == 'cost' and 'AES-NI round' in d['model'] and d['icount'] is True and d['cost_sockets']['results'] and d['cost_handshake']['results'] and d['cost_error'] is None"
python3 "$REPORT" merge "$T/cm-bad.json" --kind cost --series 6.12 \
	--cost "$T/csock.json" --error 'cost_handshake=no ktls-bench'
check "cost merge: a part of the wrong mode or a failed one keeps its reason" \
	q "$T/cm-bad.json" "d['cost'] is None and 'mode' in d['cost_error'] and d['cost_handshake_error'] == 'no ktls-bench'"
python3 "$REPORT" cost-md "$T/cm-a.json" > "$T/cost.md"
check "cost table: the model's caveat is stated" \
	grep -q "^All figures: instruction counts under emulation (qemu TCG -icount): every instruction costs the same; an AES-NI round or a cache miss counts one.$" "$T/cost.md"
# has FILE LINE...: every LINE is a whole line of FILE
has()
{
	local f=$1 l

	shift
	for l in "$@"; do
		grep -qxF -- "$l" "$f" || { echo "missing: $l"; return 1; }
	done
}
check "cost table: servers as columns, median and spread per cell" \
	has "$T/cost.md" '| | nginx-userspace | nginx-ktls | ktls-serve |' \
	'| per GiB | 8 G (2.5%) | 4 G (0.0%) | 2 G (0.0%) |' \
	'| per request, 4 KiB | 80 k (0.0%) | 100 k (0.0%) | 60 k (0.0%) |'
check "cost table: ratios against both nginx of the same run" \
	has "$T/cost.md" '| per GiB | 1.00 / 2.00 | 0.50 / 1.00 | 0.25 / 0.50 |' \
	'| per request, 4 KiB | 1.00 / 0.80 | 1.25 / 1.00 | 0.75 / 0.60 |'
check "cost table: user share, findings, retries, the negotiated cipher" \
	has "$T/cost.md" '| per GiB | 25.0% | 25.0% | 25.0% |' \
	'- ktls-serve, req-4k: the server resumed 0 of 30 sessions offered' \
	'- nginx-ktls, gib: 1 client run(s) failed and were run again; the first: curl: (35) Send failure: Broken pipe' \
	'- wrk negotiated (OPENSSL_CONF forcing TLS 1.3 AES-128-GCM, probed with s_client): nginx-userspace TLSv1.3 TLS_AES_128_GCM_SHA256'
check "cost table: ktls-bench rows as instructions" \
	has "$T/cost.md" '| ktls-sendfile | 4.5 G | 9 G | verified |' \
	'| libktls | 1.3 | no | 2.5 M | 500 k |'
check "cost-md on a wall-clock document: status 1" \
	bash -c "! python3 '$REPORT' cost-md '$T/all.json' >/dev/null"
check "compare: runs within 2% agree" \
	python3 "$REPORT" compare "$T/cm-a.json" "$T/cm-b.json"
python3 "$REPORT" compare "$T/cm-a.json" "$T/cm-c.json" > "$T/cmp.txt"
check "compare: a figure 3.3% off fails, and is named" \
	bash -c "! python3 '$REPORT' compare '$T/cm-a.json' '$T/cm-c.json' >/dev/null &&
		grep -q '^ktls-serve req-4k server .*TOO FAR' '$T/cmp.txt'"
check "compare: different sets of figures fail" \
	bash -c "! python3 '$REPORT' compare '$T/cm-a.json' '$T/cm-bad.json' >/dev/null"
if command -v gnuplot >/dev/null; then
	check "cost chart is a PNG" bash -c "python3 '$REPORT' show '$T/cm-a.json' --png '$T/cost.png' >/dev/null &&
		head -c 8 '$T/cost.png' | od -An -c | grep -q 'P   N   G'"
fi
check "http-cost reads wrk and curl, and makes spreads and shares" python3 - "$REPO/bench" <<'EOF'
import importlib.machinery, sys
hc = importlib.machinery.SourceFileLoader(
	'hcost', sys.argv[1] + '/http-cost').load_module()
ok = """Running 2s test @ https://localhost:21000/f4k
  1 threads and 16 connections
  1234 requests in 2.00s, 5.1MB read
Requests/sec:    617.00
"""
assert hc.parse_wrk(0, ok, '') == (1234,)
for bad in (ok + 'Non-2xx or 3xx responses: 3\n',
	    ok + '  Socket errors: connect 0, read 1, write 0, timeout 0\n'):
	try:
		hc.parse_wrk(0, bad, '')
		assert False, bad
	except RuntimeError:
		pass
assert hc.parse_wrk(0, ok + '  Socket errors: connect 0, read 0, write 0, '
		    'timeout 0\n', '') == (1234,)
out = '1 200 4096\n' * 3
trace = """* TLSv1.3 (IN), TLS handshake, Server hello (2):
* TLSv1.3 (IN), TLS handshake, Certificate (11):
* TLSv1.3 (IN), TLS handshake, Server hello (2):
* TLSv1.3 (IN), TLS handshake, Finished (20):
"""
assert hc.parse_conns(0, out, trace, 3, 4096) == (3, 1)
for o in ('1 200 4096\n' * 2, out.replace('4096', '40', 1),
	  out.replace('1 200', '0 200', 1), out.replace('200', '404', 1)):
	try:
		hc.parse_conns(0, o, trace, 3, 4096)
		assert False, o
	except RuntimeError:
		pass
f = hc.figure([100.0, 98.0, 103.0])
assert f['median'] == 100 and abs(f['spread'] - 0.05) < 1e-9
assert hc.share([300, 100]) == 0.75 and hc.share([30, 10]) is None
EOF

tap_finish
