#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kernel consumers facing a handshake agent that hangs or dies,
# with stall_agent.py playing the agent: what each consumer asks for in
# ACCEPT, how long it waits and which error it gives up with. What ktlsd's
# restart test relies on:
#  - an agent that listens but never takes the request: a mount with
#    soft,timeo=30,retrans=1,retry=0 fails with ETIMEDOUT in a few seconds
#    (the defaults retry for three minutes);
#  - an agent killed after ACCEPT: the mount fails (ETIMEDOUT with those
#    soft options; without them ESRCH after SUNRPC's own 10 s, when its
#    retry finds no agent).
# NVMe is left out: on 6.12, after a target-side handshake timed out (an
# agent that never accepted, or accepted and never answered), removing
# the nvmet port's subsystem link blocked for good in five runs out of
# eight, so the guest could not go on. By hand: the host then fails with
# ETIMEDOUT after tls_handshake_timeout (a module parameter, 10 s, sent in
# ACCEPT as timeout=10000 with auth_mode=2 and the PSK's serial; 7.x adds
# the .nvme keyring).
# Python starts slowly under emulation: about two minutes in all, so
# FULL=1 or named only.
#
# ktlskit-timeout: 360

. "$(dirname "$0")/lib.bash"
upcall_setup
need_nfs
need_cmd python3

AGENT=$KTLSKIT_REPO/selftests/upcall/stall_agent.py
# soft mount options that end a mount stuck on a handshake in seconds
QUICK=soft,timeo=30,retrans=1,retry=0

# agent_start MODE: stall_agent.py in MODE until agent_kill
agent_start()
{
	python3 "$AGENT" "$1" > "$T/agent.out" 2>&1 &
	AGENT_PID=$!
	track $AGENT_PID
	wait_line "$T/agent.out" '^joined' 120 ||
		fail "stall_agent did not start: $(cat "$T/agent.out")"
}

agent_kill()
{
	kill -9 $AGENT_PID
	wait $AGENT_PID 2>/dev/null
}

mkdir -p "$T/export" "$T/mnt"
nfs_server_start "$T/export"

agent_start listen
nfs_mount "xprtsec=tls,$QUICK" "$T/mnt" && fail "mounted with a silent agent"
grep -q 'Connection timed out' "$T/mount.err" ||
	fail "silent agent: expected ETIMEDOUT, got: $(cat "$T/mount.err")"
grep -q '^READY' "$T/agent.out" || fail "the agent saw no READY"
pass "agent that never accepts: '$(head -n 1 "$T/mount.err")' after $(secs $MOUNT_SECS) s with $QUICK"
agent_kill

agent_start accept
began=$(date +%s.%N)
nfs_mount "xprtsec=tls,$QUICK" "$T/mnt" &
mounter=$!
wait_line "$T/agent.out" '^ACCEPT .*message_type=1' 60 ||
	fail "no ClientHello accepted: $(cat "$T/agent.out")"
grep -Eq '^ACCEPT .*message_type=2 auth_mode=3$' "$T/agent.out" ||
	fail "nfsd's ServerHello request (x509, no certificate): $(cat "$T/agent.out")"
grep -Eq '^ACCEPT .*message_type=1 peername=127.0.0.1 auth_mode=1$' "$T/agent.out" ||
	fail "the client's ClientHello request (unauth, peername): $(cat "$T/agent.out")"
pass "NFS asks for a ServerHello (nfsd, x509 with no certificate) and a ClientHello (peername 127.0.0.1, unauthenticated), no timeout"
killed=$(date +%s.%N)
agent_kill
wait $mounter && fail "mounted after the agent died"
now=$(date +%s.%N)
pass "agent killed after ACCEPT: '$(head -n 1 "$T/mount.err")' $(secs "$now - $killed") s later, $(secs "$now - $began") s after the mount began"
nfs_server_stop
