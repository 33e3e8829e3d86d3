#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian packages, built and installed: scripts/debs makes libktls1,
# libktls-dev, ktlsd, ktlskit-tools and tlsdevsim-dkms with
# dpkg-buildpackage (cached under build/debs/ while the packaged files do
# not change); lintian reports no error; DKMS builds tlsdevsim from the
# package's source against Debian's 6.12 headers (and refuses a kernel
# without CONFIG_TLS_DEVICE). Then a 6.12 guest, whose root is an overlay,
# installs the packages with dpkg -i and uses only what they installed:
#
#   curl --TLS--> /usr/bin/ktls-serve --fd--> /usr/sbin/ktlsd
#                   sendfile on kTLS       /etc/ktlsd/ktlsd.conf + a profile
#
# the shipped config refused until a profile is added, the file's SHA-256
# and TlsTxSw, a program built against libktls-dev running on the
# installed libktls.so.1, DKMS knowing the module and the DKMS-built module
# loading. systemd-analyze verify checks the packaged unit on the host (the
# guest runs no systemd, and the check costs half a minute there).
#
# It builds on the host and boots its own guest ("ktlskit-where: host"),
# since the runner's guests cannot build packages in useful time.
# Measured with three VMs beside it (load 11-14): the package build (only
# when the packaged files changed) 263-453 s, 106 s on a quiet machine;
# DKMS 43-87 s; the guest 226 s, of which dpkg -i 142 s (most of it
# dpkg reading its file lists over 9p under emulation).
#
# ktlskit-where: host
# ktlskit-timeout: 1500

. "$(dirname "$0")/../serve/serve.bash"
KERNEL=6.12
# the packages the guest installs (not the dbgsym ones)
PKGS="libktls1 libktls-dev ktlsd ktlskit-tools tlsdevsim-dkms"
MA=/usr/lib/x86_64-linux-gnu

deb_of()
{
	ls "$D/$1"_*.deb 2>/dev/null | head -n 1
}

# ---------------------------------------------------------------- guest
# debs.sh guest DEBS_DIR WORK_DIR: in the 6.12 guest
guest()
{
	local p f rc tx0 tx1

	D=$1
	W=$2
	need_ktls
	CA=$W/pki/dev-ca.crt
	P=$W/pki
	# man-db's trigger rebuilds its index: minutes under emulation
	rm -f /var/lib/man-db/auto-update
	echo "# guest: dpkg -i at ${SECONDS} s"
	# shellcheck disable=SC2046 # one word per package
	dpkg -i $(for p in $PKGS; do deb_of "$p"; done) > "$T/dpkg" 2>&1
	rc=$?
	check "dpkg -i of the five packages exits 0" [ $rc = 0 ]
	[ $rc = 0 ] || tail -n 20 "$T/dpkg" | sed 's/^/# /'
	for p in $PKGS; do
		check "$p is installed" [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p")" = "ii " ]
	done
	echo "# guest: dpkg -i done at ${SECONDS} s"
	check "/usr/sbin/ktlsd belongs to ktlsd" \
		[ "$(dpkg -S /usr/sbin/ktlsd | cut -d: -f1)" = ktlsd ]
	check "/usr/bin/ktls-serve belongs to ktlskit-tools" \
		[ "$(dpkg -S /usr/bin/ktls-serve | cut -d: -f1)" = ktlskit-tools ]

	# the shipped configuration serves nothing, so nothing starts it
	check "dpkg -i did not enable ktlsd.service" \
		not test -e /etc/systemd/system/multi-user.target.wants/ktlsd.service
	/usr/sbin/ktlsd --check-config -c /etc/ktlsd/ktlsd.conf > "$T/cc" 2>&1
	rc=$?
	check "the shipped ktlsd.conf is refused (status $rc): no profile" \
		grep -q 'nothing to serve' "$T/cc"
	check "so ktlsd.service's ExecStartPre would stop it" [ $rc != 0 ]
	cat >> /etc/ktlsd/ktlsd.conf <<EOF

[profile web]
role = server
cert = $P/localhost.crt
key = $P/localhost.key
alpn = http/1.1
allow_uid = root
EOF
	/usr/sbin/ktlsd --check-config -c /etc/ktlsd/ktlsd.conf > "$T/cc" 2>&1
	rc=$?
	check "with a profile added it is accepted" [ $rc = 0 ]
	[ $rc = 0 ] || sed 's/^/# /' "$T/cc"

	# the unit's RuntimeDirectory, made by hand without systemd
	mkdir -p /run/ktlsd
	SOCK=/run/ktlsd/ktlsd.sock
	/usr/sbin/ktlsd -f -c /etc/ktlsd/ktlsd.conf 2> "$T/ktlsd.log" &
	KPID=$!
	track $KPID
	wait_until 30 test -S "$SOCK"
	check "/usr/sbin/ktlsd listens on the shipped socket path" [ -S "$SOCK" ]
	[ -S "$SOCK" ] || { sed 's/^/# /' "$T/ktlsd.log"; finish; }

	mkdir -p "$R"
	make_payload "$R/payload.bin" 300000
	SERVE=/usr/bin/ktls-serve
	start_daemon_serve
	tx0=$(tls_stat TlsTxSw)
	curl_c --tlsv1.3 -o "$T/got" "$U/payload.bin"
	check "curl through ktlsd and ktls-serve: SHA-256 matches" \
		same_hash "$R/payload.bin" "$T/got"
	curl_c --tlsv1.2 --tls-max 1.2 -o "$T/got12" "$U/payload.bin"
	check "the same over TLS 1.2" same_hash "$R/payload.bin" "$T/got12"
	tx1=$(tls_stat TlsTxSw)
	check "the kernel made the records: TlsTxSw +$((tx1 - tx0))" \
		[ $((tx1 - tx0)) -ge 2 ]
	check "access log: kTLS/sendfile on both requests" \
		[ "$(grep -c ' kTLS/sendfile' "$T/access.log")" = 2 ]
	check "ktlsd logged two handshakes" \
		[ "$(grep -c 'handshake .*result=ok' "$T/ktlsd.log")" = 2 ]
	stop_serve
	echo "# guest: HTTPS done at ${SECONDS} s"

	# libktls-dev's program on libktls1's library
	f=$(LD_LIBRARY_PATH= ldd "$W/use" | awk '/libktls/ { print $3 }')
	check "the program loads libktls1's library ($f)" \
		[ "$(readlink -f "$f")" = "$MA/libktls.so.1.0.0" ]
	"$W/use" "$P/localhost.crt" "$P/localhost.key" > "$T/use" 2>&1
	rc=$?
	check "ktls_ctx_new() with the key works there" [ $rc = 0 ]
	[ $rc = 0 ] || sed 's/^/# /' "$T/use"
	"$W/use" /nonexistent.crt /nonexistent.key > "$T/use" 2>&1
	check "and refuses a missing key" [ $? = 1 ]

	# DKMS registered the source (this guest has no headers, so the
	# build for it was left to the host); the module built there loads
	check "dkms status: tlsdevsim/0.1 added" \
		sh -c "dkms status tlsdevsim/0.1 | grep -q 'tlsdevsim/0.1: added'"
	modprobe tls
	insmod "$W/tlsdevsim.ko" > "$T/insmod" 2>&1
	rc=$?
	check "the DKMS-built tlsdevsim.ko loads in $(uname -r)" [ $rc = 0 ]
	[ $rc = 0 ] || sed 's/^/# /' "$T/insmod"
	check "it made the tds0a/tds0b pair" test -e /sys/class/net/tds0b
	rmmod tlsdevsim
	finish
}

