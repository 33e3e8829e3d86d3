#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every man page in the tree renders without a warning from man, groff or
# tbl, as man(1) shows it at 80 columns; a page that is only a ".so" link
# names a page that exists. Links resolve as in an installed tree, from
# the folder above man3/.

. "$(dirname "$0")/../lib.sh"
need_cmd man groff
cd "$KTLSKIT_REPO" || exit 1

# render PAGE: man's and groff's complaints about it, nothing when clean
render() {
	(cd "$(dirname "$1")/.." &&
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -l "$KTLSKIT_REPO/$1" 3>&1 1>/dev/null 2>&3)
}

# the checks, on the page $p and its complaints $out
quiet() {
	[ -z "$out" ]
}

link_ok() {
	local to

	to=$(sed -n 's/^\.so //p' "$p")
	[ -z "$to" ] || [ -f "$(dirname "$p")/../$to" ]
}

pages=$(find . \( -path ./build -o -path ./.git \) -prune -o -type f \
	-name '*.[1-8]' -print | sed 's|^\./||' | sort)
for p in $pages; do
	out=$(render "$p")
	count_ok "$p renders without warnings${out:+: $out}" quiet
	count_ok "$p: a .so link names a page that exists" link_ok
done
[ "${checks:-0}" -gt 0 ] || fail "no man page found"
ok_totals
