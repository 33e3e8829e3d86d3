# SPDX-License-Identifier: GPL-2.0-or-later
#
# TAP helpers of the bench tests (sourced, not a test itself): numbered
# checks, questions to a JSON document, and the totals line the runner
# counts.

TAP_N=0
TAP_FAILED=0

# check DESC COMMAND...: one numbered result; a failure shows the
# command's output as comments
check()
{
	local desc=$1 out

	shift
	TAP_N=$((TAP_N + 1))
	if out=$("$@" 2>&1); then
		echo "ok $TAP_N $desc"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		echo "not ok $TAP_N $desc"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

# q FILE EXPR: a Python expression over the JSON document d holds
q()
{
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}

tap_finish()
{
	echo "1..$TAP_N"
	echo "# Totals: pass:$((TAP_N - TAP_FAILED)) fail:$TAP_FAILED xfail:0 xpass:0 skip:0 error:0"
	[ "$TAP_FAILED" = 0 ]
	exit $?
}