if [ "${1:-}" = guest ]; then
	guest "$2" "$3"
fi

# ---------------------------------------------------------------- host
need_cmd dpkg-buildpackage lintian dkms qemu-system-x86_64 objdump
REPO=$KTLSKIT_REPO
W=$(mktemp -d "$REPO/build/pkg-debs.XXXXXX")
trap 'cleanup_tmp; rm -rf "$W"' EXIT

start=$SECONDS
D=$("$REPO/scripts/debs" 2> "$T/debs.err")
check "scripts/debs builds the packages ($((SECONDS - start)) s; dpkg-buildpackage $(cat "$D/build.seconds" 2>/dev/null) s)" \
	[ -f "$D/.done" ]
[ -f "$D/.done" ] || { sed 's/^/# /' "$T/debs.err"; finish; }
for p in $PKGS; do
	check "$p was built" [ -n "$(deb_of "$p")" ]
done
check "lintian: no error" not grep -q '^E:' "$D/lintian.txt"
grep -E '^[EW]:' "$D/lintian.txt" | sed 's/^/# lintian: /'

dpkg-deb -x "$(deb_of libktls1)" "$W/root"
dpkg-deb -x "$(deb_of libktls-dev)" "$W/root"
dpkg-deb -x "$(deb_of tlsdevsim-dkms)" "$W/root"
check "libktls1 holds libktls.so.1, whose soname is libktls.so.1" \
	sh -c "objdump -p '$W/root$MA/libktls.so.1' | grep -q 'SONAME *libktls.so.1$'"
check "libktls1 needs no shared libwolfssl (ours is linked in)" \
	not sh -c "objdump -p '$W/root$MA/libktls.so.1' | grep -q 'NEEDED.*wolfssl'"
check "/etc/ktlsd/ktlsd.conf is a conffile of ktlsd" \
	sh -c "dpkg-deb -I '$(deb_of ktlsd)' conffiles | grep -qx /etc/ktlsd/ktlsd.conf"
dpkg-deb -I "$(deb_of ktlsd)" postinst > "$W/postinst" 2>/dev/null
check "ktlsd's postinst knows the unit (debhelper found it)" \
	grep -q "deb-systemd-helper update-state 'ktlsd.service'" "$W/postinst"
check "ktlsd's postinst starts nothing" not grep -q 'deb-systemd-invoke' "$W/postinst"
check "tlsdevsim-dkms's dkms.conf: BUILD_EXCLUSIVE_CONFIG=CONFIG_TLS_DEVICE" \
	grep -qx 'BUILD_EXCLUSIVE_CONFIG="CONFIG_TLS_DEVICE"' \
	"$W/root/usr/src/tlsdevsim-0.1/dkms.conf"

