#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fault injection through debugfs: dropped and reordered packets in each
# RX resync mode (transfers stay intact, the device resyncs), forced
# resync requests, a corrupted record tag (an error, never wrong data),
# and the device going down mid-transfer.
#
#   netns A: ktls-cat connect, tds0a  <==>  tds0b, ktls-cat listen: netns B
#
# Transfers are 8 MiB, kept small because the VM emulates the CPU (about
# 20 MB/s of AES-GCM).
#
# ktlskit-timeout: 1800

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tds-lib.bash"

need_cmd ktls-cat
tds_setup
SIZE=$((8 << 20))

knob()
{
	echo "$3" > "$TDS_DBG/$1/$2" || fail "cannot write $1/$2"
}

for mode in 0 1 2; do
	name=$(echo driver_req core_next_hint driver_req_async | cut -d' ' -f$((mode + 1)))
	knob tds0a resync_mode $mode
	knob tds0b resync_mode $mode
	knob tds0a drop_every 97
	knob tds0a reorder_every 61
	knob tds0b drop_every 89
	resync=$(tds_stat "$NSB" TlsRxDeviceResync)
	drops=$(tds_ethtool "$NSA" tds0a fault_drop)
	reord=$(tds_ethtool "$NSA" tds0a fault_reorder)
	dec=$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)

	tds_transfer "$TDS_C128" "$SIZE" 1000000

	knob tds0a drop_every 0
	knob tds0a reorder_every 0
	knob tds0b drop_every 0
	tds_dump_stats
	[ "$(tds_ethtool "$NSA" tds0a fault_drop)" -gt "$drops" ] &&
	[ "$(tds_ethtool "$NSA" tds0a fault_reorder)" -gt "$reord" ] ||
		fail "$name: no packet was dropped or reordered"
	[ "$(tds_stat "$NSB" TlsRxDeviceResync)" -gt "$resync" ] ||
		fail "$name: TlsRxDeviceResync did not rise"
	# CORE_NEXT_HINT and ASYNC recover when the core gets to it, which
	# under emulation may be after the last record: only report those.
	now=$(tds_ethtool "$NSB" tds0b rx_tls_decrypted_records)
	[ "$mode" != 0 ] || [ "$now" -gt "$dec" ] ||
		fail "$name: the device decrypted nothing"
	echo "# $name: device decrypted $((now - dec)) records"
	echo "ok $name: $SIZE bytes intact through drops and reordering, TlsRxDeviceResync $resync -> $(tds_stat "$NSB" TlsRxDeviceResync)"
done

# Forced loss of sync without any lost data.
knob tds0b resync_mode 0
resync=$(tds_stat "$NSB" TlsRxDeviceResync)
knob tds0b force_resync 3
tds_transfer "$TDS_C128" 2000000 100000
[ "$(tds_ethtool "$NSB" tds0b fault_force_resync)" = 3 ] ||
	fail "force_resync did not happen 3 times"
[ "$(tds_stat "$NSB" TlsRxDeviceResync)" -gt "$resync" ] ||
	fail "forced resync: TlsRxDeviceResync did not rise"
echo "ok forced resync: data intact, TlsRxDeviceResync rose"

# A corrupted tag: the receiver must fail, and what it got before the
# failure must be a prefix of what was sent.
t=$KTLSKIT_TMP
err=$(tds_stat "$NSB" TlsDecryptError)
head -c 2000000 /dev/urandom > "$t/pa"
port=$((4000 + RANDOM % 1000))
ip netns exec "$NSB" ktls-cat listen "$port" --cert "$t/cert.pem" \
	--key "$t/key.pem" --tls 1.2 --cipher "$TDS_C128" \
	< /dev/null > "$t/got_a" 2> "$t/srv.err" &
srv=$!
track $srv
tds_wait_port "$NSB" "$port"
knob tds0a corrupt_tag 1
timeout 60 ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" --insecure \
	--tls 1.2 --cipher "$TDS_C128" < "$t/pa" > /dev/null 2> "$t/cli.err"
wait $srv && fail "the receiver did not notice the corrupted tag"
[ "$(tds_ethtool "$NSA" tds0a fault_corrupt_tag)" = 1 ] ||
	fail "no tag was corrupted"
[ "$(tds_stat "$NSB" TlsDecryptError)" -gt "$err" ] ||
	fail "TlsDecryptError did not rise"
got=$(stat -c %s "$t/got_a")
[ "$got" -lt 2000000 ] || fail "the receiver got everything despite the bad tag"
cmp -s -n "$got" "$t/got_a" "$t/pa" ||
	fail "the receiver got wrong data before the bad record"
echo "ok corrupted tag: receiver failed ($(tail -n 1 "$t/srv.err")), $got good bytes before it, TlsDecryptError rose"

# The device goes down (and up) in the middle of transfers.
head -c "$SIZE" /dev/urandom > "$t/pa"
port=$((port + 1))
ip netns exec "$NSB" ktls-cat listen "$port" --cert "$t/cert.pem" \
	--key "$t/key.pem" --tls 1.2 --cipher "$TDS_C128" \
	< /dev/null > "$t/got_a" 2> "$t/srv.err" &
srv=$!
track $srv
tds_wait_port "$NSB" "$port"
timeout 240 ip netns exec "$NSA" ktls-cat connect "$TDS_B:$port" --insecure \
	--tls 1.2 --cipher "$TDS_C128" < "$t/pa" > /dev/null 2> "$t/cli.err" &
cli=$!
track $cli
sleep 1
knob tds0b down 1
sleep 1
knob tds0a down 1
wait $cli || { cat "$t/cli.err"; fail "the transfer broke when the device went down"; }
wait $srv
cmp -s "$t/pa" "$t/got_a" || fail "data differs after the device went down"
[ "$(tds_ethtool "$NSA" tds0a fault_down)" = 1 ] ||
	fail "fault_down counter is not 1"
echo "ok device down and up mid-transfer: $SIZE bytes intact, now in software"
tds_dump_stats
