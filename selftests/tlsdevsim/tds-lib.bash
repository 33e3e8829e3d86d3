# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared setup of the tlsdevsim tests; source it after ../lib.sh.
#
# Topology (pair 0 of tlsdevsim.ko, one end in each namespace):
#
#   netns $NSA                              netns $NSB
#   tds0a 10.77.0.1/24  <== tlsdevsim ==>   tds0b 10.77.0.2/24
#
# Everything is undone by tds_cleanup (installed as the EXIT trap).

# The runner builds modules per kernel release and says where in
# KTLSKIT_KMOD; by hand, the module is built in the tree.
TDS_KO=${TDS_KO:-${KTLSKIT_KMOD:-$KTLSKIT_REPO/kmod}/tlsdevsim/tlsdevsim.ko}
TDS_DBG=/sys/kernel/debug/tlsdevsim
TDS_A=10.77.0.1
TDS_B=10.77.0.2
TDS_C128=ECDHE-ECDSA-AES128-GCM-SHA256
TDS_C256=ECDHE-ECDSA-AES256-GCM-SHA384

tds_need_module()
{
	[ "${KTLSKIT_KERNEL:-}" = sid ] &&
		skip "tlsdevsim.ko is not built for the sid kernel (its module build tools need a newer C library than Debian 12's)"
	[ -f "$TDS_KO" ] ||
		skip "$TDS_KO is not built (make modules KDIR=...)"
	[ "$(modinfo -F vermagic "$TDS_KO" | cut -d' ' -f1)" = "$(uname -r)" ] ||
		skip "$TDS_KO was built for another kernel than $(uname -r)"
	need_ktls
	need_cmd ip ethtool openssl
	modprobe -q aesni_intel 2>/dev/null
	mountpoint -q /sys/kernel/debug ||
		mount -t debugfs none /sys/kernel/debug
	grep -q '^tlsdevsim ' /proc/modules && rmmod tlsdevsim
	insmod "$TDS_KO" "$@" || fail "insmod tlsdevsim.ko failed"
}

tds_cleanup()
{
	cleanup_tmp
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	grep -q '^tlsdevsim ' /proc/modules && rmmod tlsdevsim
}

# tds_place_pair: pair 0, freshly loaded, into the namespaces, addressed.
tds_place_pair()
{
	ip link set tds0a netns "$NSA" && ip link set tds0b netns "$NSB" ||
		fail "moving the pair into namespaces"
	ip -n "$NSA" addr add "$TDS_A/24" dev tds0a
	ip -n "$NSB" addr add "$TDS_B/24" dev tds0b
	ip -n "$NSA" link set tds0a up
	ip -n "$NSB" link set tds0b up
}

# tds_setup [INSMOD ARGS]: module loaded, pair 0 split over two namespaces.
tds_setup()
{
	tds_need_module "$@"
	KTLSKIT_TMP=$(mktemp -d)
	NSA=tdsa-$$
	NSB=tdsb-$$
	trap tds_cleanup EXIT
	ip netns add "$NSA" && ip netns add "$NSB" || fail "ip netns add"
	ip -n "$NSA" link set lo up
	ip -n "$NSB" link set lo up
	tds_place_pair
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj /CN=tlsdevsim -days 2 -keyout "$KTLSKIT_TMP/key.pem" \
		-out "$KTLSKIT_TMP/cert.pem" 2>/dev/null ||
		fail "making a test certificate"
	cat > "$KTLSKIT_TMP/ktls.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = KTLS
CNF
}

# tds_stat NS NAME: a /proc/net/tls_stat counter (per namespace).
tds_stat()
{
	ip netns exec "$1" awk -v n="$2" \
		'$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
		/proc/net/tls_stat
}

# tds_ethtool NS DEV NAME: one ethtool -S counter of the device.
tds_ethtool()
{
	ip netns exec "$1" ethtool -S "$2" |
		awk -v n="$3:" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

tds_dump_stats()
{
	echo "# ns A tls_stat: $(ip netns exec "$NSA" cat /proc/net/tls_stat | tr -s ' \n' ' ')"
	echo "# ns B tls_stat: $(ip netns exec "$NSB" cat /proc/net/tls_stat | tr -s ' \n' ' ')"
	echo "# tds0a: $(ip netns exec "$NSA" ethtool -S tds0a | awk '$2 != 0' | tr -s ' \n' ' ')"
	echo "# tds0b: $(ip netns exec "$NSB" ethtool -S tds0b | awk '$2 != 0' | tr -s ' \n' ' ')"
}

# tds_wait_port NS PORT: until something listens there (10 s at most).
tds_wait_port()
{
	local i
	for i in $(seq 100); do
		ip netns exec "$1" ss -Htln "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on port $2 in $1"
}

# tds_rx_ready NS: a kTLS socket there has its receive side set up.
tds_rx_ready()
{
	[ $(($(tds_stat "$1" TlsCurrRxDevice) + $(tds_stat "$1" TlsCurrRxSw))) -ge 1 ]
}

# tds_transfer CIPHER BYTES_A2B BYTES_B2A [KTLS-CAT OPTIONS]: ktls-cat in
# both namespaces, data both ways at once; fails unless both arrive intact.
# The data flows only once both ends set up kTLS RX, so no record arrives
# before the device is told about the connection (it would have to resync,
# and the core may consume everything before confirming).
tds_transfer()
{
	local cipher=$1 na=$2 nb=$3 t=$KTLSKIT_TMP port end
	shift 3
	port=$((4000 + RANDOM % 1000))
	head -c "$na" /dev/urandom > "$t/pa"
	head -c "$nb" /dev/urandom > "$t/pb"
	rm -f "$t/in_a" "$t/in_b"
	mkfifo "$t/in_a" "$t/in_b"
	ip netns exec "$NSB" ktls-cat listen "$port" --cert "$t/cert.pem" \
		--key "$t/key.pem" --tls 1.2 --cipher "$cipher" "$@" \
		< "$t/in_b" > "$t/got_a" 2> "$t/srv.err" &
	track $!
	exec 7> "$t/in_b"
	tds_wait_port "$NSB" "$port"
	timeout 300 ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" \
		--insecure --tls 1.2 --cipher "$cipher" "$@" \
		< "$t/in_a" > "$t/got_b" 2> "$t/cli.err" &
	cli=$!
	track $cli
	exec 8> "$t/in_a"
	end=$((SECONDS + 120))
	until tds_rx_ready "$NSA" && tds_rx_ready "$NSB"; do
		[ $SECONDS -lt $end ] || break
		sleep 0.2
	done
	cat "$t/pb" >&7 &
	cat "$t/pa" >&8 &
	# ktls-cat stops sending from a pipe once its peer has closed: keep
	# both inputs open until both directions have arrived.
	end=$((SECONDS + 240))
	until [ "$(stat -c %s "$t/got_a")" -ge "$na" ] &&
	      [ "$(stat -c %s "$t/got_b")" -ge "$nb" ]; do
		[ $SECONDS -lt $end ] || break
		sleep 0.2
	done
	exec 7>&- 8>&-
	wait "$cli" ||
		{ cat "$t/cli.err" "$t/srv.err"; fail "client failed"; }
	wait
	cmp -s "$t/pa" "$t/got_a" ||
		{ cat "$t/srv.err"; fail "A->B data differs ($cipher)"; }
	cmp -s "$t/pb" "$t/got_b" ||
		{ cat "$t/cli.err"; fail "B->A data differs ($cipher)"; }
}
