// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A job's life: made for an accepted application connection (or, in
 * kjob.c, for a kernel request), ended by a reply, a failure or the
 * application going away. Two exits only: ktlsd_job_reply_send() (a reply
 * to write) and ktlsd_job_abandon() (nothing to write); both let go of
 * the TCP socket and the handshake slot at once. ktlsd_job_free() is the
 * one place descriptors and the session are released.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktlsd.h"

static void close_peer(struct ktlsd_job *j)
{
	if (j->tfd < 0)
		return;
	/*
	 * The application holds the same socket: closing our descriptor
	 * does not take it out of epoll, so do that first.
	 */
	ktlsd_epoll_del(j->w, j->tfd, &j->tfd_added);
	close(j->tfd);
	j->tfd = -1;
}

/*
 * A uid at max_pending_per_uid: its new connection is closed at once,
 * before its request is read, because what it would exhaust is our
 * descriptors. The refusal is written first; an application that has
 * not sent its request yet may see EPIPE or ECONNRESET instead.
 */
static void refuse_pending(const struct ktlsd_conf *conf,
			   const struct ktlsd_job *j, bool first)
{
	unsigned char msg[KTLSD_ERROR_REPLY_MAX];
	struct ktlsd_reply r;
	char text[200];

	snprintf(text, sizeof(text),
		 "uid %u already has max_pending_per_uid = %u requests open: ktlsd closed this one unread",
		 (unsigned int)j->uid, conf->max_pending_per_uid);
	atomic_fetch_add(&ktlsd_stats.refused, 1);
	ktlsd_stats_reason(KTLSD_R_BUSY);
	/* one line per episode: the refusals themselves could flood the log */
	if (first)
		ktlsd_log(LOG_WARNING,
			  "request uid=%u pid=%d result=busy: %s (logged once until the uid's requests are all answered)",
			  (unsigned int)j->uid, (int)j->pid, text);
	ktlsd_reply_init(&r, msg, sizeof(msg));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, (__u32)-EBUSY);
	ktlsd_reply_put_u32(&r, KTLSD_A_REASON, KTLSD_R_BUSY);
	ktlsd_reply_put_str(&r, KTLSD_A_REASON_TEXT, text);
	/* a fixed sentence in a buffer sized for the longest: always fits */
	if (ktlsd_reply_finish(&r))
		return;
	if (send(j->cfd, msg, r.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		ktlsd_log(LOG_DEBUG, "uid %u: refusal not sent: %s",
			  (unsigned int)j->uid, strerror(errno));
}

/**
 * ktlsd_job_new() - a job for a freshly accepted application connection
 * @w: worker
 * @cfd: the connection, non-blocking
 *
 * Return: the job, or NULL (then @cfd is closed).
 */
struct ktlsd_job *ktlsd_job_new(struct ktlsd_worker *w, int cfd)
{
	struct ktlsd_conf *conf;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ktlsd_job *j;
	bool first;
	int ret;

	j = calloc(1, sizeof(*j));
	if (!j)
		goto err_close;
	j->w = w;
	j->cfd = cfd;
	j->tfd = -1;
	j->hc.kind = KTLSD_H_CLIENT;
	j->ht.kind = KTLSD_H_PEER;
	j->start = ktlsd_now_ms();
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		goto err_free;
	j->uid = cred.uid;
	j->gid = cred.gid;
	j->pid = cred.pid;
	len = sizeof(j->groups);
	if (!getsockopt(cfd, SOL_SOCKET, SO_PEERGROUPS, j->groups, &len))
		j->ngroups = len / sizeof(gid_t);
	conf = ktlsd_current_conf();
	j->deadline = j->start + conf->request_timeout_ms;
	ret = ktlsd_pending_get(conf, j->uid, &first);
	if (ret == -EUSERS) {
		refuse_pending(conf, j, first);
		ktlsd_conf_put(conf);
		goto err_free;
	}
	ktlsd_conf_put(conf);
	if (ret)
		goto err_free;
	j->pending = true;
	if (ktlsd_epoll_set(w, cfd, &j->hc, EPOLLIN | EPOLLRDHUP,
			    &j->cfd_added))
		goto err_pending;
	return j;

err_pending:
	ktlsd_pending_put(j->uid);
err_free:
	free(j);
err_close:
	close(cfd);
	return NULL;
}

/**
 * ktlsd_job_free() - end a job: descriptors, session, slot, references
 * @j: job, already unlinked from its worker
 */
void ktlsd_job_free(struct ktlsd_job *j)
{
	close_peer(j);
	if (j->cfd >= 0) {
		ktlsd_epoll_del(j->w, j->cfd, &j->cfd_added);
		close(j->cfd);
	}
	ktls_session_free(j->s);
	free(j->kreq);
	if (j->slot)
		ktlsd_slot_put(j->uid);
	if (j->pending)
		ktlsd_pending_put(j->uid);
	if (j->state == KTLSD_JOB_QUEUED)
		atomic_fetch_sub(&ktlsd_stats.queued, 1);
	ktlsd_conf_put(j->conf);
	free(j->out.buf);
	explicit_bzero(j->buf, j->have);
	free(j);
}

/* The TCP socket and the slot go as soon as the outcome is known. */
static void let_go(struct ktlsd_job *j)
{
	close_peer(j);
	if (j->slot) {
		ktlsd_slot_put(j->uid);
		j->slot = false;
	}
	if (j->state == KTLSD_JOB_QUEUED)
		atomic_fetch_sub(&ktlsd_stats.queued, 1);
}

/**
 * ktlsd_job_abandon() - end a job with nothing (more) to write
 * @j: job
 *
 * For an application that went away, a reply that cannot be built or
 * sent, and a kernel request (answered by DONE, not by a reply). The
 * worker frees the job after the current batch of events.
 */
void ktlsd_job_abandon(struct ktlsd_job *j)
{
	let_go(j);
	j->state = KTLSD_JOB_REPLY;
	j->out.len = j->out_off = 0;
}

/**
 * ktlsd_job_reply_begin() - a buffer for the job's reply
 * @j: job
 * @cap: bytes, header included
 *
 * Return: 0, or -ENOMEM and the job is abandoned.
 */
int ktlsd_job_reply_begin(struct ktlsd_job *j, size_t cap)
{
	free(j->out.buf);
	j->out_off = 0;
	ktlsd_reply_init(&j->out, calloc(1, cap), cap);
	if (!j->out.buf) {
		ktlsd_job_abandon(j);
		return -ENOMEM;
	}
	return 0;
}

/*
 * An attribute did not fit: the reply would lack it, so an error goes
 * instead, and the log says which attribute (a ktlsd bug: every buffer is
 * sized for what is put in it). Return: 0, or -ENOMEM (abandoned).
 */
static int reply_overflow(struct ktlsd_job *j)
{
	const struct ktlsd_reply *r = &j->out;
	char text[256];

	snprintf(text, sizeof(text),
		 "ktlsd could not encode its reply: attribute %u of %zu bytes %s; this is a ktlsd bug",
		 r->err_type, r->err_len, r->err == -ENAMETOOLONG ?
		 "is longer than a string may be" : "did not fit");
	ktlsd_log(LOG_ERR, "reply uid=%u pid=%d result=internal: %s",
		  (unsigned int)j->uid, (int)j->pid, text);
	ktlsd_stats_reason(KTLS_R_INTERNAL);
	if (ktlsd_job_reply_begin(j, KTLSD_ERROR_REPLY_MAX))
		return -ENOMEM;
	ktlsd_reply_put_u32(&j->out, KTLSD_A_STATUS, (__u32)-EMSGSIZE);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_REASON, KTLS_R_INTERNAL);
	ktlsd_reply_put_str(&j->out, KTLSD_A_REASON_TEXT, text);
	if (ktlsd_reply_finish(&j->out)) {
		ktlsd_job_abandon(j);
		return -EMSGSIZE;
	}
	return 0;
}

