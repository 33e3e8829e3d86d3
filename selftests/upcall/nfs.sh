#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# NFSv4.2 over TLS on loopback with ktlsd as the kernel's handshake
# agent: nfsd and the client in one guest, ktlsd doing both sides.
# xprtsec=tls and xprtsec=mtls each carry a few MiB written and read back
# with equal SHA-256, kernel TLS carries both directions (tls_stat), and
# ktlsd logs both handshakes; a server certificate from a CA the client
# does not trust fails the mount with ktlsd's reason.
#
# ktlskit-timeout: 240

. "$(dirname "$0")/lib.bash"
upcall_setup
need_nfs

SIZE=$((4 * 1048576))
mkdir -p "$T/export" "$T/mnt"
kernel_ktlsd_conf
start_kernel_ktlsd
nfs_server_start "$T/export"

for sec in tls mtls; do
	lines=$(wc -l < "$T/ktlsd.log")
	tls_snap
	nfs_mount "xprtsec=$sec" "$T/mnt" ||
		fail "xprtsec=$sec: $(cat "$T/mount.err"); ktlsd: $(tail -5 "$T/ktlsd.log")"
	file_roundtrip "$T/mnt" $SIZE "$T/export"
	tx=$(tls_delta TlsTxSw) rx=$(tls_delta TlsRxSw)
	cur=$(($(tls_stat TlsCurrTxSw) + 0))
	nfs_umount "$T/mnt"
	# both ends of the connection are kTLS sockets: two of each
	[ "$tx" -ge 2 ] && [ "$rx" -ge 2 ] ||
		fail "xprtsec=$sec: kTLS counters: $(tls_deltas)"
	[ "$cur" -ge 2 ] || fail "xprtsec=$sec: no kTLS socket open during I/O"
	tail -n +$((lines + 1)) "$T/ktlsd.log" > "$T/new.log"
	grep -q 'kernel-handshake .*role=client .*result=ok .*tx=kernel-sw rx=kernel-sw' "$T/new.log" ||
		fail "xprtsec=$sec: no client handshake in ktlsd's log: $(cat "$T/new.log")"
	grep -q 'kernel-handshake .*role=server .*result=ok .*tx=kernel-sw rx=kernel-sw' "$T/new.log" ||
		fail "xprtsec=$sec: no server handshake in ktlsd's log: $(cat "$T/new.log")"
	grep -q 'kernel-handshake .*role=client .*peername=127.0.0.1 ' "$T/new.log" ||
		fail "xprtsec=$sec: the client's handshake has no peername 127.0.0.1"
	if [ $sec = mtls ]; then
		grep -q 'kernel-handshake .*role=server .*result=ok .*subject=[^-]' "$T/new.log" ||
			fail "xprtsec=mtls: nfsd's side saw no client certificate"
	else
		grep -q 'kernel-handshake .*role=server .*result=ok .*subject=- ' "$T/new.log" ||
			fail "xprtsec=tls: nfsd's side saw a client certificate"
	fi
	pass "xprtsec=$sec: mount $(secs $MOUNT_SECS) s, 4 MiB written in $(secs $WRITE_SECS) s and read back in $(secs $READ_SECS) s with equal SHA-256; kTLS both ways ($(tls_deltas)); ktlsd did both ends"
	grep 'kernel-handshake' "$T/new.log" | sed 's/^/# /'
done

# the server now shows a certificate from a root the client does not trust
nfs_server_stop
restart_ktlsd_untrusted()
{
	kernel_ktlsd_conf "server_cert = $P/untrusted.crt" "server_key = $P/untrusted.key"
	kill $KTLSD_PID
	wait $KTLSD_PID 2>/dev/null
	start_kernel_ktlsd
}
restart_ktlsd_untrusted
nfs_server_start "$T/export"
lines=$(wc -l < "$T/ktlsd.log")
nfs_mount "xprtsec=tls,soft,timeo=30,retrans=1,retry=0" "$T/mnt" &&
	fail "mounted a server with an untrusted certificate"
tail -n +$((lines + 1)) "$T/ktlsd.log" > "$T/new.log"
grep -Eq 'kernel-handshake .*role=client .*result=[a-z-]+ ' "$T/new.log" ||
	fail "no failed client handshake in ktlsd's log: $(cat "$T/new.log")"
reason=$(grep -m1 -o 'kernel-handshake .*role=client .*result=[a-z-]* .*' "$T/new.log")
echo "$reason" | grep -q 'result=ok' && fail "the client accepted the untrusted server: $reason"
pass "untrusted server certificate: '$(head -n 1 "$T/mount.err")' after $(secs $MOUNT_SECS) s; ktlsd: ${reason#*result=}"
