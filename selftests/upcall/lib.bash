# SPDX-License-Identifier: GPL-2.0-or-later
#
# Guest helpers of the kernel-consumer tests: an NFSv4.2 server
# and client on loopback, an NVMe/TCP target (nvmet over configfs) and host
# on loopback, NVMe PSKs in the kernel's .nvme keyring, and tls_stat deltas.
# Source it after nothing else: it sources selftests/ktlsd/lib.bash (and so
# selftests/lib.sh) for starting ktlsd and checking its log.
#
# The guest has no systemd and no udev: the NFS daemons run in the
# foreground under the test (tracked, stopped at exit), and device nodes
# come from devtmpfs. Tests run one after another in one guest, so
# upcall_cleanup undoes everything: mounts, nfsd, nvmet, controllers, keys.

. "$(dirname "${BASH_SOURCE[0]}")/../ktlsd/lib.bash"

NVMET=/sys/kernel/config/nvmet
UPCALL_SUB=nqn.2014-08.org.ktlskit:upcall-sub
UPCALL_HOST=nqn.2014-08.org.ktlskit:upcall-host

# need_handshake: skip on kernels without the handshake upcall (Debian 6.1
# has no CONFIG_NET_HANDSHAKE; it came with 6.4)
need_handshake()
{
	genl ctrl get name handshake > /dev/null 2>&1 ||
		skip "this kernel ($(uname -r)) has no generic netlink family handshake (CONFIG_NET_HANDSHAKE, 6.4+)"
}

# upcall_setup: root, kTLS and the handshake family, the tools, a scratch
# folder $T whose contents and side effects go at exit
upcall_setup()
{
	[ "$(id -u)" = 0 ] || skip "needs root (run it through tools/vm/run)"
	need_ktls
	need_cmd genl keyctl
	need_handshake
	make_tmp
	T=$KTLSKIT_TMP
	chmod 755 "$T"
	trap upcall_cleanup EXIT
	# so that a timeout's SIGTERM still runs the cleanup
	trap 'exit 1' TERM INT
}

upcall_cleanup()
{
	local m

	for m in $UPCALL_MOUNTS; do
		umount -f "$m" 2>/dev/null
	done
	[ -n "$NFSD_UP" ] && nfs_server_stop
	[ -n "$NVMET_UP" ] && nvmet_teardown
	for m in $UPCALL_KEYS; do
		keyctl unlink "$m" "$(nvme_keyring)" > /dev/null 2>&1
	done
	cleanup_tmp
}

# ---------------------------------------------------------------------------
# NFS

# need_nfs: the NFS server and client tools and modules
need_nfs()
{
	need_cmd rpcbind rpc.nfsd rpc.mountd exportfs nfsdcld mount.nfs
	modprobe -q nfsd && modprobe -q nfsv4 ||
		skip "no nfsd or nfsv4 module for $(uname -r)"
}

# nfs_server_start DIR: nfsd exporting DIR as the NFSv4 root (fsid=0: the
# guest's / is an overlay nfsd cannot export, so no pseudo root above DIR)
# to 127.0.0.1 and ::1, v4.x only, TCP only. nfsdcld tracks clients: with
# an empty database nfsd skips its 90 s grace period (7.x has no other
# tracker built in and waits for nfsdcld; 6.12 would run nfsdcltrack).
nfs_server_start()
{
	local dir=$1 i

	NFSD_UP=1
	mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd ||
		fail "cannot mount the nfsd file system"
	mkdir -p /run/rpc_pipefs /var/lib/nfs/nfsdcld
	mountpoint -q /run/rpc_pipefs ||
		mount -t rpc_pipefs sunrpc /run/rpc_pipefs ||
		fail "cannot mount rpc_pipefs"
	rpcbind -f -w 2> "$T/rpcbind.log" &
	NFS_RPCBIND=$!
	for ((i = 0; i < 100; i++)); do
		[ -S /run/rpcbind.sock ] && break
		sleep 0.1
	done
	nfsdcld -F > "$T/nfsdcld.log" 2>&1 &
	NFS_CLD=$!
	for ((i = 0; i < 100; i++)); do
		[ -e /run/rpc_pipefs/nfsd/cld ] && break
		sleep 0.1
	done
	exportfs -o rw,sync,no_root_squash,insecure,no_subtree_check,fsid=0 \
		"127.0.0.1:$dir" "[::1]:$dir" 2> "$T/exportfs.log" ||
		fail "exportfs: $(cat "$T/exportfs.log")"
	rpc.mountd -F -N 2 -N 3 > "$T/mountd.log" 2>&1 &
	NFS_MOUNTD=$!
	rpc.nfsd -N 3 -V 4.2 --no-udp 4 > "$T/nfsd.log" 2>&1 ||
		fail "rpc.nfsd: $(cat "$T/nfsd.log")"
	wait_port 2049 30
	# nothing to reclaim: without this an OPEN could wait out the grace
	# period if the tracker was not ready in time
	echo Y > /proc/fs/nfsd/v4_end_grace 2>/dev/null
}

