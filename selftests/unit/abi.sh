#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The ABI of the built libktls.so: its soname is libktls.so.MAJOR of the
# header's KTLS_VERSION_*, the file and libktls.pc carry the same version,
# and a program built against the header finds the same version at run
# time (ktls_major_version(), ktls_minor_version(), ktls_check_version(),
# KTLS_CHECK_VERSION()). Then the symbols: libktls.so exports exactly the
# functions the installed headers declare (static inline ones aside), all
# named ktls_*, and libktls.map names each of them, with no wildcard.

. "$(dirname "$0")/../lib.sh"
R=$KTLSKIT_REPO
so=$R/build/lib/libktls.so
[ -e "$so" ] || skip "libktls.so is not built"
need_cmd readelf cc nm perl
make_tmp
T=$KTLSKIT_TMP
fails=0

hdr_version()
{
	awk -v w="KTLS_VERSION_$1" '$1 == "#define" && $2 == w { print $3 }' \
		"$R/include/ktls/ktls.h"
}
major=$(hdr_version MAJOR)
minor=$(hdr_version MINOR)
patch=$(hdr_version PATCH)
count_ok "the header names a version ($major.$minor.$patch)" \
	'[ -n "$major" ] && [ -n "$minor" ] && [ -n "$patch" ]'
count_ok "the soname is libktls.so.$major" \
	"readelf -d '$so' | grep -q 'SONAME.*\\[libktls\\.so\\.$major\\]'"
count_ok "libktls.so.$major links to libktls.so.$major.$minor.$patch" \
	"[ \"\$(readlink '$so.$major')\" = libktls.so.$major.$minor.$patch ]"
count_ok "libktls.pc says Version: $major.$minor.$patch" \
	"grep -qx 'Version: $major.$minor.$patch' '$R/build/lib/pkgconfig/libktls.pc'"

cat > "$T/version.c" <<'C'
#include <stdio.h>
#include <ktls/ktls.h>

#if !KTLS_CHECK_VERSION(KTLS_VERSION_MAJOR, 0) || \
	KTLS_CHECK_VERSION(KTLS_VERSION_MAJOR, KTLS_VERSION_MINOR + 1) || \
	KTLS_CHECK_VERSION(KTLS_VERSION_MAJOR + 1, 0)
#error "KTLS_CHECK_VERSION() disagrees with KTLS_VERSION_*"
#endif

int main(void)
{
	int ma = ktls_major_version(), mi = ktls_minor_version();

	printf("header %d.%d library %d.%d\n", KTLS_VERSION_MAJOR,
	       KTLS_VERSION_MINOR, ma, mi);
	if (ma != KTLS_VERSION_MAJOR || mi != KTLS_VERSION_MINOR)
		return 1;
	/* this very version, an older minor: yes; a newer or another major: no */
	if (!ktls_check_version(ma, mi) || !ktls_check_version(ma, 0) ||
	    ktls_check_version(ma, mi + 1) || ktls_check_version(ma + 1, 0) ||
	    ktls_check_version(ma - 1, mi))
		return 2;
	return 0;
}
C
count_ok "a program built with the header compiles and links" \
	"cc -Wall -Werror -I'$R/include' -o '$T/version' '$T/version.c' \
	 -L'$R/build/lib' -lktls > '$T/cc.log' 2>&1 ||
	 { cat '$T/cc.log'; false; }"
count_ok "header, library and ktls_check_version() agree" \
	"LD_LIBRARY_PATH='$R/build/lib' '$T/version'"
# ---- symbols ----
# What a program sees: the installed headers, preprocessed, less the bodies
# of static inline functions, typedefs and function pointers.
for h in "$R"/include/ktls/*.h; do
	echo "#include <ktls/$(basename "$h")>"
done > "$T/all.c"
cc -E -P -I"$R/include" "$T/all.c" > "$T/all.i" ||
	fail "the installed headers do not preprocess"
perl -0777 -ne '
	s/\bstatic\b[^;{]*(\{(?:[^{}]++|(?1))*\})//g;
	s/\btypedef\b[^;]*;//g;
	print "$1\n" while /(?<!\w)(ktls_\w+)\s*\(/g;
' "$T/all.i" | sort -u > "$T/declared"
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$T/exported"
sed -e 's|/\*.*\*/||' "$R/userspace/lib/libktls.map" |
	awk '/global:/ { g = 1; next } /local:/ { g = 0 }
	     g { gsub(/[ \t;]/, ""); if ($0 != "") print }' | sort > "$T/mapped"
count_ok "the headers declare functions ($(wc -l < "$T/declared"))" \
	'[ -s "$T/declared" ]'
count_ok "every exported symbol is named ktls_*" \
	"! grep -v '^ktls_' '$T/exported'"
count_ok "every exported symbol is declared in the headers" \
	"! comm -23 '$T/exported' '$T/declared' | grep ."
count_ok "every declared function is exported (listed in libktls.map)" \
	"! comm -13 '$T/exported' '$T/declared' | grep ."
count_ok "libktls.map lists names only, no wildcard" \
	"! grep -F '*' '$T/mapped'"
count_ok "libktls.map lists each name once" \
	"[ -z \"\$(uniq -d '$T/mapped')\" ]"
count_ok "everything libktls.map lists is exported" \
	"! comm -23 '$T/mapped' '$T/exported' | grep ."
ok_totals