/**
 * ktlsd_job_reply_send() - finish the reply and start writing it
 * @j: job whose reply was built after ktlsd_job_reply_begin()
 *
 * The TCP socket is ours no more.
 */
void ktlsd_job_reply_send(struct ktlsd_job *j)
{
	if (ktlsd_reply_finish(&j->out) && reply_overflow(j))
		return;
	let_go(j);
	j->state = KTLSD_JOB_REPLY;
	j->deadline = ktlsd_now_ms() + 5000;
	/* a small reply fits the socket buffer: usually done at once */
	ktlsd_job_client_event(j, EPOLLOUT);
}

/**
 * ktlsd_role_name() - "client" or "server"
 * @role: enum ktls_role
 *
 * Return: the name.
 */
const char *ktlsd_role_name(__u32 role)
{
	return role == KTLS_CLIENT ? "client" : "server";
}


/**
 * ktlsd_job_fail() - log, count and send a failure
 * @j: job
 * @status: negative errno for the reply
 * @reason: KTLS_R_* or KTLSD_R_*
 * @fmt: the sentence; outside strings in it escaped by the caller
 */
void ktlsd_job_fail(struct ktlsd_job *j, int status, unsigned int reason,
		    const char *fmt, ...)
{
	/* the wire's longest string, which KTLSD_ERROR_REPLY_MAX holds */
	char raw[KTLSD_MAX_STR + 1], text[KTLSD_MAX_STR + 1];
	va_list ap;
	bool refused = reason >= KTLSD_R_BASE;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* the parts are escaped by the callers; this catches any they missed */
	ktlsd_sanitize(text, sizeof(text), raw);
	if (status >= 0)
		status = -EPROTO;
	if (j->kreq) {
		/* answered by DONE, which also ends the job */
		ktlsd_kjob_failed(j, status, reason, text);
		return;
	}
	ktlsd_stats_reason(reason);
	if (j->req.type == KTLSD_MSG_HANDSHAKE && !refused) {
		atomic_fetch_add(&ktlsd_stats.failed, 1);
		ktlsd_stats_latency(ktlsd_now_ms() - j->start);
	} else if (refused) {
		atomic_fetch_add(&ktlsd_stats.refused, 1);
	}
	ktlsd_log(refused ? LOG_WARNING : LOG_INFO,
		  "%s peer=%s uid=%u pid=%d profile=%s role=%s result=%s ms=%lld: %s",
		  j->req.type == KTLSD_MSG_HANDSHAKE ? "handshake" : "request",
		  j->peer[0] ? j->peer : "-", (unsigned int)j->uid,
		  (int)j->pid,
		  j->req.profile[0] ? ktlsd_esc(j->req.profile) : "-",
		  ktlsd_role_name(j->req.role), ktls_daemon_reason_name(reason),
		  ktlsd_now_ms() - j->start, text);
	if (ktlsd_job_reply_begin(j, KTLSD_ERROR_REPLY_MAX))
		return;
	ktlsd_reply_put_u32(&j->out, KTLSD_A_STATUS, (__u32)status);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_REASON, reason);
	ktlsd_reply_put_str(&j->out, KTLSD_A_REASON_TEXT, text);
	ktlsd_job_reply_send(j);
}