nfs_server_stop()
{
	rpc.nfsd 0 2>/dev/null
	exportfs -ua 2>/dev/null
	kill $NFS_MOUNTD $NFS_CLD $NFS_RPCBIND 2>/dev/null
	wait $NFS_MOUNTD $NFS_CLD $NFS_RPCBIND 2>/dev/null
	NFSD_UP=
}

# nfs_mount OPTIONS MNT [SERVER]: mount the export (NFSv4.2, OPTIONS added)
# from SERVER (127.0.0.1) on MNT; mount.nfs's complaint in $T/mount.err,
# its time in $MOUNT_SECS; status of mount
nfs_mount()
{
	local opts=$1 mnt=$2 server=${3:-127.0.0.1} t0 rc

	mkdir -p "$mnt"
	t0=$(date +%s.%N)
	mount -t nfs -o "vers=4.2${opts:+,$opts}" "$server:/" "$mnt" \
		> "$T/mount.err" 2>&1
	rc=$?
	MOUNT_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	[ $rc = 0 ] && UPCALL_MOUNTS="$mnt $UPCALL_MOUNTS"
	return $rc
}

nfs_umount()
{
	umount "$1" || fail "umount $1"
	UPCALL_MOUNTS=${UPCALL_MOUNTS/"$1 "/}
}

# file_roundtrip DIR BYTES SERVER_DIR: a file of BYTES random bytes written
# to DIR (a mount), its pages dropped, read back; both copies and the one
# the server keeps in SERVER_DIR must have the payload's SHA-256. Times in
# $WRITE_SECS, $READ_SECS.
file_roundtrip()
{
	local dir=$1 bytes=$2 sdir=$3 want t0

	make_payload "$T/payload" "$bytes"
	want=$(sha256 "$T/payload")
	t0=$(date +%s.%N)
	cp "$T/payload" "$dir/payload" && sync "$dir/payload" ||
		fail "writing $bytes bytes to $dir"
	WRITE_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	echo 3 > /proc/sys/vm/drop_caches
	t0=$(date +%s.%N)
	cp "$dir/payload" "$T/back" || fail "reading back from $dir"
	READ_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	[ "$(sha256 "$T/back")" = "$want" ] ||
		fail "read back from $dir differs from what was written"
	[ "$(sha256 "$sdir/payload")" = "$want" ] ||
		fail "the server's copy differs from what was written"
	rm -f "$dir/payload" "$T/back"
}

# ---------------------------------------------------------------------------
# NVMe/TCP

# need_nvmet: the target and host modules, configfs
need_nvmet()
{
	local m
	for m in nvmet nvmet-tcp nvme-tcp nvme-fabrics; do
		modprobe -q "$m" || skip "no $m module for $(uname -r)"
	done
	mountpoint -q /sys/kernel/config ||
		mount -t configfs configfs /sys/kernel/config ||
		fail "cannot mount configfs"
	[ -d $NVMET ] || skip "no nvmet in configfs"
}

# nvmet_subsystem BYTES: subsystem $UPCALL_SUB with namespace 1 on a
# file of BYTES zeros ($NVME_IMG), open to host $UPCALL_HOST only
nvmet_subsystem()
{
	local s=$NVMET/subsystems/$UPCALL_SUB

	NVMET_UP=1
	NVME_IMG=$T/ns.img
	truncate -s "$1" "$NVME_IMG"
	mkdir $NVMET/hosts/$UPCALL_HOST $s || fail "nvmet: cannot make $s"
	echo 0 > $s/attr_allow_any_host
	ln -s $NVMET/hosts/$UPCALL_HOST $s/allowed_hosts/
	mkdir $s/namespaces/1
	echo "$NVME_IMG" > $s/namespaces/1/device_path
	echo 1 > $s/namespaces/1/enable || fail "nvmet: namespace not enabled"
}

