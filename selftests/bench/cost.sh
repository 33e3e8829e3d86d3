#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench's cost mode is repeatable: two quick cost runs (scripts/bench
# --cost --quick, each its own tools/vm/run --icount guest) give the same
# instruction counts within 2%, figure by figure (bench/report compare),
# and each run is whole: every server measured without an error, nginx's
# kTLS and ktls-serve's proven by tls_stat, the table and the chart made.
#
#   host: scripts/bench --cost --quick --> VM (--icount) --> a/*.json
#         scripts/bench --cost --quick --> VM (--icount) --> b/*.json
#         bench/report compare a b --tolerance 0.02
#
# It boots its own guests (the runner's are not --icount), so it runs on
# the host ("ktlskit-where: host" below) and only with make check FULL=1 or
# when named (make check TESTS=bench/cost): two quick runs take about ten
# minutes. KTLSKIT_COST_KERNEL picks the kernel (default 6.12).
#
# ktlskit-where: host
# ktlskit-timeout: 2400

REPO=$(cd "$(dirname "$0")/../.." && pwd)
export PYTHONDONTWRITEBYTECODE=1
for c in python3 qemu-system-x86_64; do
	command -v "$c" >/dev/null || { echo "SKIP: $c is not installed"; exit 4; }
done
. "$REPO/selftests/bench/tap.bash"
mkdir -p "$REPO/build/bench"
T=$(mktemp -d "$REPO/build/bench/cost-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
kernel=${KTLSKIT_COST_KERNEL:-6.12}

for run in a b; do
	start=$SECONDS
	"$REPO/scripts/bench" --cost --quick --kernel "$kernel" \
		--out "$T/$run" > "$T/$run.out" 2>&1
	check "cost run $run exits 0 ($((SECONDS - start)) s)" [ $? = 0 ]
	sed 's/^/# /' "$T/$run.out" | grep -v 'rep [0-9]*:'
done
A=$(ls "$T"/a/*-cost.json 2>/dev/null | head -n 1)
B=$(ls "$T"/b/*-cost.json 2>/dev/null | head -n 1)
check "both runs wrote their document" bash -c "[ -s '$A' ] && [ -s '$B' ]"
for f in "$A" "$B"; do
	[ -s "$f" ] || continue
	n=$(basename "$(dirname "$f")")
	check "run $n: counted instructions (--icount guest)" \
		q "$f" "d['icount'] is True and d['cost']['icount'] is True and 'AES-NI round' in d['model']"
	check "run $n: three servers, every figure there and no error" \
		q "$f" "sorted({r['server'] for r in d['cost']['results']}) == ['ktls-serve', 'nginx-ktls', 'nginx-userspace'] and all(r['error'] is None and r['reps'] >= 3 and r['instructions']['server']['median'] > 0 for r in d['cost']['results'])"
	check "run $n: nginx kTLS and ktls-serve proven by tls_stat" \
		q "$f" "all(r['path_verified'] for r in d['cost']['results'])"
	check "run $n: ktls-bench socket paths and handshakes measured" \
		q "$f" "d['cost_sockets']['results'] and d['cost_handshake']['results'] and d['cost_sockets_error'] is None"
	check "run $n: the table and the chart" \
		bash -c "[ -s '${f%.json}.png' ] && grep -q '^| per GiB' '${f%.json}.md'"
done
if [ -s "$A" ] && [ -s "$B" ]; then
	python3 "$REPO/bench/report" compare "$A" "$B" --tolerance 0.02 > "$T/cmp"
	check "the two runs agree within 2% on every figure" [ $? = 0 ]
	sed 's/^/# /' "$T/cmp"
fi
tap_finish
