#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What crosses the "wire" is ciphertext: a capture on the receiving end
# (taps run before the device's RX engine decrypts) never holds the
# plaintext pattern. As a control, the sending end's own capture, which
# like a real offload NIC's sees the plaintext the stack hands the device,
# does hold it.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#             tcpdump (control)                  tcpdump (the wire)
#
# ktlskit-timeout: 600

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat tcpdump
tds_setup
t=$KTLSKIT_TMP
MARK=TLSDEVSIM-PLAINTEXT-PATTERN

ip netns exec "$NSB" tcpdump -i tds0b -U -s 0 -w "$t/wire.pcap" \
	"tcp and src host $TDS_A" 2> "$t/td1.err" &
td1=$!
track $td1
ip netns exec "$NSA" tcpdump -i tds0a -U -s 0 -w "$t/tap.pcap" \
	"tcp and src host $TDS_A" 2> "$t/td2.err" &
td2=$!
track $td2
wait_line "$t/td1.err" listening 60 && wait_line "$t/td2.err" listening 60 ||
	fail "tcpdump did not start: $(cat "$t/td1.err" "$t/td2.err")"

# marked: both captures hold the marker, a SYN from A to B's port 9 sent
# after the transfer (refused), so each holds every packet before it
marked()
{
	local f
	for f in "$t/wire.pcap" "$t/tap.pcap"; do
		tcpdump -r "$f" -n 'tcp dst port 9' 2>/dev/null | grep -q . ||
			return 1
	done
}

port=$((4000 + RANDOM % 1000))
yes "$MARK" | head -c 1000000 > "$t/pa"
ip netns exec "$NSB" ktls-cat listen "$port" --cert "$t/cert.pem" \
	--key "$t/key.pem" --tls 1.2 --cipher "$TDS_C128" \
	< /dev/null > "$t/got_a" 2> "$t/srv.err" &
track $!
tds_wait_port "$NSB" "$port"
dec=$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)
timeout 60 ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" --insecure \
	--tls 1.2 --cipher "$TDS_C128" < "$t/pa" > /dev/null 2> "$t/cli.err" ||
	fail "transfer failed"
timeout 30 ip netns exec "$NSA" bash -c "exec 3<>/dev/tcp/$TDS_B/9" 2>/dev/null
wait_until 60 marked || fail "the captures never showed the end marker"
kill -INT "$td1" "$td2"
wait "$td1" "$td2"

cmp -s "$t/pa" "$t/got_a" || fail "data differs"
[ "$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)" -gt "$dec" ] ||
	fail "the receiving device decrypted nothing"
wire=$(stat -c %s "$t/wire.pcap")
[ "$wire" -gt 1000000 ] || fail "the capture holds only $wire bytes"
n=$(grep -c -a "$MARK" "$t/wire.pcap")
[ "$n" = 0 ] || fail "plaintext on the wire: $n matches in the capture"
c=$(grep -c -a "$MARK" "$t/tap.pcap")
[ "$c" -gt 0 ] || fail "control: the sender's tap shows no plaintext, so the check proves nothing"
echo "ok $wire bytes captured on the wire, no plaintext; the sender's own tap shows it $c times (control)"
