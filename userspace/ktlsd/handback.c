// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand-back: a TLS 1.3 session ktlsd kept after the handshake (keep.c) is
 * used again on its own connection, for a KeyUpdate or NewSessionTicket
 * that arrived on the kTLS socket, or for our own rekey. The session goes
 * back to the store unless the failure broke it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ktlsd.h"

/*
 * How long a hand-back may wait for room to send on the application's
 * socket: the request's timeout (or handshake_timeout), capped like a
 * handshake's, and never past the drain a SIGTERM allows, so a peer that
 * stopped reading holds a worker for a bounded time and never delays
 * shutdown beyond drain_timeout.
 */
static unsigned int session_timeout(struct ktlsd_job *j)
{
	const struct ktlsd_conf *c = j->conf;
	unsigned int tmo = j->req.timeout_ms ? j->req.timeout_ms :
			   c->handshake_timeout_ms;

	if (tmo > c->max_timeout_ms)
		tmo = c->max_timeout_ms;
	if (tmo > c->drain_timeout_ms)
		tmo = c->drain_timeout_ms;
	if (atomic_load(&ktlsd.draining)) {
		long long left = ktlsd.drain_deadline - ktlsd_now_ms();

		if (left < tmo)
			tmo = left > 0 ? left : 0;
	}
	/* 0 would mean "no limit" to libktls: try once, wait 1 ms at most */
	if (!tmo)
		tmo = 1;
	j->timeout_ms = tmo;
	return tmo;
}

/**
 * ktlsd_job_handback() - a POST_HANDSHAKE or REKEY request, decoded
 * @j: job whose socket is a TCP socket
 */
void ktlsd_job_handback(struct ktlsd_job *j)
{
	struct ktlsd_kept *k;
	struct ktls_ticket *t;
	bool ticket = j->req.type == KTLSD_MSG_POST_HANDSHAKE &&
		      j->req.message[0] == 4;
	char text[256];
	int ret;

	k = ktlsd_keep_take(j->req.session_id, j->uid);
	if (!k) {
		ktlsd_job_fail(j, -ENOENT, KTLSD_R_NO_SESSION,
			    "ktlsd does not keep session %016llx (never kept: TLS 1.2 or keep_sessions = 0; or expired after keep_time, or another uid's)",
			    (unsigned long long)j->req.session_id);
		return;
	}
	snprintf(j->req.profile, sizeof(j->req.profile), "%s", k->profile);
	ret = ktls_session_rebind(k->s, j->tfd);
	if (ret) {
		/*
		 * Not our connection: refuse, the session is untouched. It
		 * goes back before the reply, or the client's next request
		 * could find it missing.
		 */
		snprintf(text, sizeof(text), "%s", ktls_reason_text(k->s));
		ktlsd_keep_put_back(k, k->conf->keep_ms);
		ktlsd_job_fail(j, ret, KTLSD_R_BAD_SOCKET, "%s", text);
		return;
	}
	ktls_session_set_send_timeout(k->s, session_timeout(j));
	if (j->req.type == KTLSD_MSG_REKEY)
		ret = ktls_rekey(k->s, j->req.rekey_flags &
				 KTLSD_REKEY_REQUEST_PEER);
	else
		ret = ktls_post_handshake(k->s, j->req.message, j->req.message_len);
	ktls_session_set_send_timeout(k->s, 0);
	ktls_session_rebind(k->s, -1);
	if (!ret && ticket && !ktls_session_get_ticket(k->s, &t))
		ktlsd_ticket_put(k->profile, k->sni, t, k->conf->ticket_ms,
				 k->conf->tickets_max);
	if (ret) {
		enum ktls_reason r = ktls_reason(k->s);

		snprintf(text, sizeof(text), "%s", ktls_reason_text(k->s));
		if (ret == -ETIMEDOUT && j->req.type == KTLSD_MSG_REKEY) {
			/* our KeyUpdate never left: the keys did not change */
			ktlsd_keep_put_back(k, k->conf->keep_ms);
			ktlsd_job_fail(j, ret, r, "%s (after %u ms)", text,
				    j->timeout_ms);
			return;
		}
		if (ret == -EOPNOTSUPP || ret == -EBADMSG) {
			/* nothing changed: the session is still good */
			ktlsd_keep_put_back(k, k->conf->keep_ms);
			ktlsd_job_fail(j, ret, KTLS_R_PROTOCOL,
				    ret == -EBADMSG ?
				    "malformed handshake message" :
				    "only TLS 1.3 KeyUpdate and NewSessionTicket messages can be handed back");
			return;
		}
		ktlsd_job_fail(j, ret, r ? r : KTLS_R_PROTOCOL,
			    "%s; ktlsd dropped the session",
			    text[0] ? text : strerror(-ret));
		ktlsd_kept_free(k);
		return;
	}
	if (!ticket)
		atomic_fetch_add(&ktlsd_stats.rekeys, 1);
	ktlsd_log(LOG_INFO, "%s uid=%u profile=%s session=%016llx result=ok",
		  j->req.type == KTLSD_MSG_REKEY ? "rekey" :
		  ticket ? "ticket" : "keyupdate", (unsigned int)j->uid,
		  k->profile, (unsigned long long)k->id);
	if (ktlsd_job_reply_begin(j, 256)) {
		ktlsd_kept_free(k);
		return;
	}
	ktlsd_reply_put_u32(&j->out, KTLSD_A_STATUS, 0);
	ktlsd_reply_put(&j->out, KTLSD_A_SESSION_ID, &k->id, sizeof(k->id));
	ktlsd_reply_put_u32(&j->out, KTLSD_A_KEEP_MS, k->conf->keep_ms);
	ktlsd_keep_put_back(k, k->conf->keep_ms);
	ktlsd_job_reply_send(j);
}

