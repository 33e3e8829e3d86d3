#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench's orchestration end to end in the guest, with the quick
# matrix (scripts/bench --here --quick): every part writes its JSON or a
# reason, the nginx comparison ran all three servers with verified paths
# and intact files, nginx with "Options KTLS" really made the kernel carry
# its records (TlsTxSw rose once per timed connection) and nginx without
# it did not, and bench/report turns the parts into one document, a
# summary with the ratios and a PNG.
#
#   curl --> nginx (OpenSSL user space)      tls_stat unchanged
#   curl --> nginx (OpenSSL + kTLS)          TlsTxSw +1 per connection
#   curl --> ktls-serve (kTLS, sendfile)     TlsTxSw, TlsRxSw +1 each
#
# ktlskit-timeout: 1200

. "$(dirname "$0")/../lib.sh"
set -u
need_ktls
need_cmd nginx curl openssl python3
make_tmp
T=$KTLSKIT_TMP
. "$(dirname "$0")/tap.bash"

# the scratch folder must be one the guest may write: the repository's
raw=$KTLSKIT_REPO/build/bench/test.$$
rm -rf "$raw"
KTLSKIT_PIDS=
trap 'rm -rf "$raw"; cleanup_tmp' EXIT
"$KTLSKIT_REPO/scripts/bench" --quick --here "$raw" 2> "$T/bench.err"
check "scripts/bench --here exits 0" [ $? = 0 ]
grep '^make bench:' "$T/bench.err" | sed 's/^/# /'
[ -f "$raw/errors" ] && sed 's/^/# part not measured: /' "$raw/errors"

H=$raw/http.json
check "the nginx comparison wrote its JSON" [ -s "$H" ]
if [ -s "$H" ]; then
	sed -n 's/^/# /p' < <(python3 "$KTLSKIT_REPO/bench/report" merge \
		"$T/one.json" --series "$KTLSKIT_KERNEL" --http "$H" &&
		python3 "$KTLSKIT_REPO/bench/report" show "$T/one.json")
	check "three servers, each with numbers and no error" \
		q "$H" "sorted(r['path'] for r in d['results']) == ['ktls-serve', 'nginx-ktls', 'nginx-userspace'] and all(r['error'] is None and r['bytes_per_sec']['median'] > 0 for r in d['results'])"
	check "every fetched file has the served file's SHA-256" \
		q "$H" "all(r['sha256_ok'] for r in d['results'])"
	check "nginx with Options KTLS: TlsTxSw rose once per connection" \
		q "$H" "[r['tls_stat_delta'].get('TlsTxSw') == r['reps'] > 0 for r in d['results'] if r['path'] == 'nginx-ktls'] == [True]"
	check "nginx without it: the kernel made no records" \
		q "$H" "[r['tls_stat_delta'].get('TlsTxSw', 0) + r['tls_stat_delta'].get('TlsRxSw', 0) for r in d['results'] if r['path'] == 'nginx-userspace'] == [0]"
	check "ktls-serve: TlsTxSw and TlsRxSw once per connection" \
		q "$H" "[(r['tls_stat_delta'].get('TlsTxSw'), r['tls_stat_delta'].get('TlsRxSw')) == (r['reps'], r['reps']) for r in d['results'] if r['path'] == 'ktls-serve'] == [True]"
	check "ratios against nginx user space, 1.0 for itself" \
		q "$H" "[r['ratio_vs_nginx_userspace']['bytes_per_sec'] for r in d['results'] if r['path'] == 'nginx-userspace'] == [1.0]"
	check "host: kernel, CPU model and the emulation verdict" \
		q "$H" "d['host']['kernel'] == '$(uname -r)' and d['host']['cpu'] and isinstance(d['host']['emulated'], bool)"
fi

if [ -x "$KTLSKIT_REPO/build/bin/ktls-bench" ]; then
	check "ktls-bench's matrix wrote its JSON, every path verified" \
		q "$raw/throughput.json" "d['results'] and all(r['path_verified'] for r in d['results'])"
else
	echo "# build/bin/ktls-bench is not built: its parts not checked"
fi

args=()
for p in throughput device handshake http; do
	[ -f "$raw/$p.json" ] && args+=("--$p" "$raw/$p.json")
done
python3 "$KTLSKIT_REPO/bench/report" merge "$T/all.json" --series "$KTLSKIT_KERNEL" \
	--quick "${args[@]}"
check "the parts merge into one document" q "$T/all.json" "d['http'] is not None"
if command -v gnuplot >/dev/null; then
	python3 "$KTLSKIT_REPO/bench/report" show "$T/all.json" --png "$T/all.png" > /dev/null
	check "report draws the PNG" [ -s "$T/all.png" ]
fi

tap_finish