# nvmet_port ID TCPPORT [tls]: port ID on 127.0.0.1:TCPPORT serving the
# subsystem; with "tls", addr_tsas tls1.3 (which makes addr_treq
# "required": nvmet then starts a TLS handshake on every connection)
nvmet_port()
{
	local p=$NVMET/ports/$1

	mkdir $p || fail "nvmet: cannot make port $1"
	echo tcp > $p/addr_trtype
	echo ipv4 > $p/addr_adrfam
	echo 127.0.0.1 > $p/addr_traddr
	echo "$2" > $p/addr_trsvcid
	if [ "$3" = tls ]; then
		echo tls1.3 > $p/addr_tsas || fail "nvmet: addr_tsas tls1.3 refused"
		[ "$(cat $p/addr_treq)" = required ] ||
			fail "nvmet: TLS port has addr_treq '$(cat $p/addr_treq)'"
	fi
	ln -s $NVMET/subsystems/$UPCALL_SUB $p/subsystems/ ||
		fail "nvmet: cannot enable port $1"
	wait_port "$2" 30
}

nvmet_teardown()
{
	local c p s=$NVMET/subsystems/$UPCALL_SUB

	for c in $NVME_CTRLS; do
		echo 1 > /sys/class/nvme/$c/delete_controller 2>/dev/null
	done
	NVME_CTRLS=
	for p in $NVMET/ports/*/; do
		rm -f "$p/subsystems/$UPCALL_SUB"
		rmdir "$p" 2>/dev/null
	done
	echo 0 > $s/namespaces/1/enable 2>/dev/null
	rmdir $s/namespaces/1 2>/dev/null
	rm -f $s/allowed_hosts/$UPCALL_HOST
	rmdir $s $NVMET/hosts/$UPCALL_HOST 2>/dev/null
	NVMET_UP=
}

# nvme_keyring: the serial of the kernel's .nvme keyring (made by the
# nvme-keyring module), in hex as keyctl takes it
nvme_keyring()
{
	awk '$8 == "keyring" && $9 ~ /^\.nvme:?$/ { print "0x" $1 }' /proc/keys
}

# nvme_psk_add HEX [HOST [SUB]]: a retained SHA-256 PSK (32 bytes given in
# hex) for HOST and SUB in .nvme, its identity the description the host and
# target look for; prints the key's serial
nvme_psk_add()
{
	local kr id
	kr=$(nvme_keyring)
	[ -n "$kr" ] || fail "no .nvme keyring in /proc/keys"
	# shellcheck disable=SC2059 # the format is the bytes, \xHH each
	id=$(printf "$(echo -n "$1" | sed 's/../\\x&/g')" |
		keyctl padd psk "NVMe0R01 ${2:-$UPCALL_HOST} ${3:-$UPCALL_SUB}" "$kr") ||
		fail "keyctl padd psk failed"
	UPCALL_KEYS="$UPCALL_KEYS $id"
	echo "$id"
}

# nvme_connect TCPPORT [OPTIONS]: connect the host to the subsystem at
# 127.0.0.1:TCPPORT by writing the option string to /dev/nvme-fabrics
# (with OPTIONS appended, e.g. "tls" or "tls,tls_key=SERIAL"); the new
# controller's name (nvme0) in $NVME_CTRL; the kernel's error (the write's
# errno as text) in $T/connect.err, the time taken in $CONNECT_SECS
nvme_connect()
{
	local opts t0 rc line fd

	NVME_HOSTID=${NVME_HOSTID:-$(cat /proc/sys/kernel/random/uuid)}
	opts="transport=tcp,traddr=127.0.0.1,trsvcid=$1,nqn=$UPCALL_SUB"
	opts="$opts,hostnqn=$UPCALL_HOST,hostid=$NVME_HOSTID${2:+,$2}"
	NVME_CTRL=
	t0=$(date +%s.%N)
	exec {fd}<>/dev/nvme-fabrics
	# the reply, "instance=N,cntlid=M", is read on the same descriptor
	{ printf '%s' "$opts" >&$fd; } 2> "$T/connect.err"
	rc=$?
	[ $rc = 0 ] && read -r -u $fd line
	exec {fd}>&-
	CONNECT_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	[ $rc = 0 ] || return 1
	line=${line#instance=}
	NVME_CTRL=nvme${line%%,*}
	NVME_CTRLS="$NVME_CTRLS $NVME_CTRL"
}

# connect_errno: the error text of the last failed nvme_connect
connect_errno()
{
	sed -n 's/.*write error: //p' "$T/connect.err" | head -n 1
}

nvme_ns_ready()
{
	[ -b "/dev/${NVME_CTRL}n1" ]
}

# nvme_roundtrip BYTES: BYTES random bytes written to namespace 1 of
# $NVME_CTRL with O_DIRECT and read back; the read and the target's file
# must have the payload's SHA-256. Times in $WRITE_SECS, $READ_SECS.
nvme_roundtrip()
{
	local dev=/dev/${NVME_CTRL}n1 want t0 mib=$(($1 / 1048576))

	wait_until 30 nvme_ns_ready || fail "no $dev after connecting"
	make_payload "$T/payload" "$1"
	want=$(sha256 "$T/payload")
	t0=$(date +%s.%N)
	dd if="$T/payload" of="$dev" bs=1M oflag=direct status=none ||
		fail "writing to $dev"
	WRITE_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	t0=$(date +%s.%N)
	dd if="$dev" of="$T/back" bs=1M count=$mib iflag=direct status=none ||
		fail "reading $dev"
	READ_SECS=$(echo "$(date +%s.%N) - $t0" | bc)
	[ "$(sha256 "$T/back")" = "$want" ] ||
		fail "read back from $dev differs from what was written"
	[ "$(head -c "$1" "$NVME_IMG" | sha256sum | cut -d' ' -f1)" = "$want" ] ||
		fail "the target's file differs from what was written"
}

# nvme_disconnect: delete $NVME_CTRL
nvme_disconnect()
{
	echo 1 > "/sys/class/nvme/$NVME_CTRL/delete_controller" ||
		fail "cannot delete $NVME_CTRL"
	NVME_CTRLS=${NVME_CTRLS/" $NVME_CTRL"/}
}

# ---------------------------------------------------------------------------
# /proc/net/tls_stat

TLS_COUNTERS="TlsCurrTxSw TlsCurrRxSw TlsTxSw TlsRxSw TlsDecryptError"

# tls_snap: remember the software kTLS counters
tls_snap()
{
	local c
	for c in $TLS_COUNTERS; do
		printf -v "TLS0_$c" '%s' "$(tls_stat $c)"
	done
}

# tls_delta COUNTER: how much COUNTER grew since tls_snap
tls_delta()
{
	local v=TLS0_$1
	echo $(($(tls_stat "$1") - ${!v:-0}))
}

# tls_deltas: one line of every counter's change since tls_snap
tls_deltas()
{
	local c out=
	for c in $TLS_COUNTERS; do
		out="$out $c+$(tls_delta $c)"
	done
	echo "${out# }"
}

# secs EXPR: a duration (bc's EXPR: seconds) as 0.00
secs()
{
	LC_ALL=C printf '%.2f' "$(echo "$1" | bc)"
}

# ---------------------------------------------------------------------------
# ktlsd as the kernel's handshake agent

# kernel_ktlsd_conf [KERNEL LINES...]: $CONF with the test PKI's [kernel]
# section (root as trust anchor, server-ec for nfsd, client-ec for mtls,
# .nvme for PSKs), lines given replacing or adding settings
kernel_ktlsd_conf()
{
	local l

	P=$KTLSKIT_REPO/build/ktlsd-test/pki
	"$KTLSKIT_REPO/tools/pki/mkpki" --test "$P" > /dev/null ||
		fail "mkpki failed"
	SOCK=$T/ktlsd.sock
	CONF=$T/ktlsd.conf
	{
		echo "[global]"
		echo "socket = $SOCK"
		echo "lock_memory = no"
		echo
		echo "[kernel]"
		for l in "ca = $P/root.crt" \
			 "server_cert = $P/server-ec.chain.pem" \
			 "server_key = $P/server-ec.key" \
			 "client_cert = $P/client-ec.chain.pem" \
			 "client_key = $P/client-ec.key" \
			 "keyrings = .nvme" "$@"; do
			echo "$l"
		done
	} > "$CONF"
}

# start_kernel_ktlsd: ktlsd on $CONF, once it answers the kernel
start_kernel_ktlsd()
{
	command -v ktlsd > /dev/null || skip "ktlsd is not built (make)"
	start_ktlsd
	expect_line "$T/ktlsd.log" "answering the kernel's TLS handshake requests" \
		"ktlsd's netlink front door"
}
