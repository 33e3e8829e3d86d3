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

tap_finish
