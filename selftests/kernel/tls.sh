#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The kernel's own kTLS selftest (net/tls.c from Debian's linux-source of
# the booted series), run in parallel shards, one per CPU, split by
# fixture variant: under emulation the suite is mostly waiting, and one
# pass of its ~700 cases takes a quarter of an hour.
# ktlskit-timeout: 1500

. "$(dirname "$0")/../lib.sh"
need_ktls

case "$KTLSKIT_KERNEL" in
6.1) bin=tls-6.1 ;;
*) bin=tls-6.12 ;;
esac
bin=$KTLSKIT_REPO/build/kernel-selftests/$bin
[ -x "$bin" ] || fail "$bin is not built (make tests)"

make_tmp
shards=$(nproc)
# Variant names from the harness's list: its second column, printed as
# "%-20s %-25s %s".
mapfile -t variants < <("$bin" -l 2>&1 | awk 'NR > 1 && !/^---/ {
	v = substr($0, 22, 25); gsub(/ /, "", v); if (v != "") print v }' |
	sort -u)

# Cases that cannot pass here are not run (the harness's -T/-V filters,
# given before any include filter since it stops at the first match); their
# cases count as skips and are named with the reason.
test_re='^$'
variant_re='^$'
reasons=()

while read -r series glob reason; do
	case "$series" in \#*|'') continue ;; esac
	[ "$series" = "$KTLSKIT_KERNEL" ] || continue
	test_re="$test_re|^$(echo "$glob" | sed 's/\*/.*/g')\$"
	reasons+=("tests $glob: $reason")
done < "$(dirname "$0")/known-failures"

# Ciphers this kernel does not have at all (Debian builds neither SM4 nor
# ARIA): setting them up fails, so their variants are skipped, as newer
# versions of the suite do themselves.
for alg in sm4 aria; do
	modprobe -q "$alg" 2>/dev/null
	grep -q "^name *: $alg\$" /proc/crypto && continue
	variant_re="$variant_re|_${alg}_"
	reasons+=("variants *_${alg}_*: the kernel has no $alg cipher (Debian does not build it)")
done

# From the harness's list ("%-20s %-25s %s" per line, "---" between
# fixtures): the filter arguments, then the number of cases they remove.
mapfile -t listing < <("$bin" -l 2>&1 | awk -v tre="$test_re" -v vre="$variant_re" '
	function flush(  t, v) {
		if (!nv) vars[""] = 1
		for (t in tests) for (v in vars)
			if (t ~ tre || (v != "" && v ~ vre)) cases++
		split("", tests); split("", vars); nv = 0
	}
	NR == 1 { next }
	/^---/ { flush(); next }
	{ v = substr($0, 22, 25); gsub(/ /, "", v); if (v != "") { vars[v] = 1; nv++ }
	  t = substr($0, 48); gsub(/ /, "", t); if (t != "") tests[t] = 1
	  if (t != "" && t ~ tre) args["-T " t] = 1
	  if (v != "" && v ~ vre) args["-V " v] = 1 }
	END { flush(); for (a in args) printf "%s ", a; print ""; print cases + 0 }')
excl=${listing[0]}
excluded_cases=${listing[1]}
for r in "${reasons[@]}"; do
	echo "# known: $r"
done
[ "$excluded_cases" -gt 0 ] && echo "# not run here: $excluded_cases cases"

args=()
for ((s = 0; s < shards; s++)); do
	args[s]=$excl
done
# Shard 0 runs everything but the variants given to the other shards
# (that includes the fixtures without variants).
for i in "${!variants[@]}"; do
	s=$((i % shards))
	[ "$s" = 0 ] && continue
	args[0]="${args[0]} -V ${variants[i]}"
	args[s]="${args[s]} -v ${variants[i]}"
done

pids=
for ((s = 0; s < shards; s++)); do
	# shellcheck disable=SC2086
	"$bin" ${args[s]} > "$KTLSKIT_TMP/shard$s" 2>&1 &
	pids="$pids $!"
done
status=0
for p in $pids; do
	wait "$p" || status=1
done

pass=0 fail=0 skip=0
for ((s = 0; s < shards; s++)); do
	f=$KTLSKIT_TMP/shard$s
	echo "# shard $s:${args[s]:- (all)}"
	cat "$f"
	read -r p fl sk < <(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\) .*skip:\([0-9]*\).*/\1 \2 \3/p' "$f")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${fl:-1}))
	skip=$((skip + ${sk:-0}))
done
# Under emulation on a busy machine a few heavy cases (mutliproc_*) can
# exceed the harness's fixed 30 s limit. Each case that failed by timeout,
# and only those, runs once more on its own; a pass then counts, and the
# retry is reported.
while read -r case; do
	[ -n "$case" ] || continue
	if "$bin" -r "$case" > "$KTLSKIT_TMP/retry" 2>&1; then
		echo "# retried alone after a timeout under emulation: $case passed"
		fail=$((fail - 1))
		pass=$((pass + 1))
	else
		echo "# retried alone after a timeout: $case failed again"
		cat "$KTLSKIT_TMP/retry"
	fi
done < <(cat "$KTLSKIT_TMP"/shard* | awk '
	/^#  RUN/ { timed_out = 0 }
	/Test terminated by timeout/ { timed_out = 1 }
	/^not ok / && timed_out { print $4; timed_out = 0 }')
[ "$fail" = 0 ] && status=0

skip=$((skip + excluded_cases))
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
exit $status
