#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# SIGHUP: a configuration with problems is refused and the old one kept; a
# good one takes over for new handshakes while those in flight finish.
#
#   edit ktlsd.conf; kill -HUP ktlsd; ktlsd-client pairs
#
# ktlskit-timeout: 400

. "$(dirname "$0")/lib.bash"
ktlsd_setup
write_conf "handshake_timeout = 60s"
start_ktlsd
"$CLIENT" pairs 1 > "$T/app" 2>&1 || fail "pairs: $(cat "$T/app")"

# a broken configuration: missing key, unknown setting
cp "$CONF" "$T/good.conf"
sed -i "s|^key = .*server-ec.key|key = $T/missing.key|" "$CONF"
echo "colour = blue" >> "$CONF"
kill -HUP $KTLSD_PID
expect_line "$T/ktlsd.log" 'unknown setting "colour"' "bad reload problems"
expect_line "$T/ktlsd.log" 'reload refused: .* keeping the old configuration' \
	"bad reload"
ktlsd_alive
"$CLIENT" pairs 2 > "$T/app" 2>&1 || fail "old configuration lost: $(cat "$T/app")"
pass "bad configuration refused with its problems logged, old one serves"

# a good new one with another profile, reloaded with handshakes in flight
cp "$T/good.conf" "$CONF"
cat >> "$CONF" <<EOC

[profile rsa]
role = server
cert = $P/server-rsa.chain.pem
key = $P/server-rsa.key
allow_uid = 0
EOC
"$CLIENT" pairs 10 > "$T/inflight" 2>&1 &
inflight=$!
# the signal comes once ktlsd has handshakes of them under way
busy()
{
	ktlsd_stats
	grep -Eq '^ktlsd_in_flight [1-9]' "$T/stats" ||
		! kill -0 $inflight 2>/dev/null
}
wait_until 60 busy || fail "no handshake in flight after 60 s"
kill -HUP $KTLSD_PID
wait $inflight || fail "handshakes in flight during reload: $(cat "$T/inflight")"
pass "20 handshakes in flight during a reload all finished"
expect_line "$T/ktlsd.log" 'configuration reloaded: 3 profiles' "good reload"
"$CLIENT" --profile rsa pairs 1 > "$T/app" 2>&1 || fail "new profile: $(cat "$T/app")"
pass "new profile serves after the reload"
