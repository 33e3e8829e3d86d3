#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ktls-bench beyond the smoke test: every cipher (AES-128-GCM, AES-256-GCM,
# ChaCha20-Poly1305) with TLS 1.2 and 1.3 on every software path that
# encrypts, two parallel flows, three repetitions; the JSON is checked for
# every case, its spread (median within min..max, one sample per
# repetition) and the tls_stat deltas of 2 flows x 3 repetitions x 2 ends;
# then 16 flows at once, and "ktls-bench server" with "ktls-bench client".
#
#   netns (the VM's own): ktls-bench server <-- lo --> ktls-bench client
#
# ktlskit-timeout: 1200

. "$(dirname "$0")/../lib.sh"

need_ktls
need_cmd ktls-bench python3
make_tmp
T=$KTLSKIT_TMP
CHECK=$(dirname "$0")/check_json.py
P=wolfssl,openssl,ktls-write,ktls-sendfile,ktls-splice,ktls-uring,ktls-uring-zc
C=aes128gcm,aes256gcm,chacha20

ktls-bench --path $P --cipher $C --tls 1.2,1.3 --size 32K --bytes 96K \
	--flows 2 --reps 3 --json > "$T/m.json" 2> "$T/m.err"
rc=$?
[ $rc = 0 ] || { cat "$T/m.json" "$T/m.err"; fail "ktls-bench exit status $rc"; }
python3 "$CHECK" "$T/m.json" --paths $P --ciphers $C --tls 1.2,1.3 \
	--flows 2 --reps 3 --may-be-unsupported ktls-uring-zc ||
	{ cat "$T/m.json"; fail "matrix"; }

# 16 flows at once, each checked
ktls-bench --path ktls-sendfile --size 16K --bytes 64K --flows 16 --reps 1 \
	--json > "$T/f.json" 2> "$T/f.err" ||
	{ cat "$T/f.json" "$T/f.err"; fail "16 flows"; }
python3 "$CHECK" "$T/f.json" --paths ktls-sendfile --flows 16 ||
	{ cat "$T/f.json"; fail "16 flows"; }
# the two-host form: "server" and "client HOST:PORT" (here both on lo);
# the client's tls_stat deltas cover its own end only
port=$(free_port)
ktls-bench server --listen "127.0.0.1:$port" 2> "$T/srv.err" &
track $!
wait_port "$port"
ktls-bench client "127.0.0.1:$port" --path tcp,openssl,ktls-sendfile,ktls-splice \
	--tls 1.2,1.3 --size 32K --bytes 128K --flows 2 --reps 2 --json \
	> "$T/c.json" 2> "$T/c.err" ||
	{ cat "$T/c.json" "$T/c.err" "$T/srv.err"; fail "client mode"; }
python3 "$CHECK" "$T/c.json" --paths tcp,openssl,ktls-sendfile,ktls-splice \
	--tls 1.2,1.3 --flows 2 --reps 2 --ends 1 --remote-server ||
	{ cat "$T/c.json"; fail "client mode JSON"; }
echo "ok ktls-bench: 3 ciphers x 2 versions x 7 paths, 2 flows x 3 repetitions; 16 flows; server/client"
