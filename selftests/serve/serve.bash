# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for the ktls-serve tests (sourced, not a test itself): a
# development PKI and a document root in a scratch folder, the server
# started and stopped, counted checks, SHA-256 comparisons and
# /proc/net/tls_stat deltas that show the kernel made the records.
#
#   curl / wget / openssl s_client --TLS--> ktls-serve (127.0.0.1:PORT)
#                                              | sendfile / io_uring / write
#                                              v
#                                         kTLS (TlsTxSw, TlsRxSw)

set -u
KTLSKIT_PIDS=${KTLSKIT_PIDS:-}
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SERVE=$KTLSKIT_REPO/build/bin/ktls-serve
make_tmp
T=$KTLSKIT_TMP
P=$T/pki
R=$T/root
PASSES=0
FAILS=0
SPID=
PORT=

need_serve()
{
	[ -x "$SERVE" ] || skip "build/bin/ktls-serve is not built"
	need_ktls
	need_cmd curl openssl ss sha256sum
}

# A development PKI and a document root with the sizes that matter to
# TLS records (16 KiB is one full record) and a few typed files.
setup_root()
{
	"$KTLSKIT_REPO/tools/pki/mkpki" --dev "$P" >/dev/null ||
		fail "mkpki --dev failed"
	CA=$P/dev-ca.crt
	mkdir -p "$R/sub" "$R/nodx"
	: > "$R/empty"
	make_payload "$R/one" 1
	make_payload "$R/r16k-1" 16383
	make_payload "$R/r16k" 16384
	make_payload "$R/r16k+1" 16385
	make_payload "$R/ten.bin" 10485760
	echo "hello from ktls-serve" > "$R/hello.txt"
	echo "<p>index</p>" > "$R/sub/index.html"
	echo "x" > "$R/nodx/file.txt"
	echo "video" > "$R/clip.mp4"
	ln -s /etc/passwd "$R/out-link"
	ln -s hello.txt "$R/in-link"
	SIZES="empty one r16k-1 r16k r16k+1 ten.bin"
}

# A port below the ephemeral range (32768 up) that no socket uses at all:
# after thousands of test connections a port in that range may still be
# some client's local port, and bind then fails with EADDRINUSE.
serve_port()
{
	local p

	for p in $(shuf -i 20000-32000 -n 50); do
		ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
	fail "no free port"
}

# start_serve [OPTION...]: the server on a free loopback port, in the
# background; its access log is $T/access.log, its messages $T/serve.err.
start_serve()
{
	PORT=$(serve_port)
	"$SERVE" --cert "$P/localhost.crt" --key "$P/localhost.key" \
		--listen "127.0.0.1:$PORT" "$@" serve "$R" \
		> "$T/access.log" 2> "$T/serve.err" &
	SPID=$!
	track "$SPID"
	wait_port "$PORT" 20
	U=https://localhost:$PORT
}

# start_web_ktlsd [GLOBAL LINES...]: ktlsd with a "web" server profile on
# the development key, its socket $SOCK, its messages $T/ktlsd.log, its
# pid $KPID; extra [global] settings as arguments.
start_web_ktlsd()
{
	local l i

	SOCK=$T/ktlsd.sock
	{
		printf '[global]\nsocket = %s\nsocket_mode = 0666\n' "$SOCK"
		echo "lock_memory = no"
		for l in "$@"; do
			echo "$l"
		done
		printf '\n[profile web]\nrole = server\n'
		printf 'cert = %s\nkey = %s\n' "$P/localhost.crt" "$P/localhost.key"
		echo "allow_uid = 0"
	} > "$T/ktlsd.conf"
	ktlsd -f -c "$T/ktlsd.conf" 2> "$T/ktlsd.log" &
	KPID=$!
	track $KPID
	for ((i = 0; i < 100; i++)); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	fail "ktlsd did not start: $(tail -n 5 "$T/ktlsd.log")"
}

# start_daemon_serve [OPTION...]: like start_serve, with the handshakes
# done by ktlsd (start_web_ktlsd): the server process never sees the key.
start_daemon_serve()
{
	PORT=$(serve_port)
	"$SERVE" --ktlsd="$SOCK" --profile web --listen "127.0.0.1:$PORT" \
		"$@" serve "$R" > "$T/access.log" 2> "$T/serve.err" &
	SPID=$!
	track $SPID
	wait_port "$PORT" 20
	U=https://localhost:$PORT
}

# kernel_at_least X.Y: the running kernel is X.Y or newer.
kernel_at_least()
{
	[ "$(printf '%s\n' "$1" "$(uname -r | cut -d. -f1,2)" |
		sort -V | head -n 1)" = "$1" ]
}

# stop_serve: SIGTERM, which must end it gracefully with status 0.
stop_serve()
{
	local rc

	kill -TERM "$SPID" 2>/dev/null
	wait "$SPID"
	rc=$?
	check "server stops on SIGTERM with status 0 (got $rc)" [ "$rc" = 0 ]
	SPID=
}

# check DESC COMMAND...: count one result.
check()
{
	local desc=$1

	shift
	if "$@"; then
		PASSES=$((PASSES + 1))
		echo "ok $desc"
	else
		FAILS=$((FAILS + 1))
		echo "not ok $desc"
	fi
}

# The end of every test: totals in the kselftest form the runner counts.
finish()
{
	echo "# Totals: pass:$PASSES fail:$FAILS xfail:0 xpass:0 skip:0 error:0"
	[ "$FAILS" = 0 ]
	exit $?
}

# not COMMAND...: for check, which cannot take a bare "!"
not()
{
	! "$@"
}

same_hash()
{
	[ -f "$1" ] && [ -f "$2" ] && [ "$(sha256 "$1")" = "$(sha256 "$2")" ]
}

curl_c()
{
	curl -sS --cacert "$CA" "$@"
}

# status URL [CURL OPTION...]: just the HTTP status.
status()
{
	local url=$1

	shift
	curl_c -o /dev/null -w '%{http_code}' "$@" "$url"
}

# fetch_curl VER FILE OUT
fetch_curl()
{
	curl_c --tlsv"$1" --tls-max "$1" -o "$3" "$U/$2"
}

# fetch_wget VER FILE OUT (wget on Debian uses GnuTLS)
fetch_wget()
{
	wget -q --ca-certificate="$CA" --secure-protocol="TLSv${1/./_}" \
		-O "$3" "$U/$2"
}

# body_of RESPONSE OUT: strip an HTTP head from a raw response
body_of()
{
	local n

	# the head is the first "record" when records end at a blank line
	n=$(head -c 65536 "$1" |
		LC_ALL=C awk 'BEGIN { RS = "\r\n\r\n" } { print length($0); exit }')
	[ -n "$n" ] && LC_ALL=C grep -aq $'^\r$' "$1" || return 1
	tail -c +$((n + 5)) "$1" > "$2"
}

# fetch_ossl VER FILE OUT: a hand-written request through s_client
fetch_ossl()
{
	printf 'GET /%s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" |
		openssl s_client -quiet -tls"${1/./_}" -connect "127.0.0.1:$PORT" \
			-servername localhost -CAfile "$CA" -verify_return_error \
			> "$3.raw" 2> "$3.err" || return 1
	body_of "$3.raw" "$3"
}

# Open fds of the server (all workers share the process), but for files
# under the root: the open-file cache keeps those on purpose (--file-cache).
server_fds()
{
	ls -l "/proc/$SPID/fd" 2>/dev/null | grep -- ' -> ' |
		grep -vc -- " -> $R/"
}

# The access log lines so far.
log_lines()
{
	wc -l < "$T/access.log"
}
