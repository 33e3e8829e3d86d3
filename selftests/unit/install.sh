#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install / make uninstall into a DESTDIR, as Debian lays files out
# (PREFIX=/usr, multiarch LIBDIR), from the build already made: the file
# list; libktls.pc giving flags with which a small program using
# ktls_ctx_new() compiles, links and runs against the installed library;
# the unit starting the installed ktlsd; an existing config kept by a
# second install; and uninstall leaving only the config the test changed.

. "$(dirname "$0")/../lib.sh"
R=$KTLSKIT_REPO
[ -e "$R/build/lib/libktls.so.1" ] || skip "libktls is not built"
need_cmd pkg-config
need_cmd cc
make_tmp
T=$KTLSKIT_TMP
D=$T/root
fails=0
unset MAKEFLAGS MAKELEVEL MFLAGS
MA=/usr/lib/x86_64-linux-gnu
vars=(DESTDIR="$D" PREFIX=/usr LIBDIR="$MA")

is() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		fails=$((fails + 1))
	fi
}

make -s -C "$R" install "${vars[@]}" > "$T/install.log" 2>&1
is "make install exits 0" [ $? -eq 0 ]
grep -q -e '  CC ' -e '  LD ' "$T/install.log" &&
	is "make install rebuilds nothing" false
(cd "$D" && find . ! -type d | sort) > "$T/files"
cat > "$T/want" <<LIST
./etc/ktlsd/ktlsd.conf
./usr/bin/ktls-bench
./usr/bin/ktls-cat
./usr/bin/ktls-serve
./usr/bin/ktls-stat
./usr/include/ktls/ktls.h
./usr/include/ktls/ktlsd.h
.$MA/libktls.a
.$MA/libktls.so
.$MA/libktls.so.1
.$MA/libktls.so.1.0.0
.$MA/pkgconfig/libktls.pc
./usr/lib/systemd/system/ktlsd.service
./usr/share/man/man1/ktls-bench.1
./usr/share/man/man1/ktls-cat.1
./usr/share/man/man1/ktls-serve.1
./usr/share/man/man5/ktlsd.conf.5
./usr/share/man/man7/ktls-policy.7
./usr/share/man/man8/ktls-stat.8
./usr/sbin/ktlsd
./usr/share/man/man8/ktlsd.8
LIST
# libktls(3) and every other page of section 3 (links to a page included)
for m in "$R"/userspace/lib/man3/*.3; do
	echo "./usr/share/man/man3/${m##*/}"
done >> "$T/want"
sort -u "$T/want" -o "$T/want"
is "installed files are the expected ones" diff -u "$T/want" "$T/files"
is "libktls.so.1 is the soname link" \
	[ "$(readlink "$D$MA/libktls.so.1")" = libktls.so.1.0.0 ]
is "the installed library's soname is libktls.so.1" \
	sh -c "objdump -p '$D$MA/libktls.so.1.0.0' | grep -q 'SONAME *libktls.so.1$'"
is "ktlsd is executable" [ -x "$D/usr/sbin/ktlsd" ]

# pkg-config as a cross build sees it: only the DESTDIR's .pc files (plus
# the system's for Requires.private), paths under the sysroot
export PKG_CONFIG_SYSROOT_DIR=$D
export PKG_CONFIG_LIBDIR=$D$MA/pkgconfig:$MA/pkgconfig:/usr/share/pkgconfig
is "libktls.pc names the multiarch libdir" \
	grep -qx "libdir=$MA" "$D$MA/pkgconfig/libktls.pc"
flags=$(pkg-config --cflags --libs libktls)
is "pkg-config --cflags --libs libktls" [ $? -eq 0 ]
flags=${flags% }
is "pkg-config gives the DESTDIR's paths" \
	[ "$flags" = "-I$D/usr/include -L$D$MA -lktls" ]

cat > "$T/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <ktls/ktls.h>

int main(void)
{
	struct ktls_config cfg;
	struct ktls_ctx *ctx;
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	cfg.role = KTLS_SERVER;
	cfg.cert_file = "/nonexistent/cert.pem";
	cfg.key_file = "/nonexistent/key.pem";
	ret = ktls_ctx_new(&cfg, &ctx);
	printf("ktls_ctx_new: %d: %s\n", ret, ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
	return ret < 0 ? 0 : 1;
}
C
# shellcheck disable=SC2086 # flags are words
cc -Wall -Werror -o "$T/use" "$T/use.c" $flags > "$T/cc.log" 2>&1
is "a program using ktls_ctx_new() builds with those flags" [ $? -eq 0 ] ||
	cat "$T/cc.log"
LD_LIBRARY_PATH=$D$MA "$T/use" > "$T/use.out" 2>&1
is "it runs against the installed library and rejects the bad config" \
	[ $? -eq 0 ]
is "its error names the missing file" grep -q nonexistent "$T/use.out"
is "it loaded the installed libktls" sh -c \
	"LD_LIBRARY_PATH='$D$MA' ldd '$T/use' | grep -q '=> $D$MA/libktls.so.1 '"

unit=$D/usr/lib/systemd/system/ktlsd.service
is "the unit starts the installed ktlsd" \
	grep -qx 'ExecStart=/usr/sbin/ktlsd -f -c /etc/ktlsd/ktlsd.conf' "$unit"
is "the unit checks the config first" \
	grep -qx 'ExecStartPre=/usr/sbin/ktlsd --check-config -c /etc/ktlsd/ktlsd.conf' "$unit"
is "no /usr/local path left in the unit" sh -c "! grep -q /usr/local '$unit'"
# the administrator's config survives a second install and the uninstall
echo '# changed by the test' >> "$D/etc/ktlsd/ktlsd.conf"
cp "$D/etc/ktlsd/ktlsd.conf" "$T/conf"
make -s -C "$R" install "${vars[@]}" > "$T/install2.log" 2>&1
is "a second install keeps a changed config" cmp -s "$T/conf" "$D/etc/ktlsd/ktlsd.conf"
make -s -C "$R" uninstall "${vars[@]}" > "$T/uninstall.log" 2>&1
is "make uninstall exits 0" [ $? -eq 0 ]
(cd "$D" && find . ! -type d) > "$T/left"
is "uninstall leaves only the changed config" \
	[ "$(cat "$T/left")" = ./etc/ktlsd/ktlsd.conf ]
is "the changed config is intact" cmp -s "$T/conf" "$D/etc/ktlsd/ktlsd.conf"

# an unchanged config is removed with the rest
rm -rf "$D"
make -s -C "$R" install "${vars[@]}" > /dev/null 2>&1 &&
	make -s -C "$R" uninstall "${vars[@]}" > /dev/null 2>&1
is "install then uninstall leaves no file" \
	[ -z "$(find "$D" ! -type d)" ]
[ $fails -eq 0 ]
