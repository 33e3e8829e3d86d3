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

# Tests that cannot pass on this series (known-failures): excluded with
# -T before any include filter (the harness stops at the first match), and
# their cases counted as skips.
excl=
excluded_cases=0
while read -r series glob reason; do
	case "$series" in \#*|'') continue ;; esac
	[ "$series" = "$KTLSKIT_KERNEL" ] || continue
	while read -r test cases; do
		excl="$excl -T $test"
		excluded_cases=$((excluded_cases + cases))
		echo "# known: $test ($cases cases): $reason"
	done < <("$bin" -l 2>&1 | awk -v g="$glob" '
		function flush() { for (t in tests) if (t ~ g) print t, (nv ? nv : 1)
				   delete tests; nv = 0 }
		NR == 1 { next }
		/^---/ { flush(); next }
		{ v = substr($0, 22, 25); gsub(/ /, "", v); if (v != "") nv++
		  t = substr($0, 48); gsub(/ /, "", t); if (t != "") tests[t] = 1 }
		END { flush() }' | sort)
done < <(sed 's/\*/.*/g' "$(dirname "$0")/known-failures")

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
skip=$((skip + excluded_cases))
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
exit $status