# systemd-analyze verify on the unit as packaged (the guest runs no
# systemd), its programs and manual pages taken from the unpacked ktlsd;
# a unit whose program is missing must fail the same check
dpkg-deb -x "$(deb_of ktlsd)" "$W/root"
sed "s|/usr/sbin/ktlsd|$W/root/usr/sbin/ktlsd|g" \
	"$W/root/lib/systemd/system/ktlsd.service" > "$W/ktlsd.service"
MANPATH=$W/root/usr/share/man systemd-analyze verify "$W/ktlsd.service" \
	> "$W/sa" 2>&1
rc=$?
check "systemd-analyze verify ktlsd.service" [ $rc = 0 ]
sed 's/^/# /' "$W/sa"
sed 's|/sbin/ktlsd -f|/sbin/ktlsd-none -f|' "$W/ktlsd.service" > "$W/bad.service"
check "systemd-analyze verify fails on a unit without its program" \
	not env MANPATH="$W/root/usr/share/man" systemd-analyze verify \
	"$W/bad.service" 2> /dev/null

# a program built with pkg-config against the unpacked libktls-dev
cat > "$W/use.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <ktls/ktls.h>

int main(int argc, char **argv)
{
	struct ktls_config cfg;
	struct ktls_ctx *ctx;
	int ret;

	if (argc != 3)
		return 2;
	memset(&cfg, 0, sizeof(cfg));
	cfg.role = KTLS_SERVER;
	cfg.cert_file = argv[1];
	cfg.key_file = argv[2];
	ret = ktls_ctx_new(&cfg, &ctx);
	printf("ktls_ctx_new: %d: %s\n", ret, ret ? ktls_ctx_error(ctx) : "");
	ktls_ctx_free(ctx);
	return ret ? 1 : 0;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR=$W/root \
	PKG_CONFIG_LIBDIR=$W/root$MA/pkgconfig:$MA/pkgconfig:/usr/share/pkgconfig \
	pkg-config --cflags --libs libktls)
# shellcheck disable=SC2086 # flags are words
cc -Wall -Werror -o "$W/use" "$W/use.c" $flags > "$W/cc.log" 2>&1
rc=$?
check "a program builds with libktls-dev's pkg-config flags" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/# /' "$W/cc.log"

# DKMS from the package's source, in a private tree, against the headers
# the project already uses for 6.12
kdir=$("$REPO/tools/vm/fetch-kernel" "$KERNEL")
rel=$(cat "$kdir/release")
mkdir -p "$W/dkms" "$W/nodev"
dk=(--sourcetree "$W/root/usr/src" --dkmstree "$W/dkms" -m tlsdevsim -v 0.1
    -k "$rel")
dkms add "${dk[@]}" > "$W/dkms.log" 2>&1
rc=$?
check "dkms add tlsdevsim/0.1" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/# /' "$W/dkms.log"
grep -v '^CONFIG_TLS_DEVICE=' "$kdir/headers/.config" > "$W/nodev/.config"
dkms build "${dk[@]}" --kernelsourcedir "$W/nodev" > "$W/dkms.log" 2>&1
rc=$?
check "dkms refuses a kernel without CONFIG_TLS_DEVICE (status $rc)" \
	[ $rc = 77 ]
check "and says it is BUILD_EXCLUSIVE" grep -q 'BUILD_EXCLUSIVE' "$W/dkms.log"
start=$SECONDS
dkms build "${dk[@]}" --kernelsourcedir "$kdir/headers" > "$W/dkms.log" 2>&1
rc=$?
check "dkms build against the $rel headers ($((SECONDS - start)) s)" [ $rc = 0 ]
[ $rc = 0 ] || tail -n 20 "$W/dkms.log" | sed 's/^/# /'
cp "$W/dkms/tlsdevsim/0.1/$rel/x86_64/module/tlsdevsim.ko" "$W/" 2>/dev/null
check "the module is for $rel" sh -c \
	"modinfo -F vermagic '$W/tlsdevsim.ko' | grep -q '^$rel '"

# the guest's certificate, made here where it is quick
"$REPO/tools/pki/mkpki" --dev "$W/pki" > /dev/null || fail "mkpki --dev failed"
start=$SECONDS
"$REPO/tools/vm/run" -q --kernel "$KERNEL" --timeout 700 -- \
	"$REPO/selftests/pkg/debs.sh" guest "$D" "$W" > "$W/guest.out" 2>&1
rc=$?
grep -v '^# Totals' "$W/guest.out"
read -r gp gf < <(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\1 \2/p' \
	"$W/guest.out" | tail -n 1)
check "the $KERNEL guest ran its checks ($((SECONDS - start)) s, status $rc)" \
	[ -n "${gp:-}" ] && [ "$rc" = 0 ]
PASSES=$((PASSES + ${gp:-0}))
FAILS=$((FAILS + ${gf:-0}))
finish
