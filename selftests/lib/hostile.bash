# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared by the record-error tests (serve/records, cat/records): the cases
# of selftests/lib/hostile_peer.py and the alert each must get from an
# endpoint whose records the kernel carries. Sourced after a file that
# defines check (serve.bash, interop.bash).
#
# Where the RFCs name another alert than ours, the kernel decides: it
# authenticates the record header and the TLS 1.3 inner type before we
# see anything, and reports every such failure as EBADMSG, which is
# bad_record_mac. The cases (RFC's alert / ours):
#   TLS 1.3 plain-alert, plain-ccs: unexpected_message (RFC 8446 5) /
#     bad_record_mac: a 2-byte record is too short to decrypt;
#   TLS 1.3 padding-only: unexpected_message (RFC 8446 5.4) /
#     bad_record_mac: the kernel finds no content type and says EBADMSG;
#   TLS 1.2 padding-only (a record of type 0, there being no padding):
#     unexpected_message (RFC 5246 6) / bad_record_mac: the kernel uses
#     type 0 to mean "none yet" (tls_record_content_type() in tls_sw.c)
#     and says EBADMSG for it.
# And one the kernel lets through: TLS 1.3 header-type, a record whose
# outer type was changed from 23 to 22. RFC 8446 5.2 authenticates the
# received header (additional_data = opaque_type || version || length), so
# it must fail with bad_record_mac, and OpenSSL refuses it (as
# unexpected_message); the kernel (tls_make_aad() in net/tls/tls.h)
# puts a constant 23 in the additional data, decrypts the record and
# delivers it. We cannot see the outer type, so both outcomes pass.
# OpenSSL (s_server) answers a TLS 1.2 plain-alert or plain-ccs with
# internal_error; bad_record_mac is what RFC 5246 6.2.3 asks.

HOSTILE=$KTLSKIT_REPO/selftests/lib/hostile_peer.py

# Every case, in the order they run; the first three are valid traffic.
HOSTILE_CASES="valid zero-length max-size tag-first tag-last ct-first ct-mid
	header-type oversize plain-overflow padding-only unknown-type
	plain-alert plain-ccs after-close-notify hello-request second-finished
	keyupdate-bad keyupdate-split ticket-to-server"

# hostile_cases ROLE: $HOSTILE_CASES for an endpoint in ROLE
# (server|client), comma-separated: a NewSessionTicket is only forbidden
# when sent to a server
hostile_cases()
{
	local c out=

	for c in $HOSTILE_CASES; do
		[ "$c$1" = ticket-to-serverclient ] && continue
		out=$out${out:+,}$c
	done
	echo "$out"
}

# hostile_expect VERSION CASE ROLE: the alert the endpoint must send
# (an extended regular expression; "none" for no alert at all)
hostile_expect()
{
	local v=$1 c=$2 role=$3

	case $c in
	valid | zero-length | max-size | after-close-notify)
		echo "none|warning:close_notify" ;;
	tag-* | ct-*) echo "fatal:bad_record_mac" ;;
	header-type)
		[ "$v" = 1.3 ] && echo "fatal:bad_record_mac|warning:close_notify" ||
			echo "fatal:bad_record_mac" ;;
	oversize | plain-overflow) echo "fatal:record_overflow" ;;
	padding-only) echo "fatal:bad_record_mac" ;;
	unknown-type) echo "fatal:unexpected_message" ;;
	plain-alert | plain-ccs) echo "fatal:bad_record_mac" ;;
	hello-request)
		# a TLS 1.2 client may ignore it (RFC 5246 7.4.1.1)
		[ "$v$role" = 1.2client ] && echo "none|warning:close_notify" ||
			echo "fatal:unexpected_message" ;;
	keyupdate-bad)
		[ "$v" = 1.3 ] && echo "fatal:illegal_parameter" ||
			echo "fatal:unexpected_message" ;;
	*) echo "fatal:unexpected_message" ;;
	esac
}

# hostile_check VERSION ROLE OUT: every result line of OUT (the peer's
# output) holds the expected alert, a closed connection, and "after"
# delivered exactly for the valid cases; counted with check.
hostile_check()
{
	local v=$1 role=$2 out=$3 c want line after

	for c in $(hostile_cases "$role" | tr , ' '); do
		line=$(grep -m1 "^result case=$c " "$out")
		want=$(hostile_expect "$v" "$c" "$role")
		after=none
		case $c in
		valid | zero-length | max-size) after=delivered ;;
		hello-request) [ "$v$role" = 1.2client ] && after=delivered ;;
		header-type) [ "$v" = 1.3 ] && after="(none|delivered)" ;;
		esac
		check "TLS $v $c: alert $want, after=$after, closed (${line#result })" \
			hostile_line_is "$line" "$want" "$after"
	done
}

hostile_line_is()
{
	[[ $1 =~ \ alert=($2)\ before=(ok|-)\ after=(-|$3)\ closed=yes$ ]]
}
