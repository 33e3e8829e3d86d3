#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench's smallest matrix, both ends on loopback in the VM: every
# software path (plain TCP, wolfSSL and OpenSSL in user space, kTLS by
# write, sendfile, splice, io_uring send and send_zc) with TLS 1.2 and
# 1.3 (send_zc may be refused by the kernel, which must then be reported
# as unsupported). The JSON must carry every field and tls_stat deltas
# that match each path; a stream with one byte changed must be reported as
# an error. The default set runs this; matrix.sh goes further.
#
#   netns (the VM's own): ktls-bench server <-- lo --> ktls-bench client
#
# ktlskit-timeout: 300

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-bench python3
make_tmp
T=$KTLSKIT_TMP
CHECK=$(dirname "$0")/check_json.py
SW=tcp,wolfssl,openssl,ktls-write,ktls-sendfile,ktls-splice,ktls-uring,ktls-uring-zc

ktls-bench --path $SW --tls 1.2,1.3 --size 32K --bytes 128K --reps 1 \
	--json > "$T/all.json" 2> "$T/all.err" ||
	{ cat "$T/all.json" "$T/all.err"; fail "ktls-bench failed on the software paths"; }
# IORING_OP_SEND_ZC: software kTLS sockets refuse it (Debian's 6.1 does)
python3 "$CHECK" "$T/all.json" --paths $SW --tls 1.2,1.3 \
	--may-be-unsupported ktls-uring-zc ||
	{ cat "$T/all.json"; fail "software paths"; }

# The receiver checks every byte: a changed one is an error, exit 1.
KTLS_BENCH_TEST_CORRUPT=1 ktls-bench --path tcp,ktls-write --bytes 128K \
	--size 64K --reps 1 --json > "$T/bad.json" 2>/dev/null &&
	fail "a corrupted stream was not reported"
python3 "$CHECK" "$T/bad.json" --paths tcp,ktls-write \
	--expect-error "received bytes differ" ||
	{ cat "$T/bad.json"; fail "corruption"; }

# The human table says first when the CPU is emulated.
ktls-bench --path tcp --size 32K --bytes 64K --reps 1 > "$T/table.txt" ||
	fail "table output"
emulated=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host"]["emulated"])' "$T/all.json")
if [ "$emulated" = True ]; then
	head -1 "$T/table.txt" | grep -q "do not predict native speed" ||
		fail "emulated, but the table does not say so first: $(head -1 "$T/table.txt")"
else
	grep -q "emulated" "$T/table.txt" && fail "not emulated, yet the table says so"
fi
cat "$T/table.txt"
echo "ok ktls-bench: software paths, TLS 1.2 and 1.3, corruption caught"
