// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The handshake of one request: check the profile, admit the request
 * against the limits (or queue it, or refuse it), drive the handshake with
 * ktls_handshake_step() as the TCP socket becomes ready, switch the socket
 * to kernel TLS and build the reply. The kernel's requests (kjob.c) share
 * the driving and end in DONE instead of a reply.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "ktlsd.h"

static void fail_from_session(struct ktlsd_job *j, int ret)
{
	enum ktls_reason r = ktls_reason(j->s);
	const char *text = ktls_reason_text(j->s);

	if (r == KTLS_R_NONE)
		r = ret == -ENOMEM ? KTLS_R_INTERNAL : KTLS_R_PROTOCOL;
	if (j->offered_ticket)
		ktlsd_ticket_drop(j->req.profile, j->req.sni);
	if (!text[0])
		text = strerror(-ret);
	/* libktls names the context's server name; ours is per request */
	if (r == KTLS_R_HOSTNAME_MISMATCH && j->req.sni[0] &&
	    !strstr(text, j->req.sni))
		ktlsd_job_fail(j, ret, r, "%s (asked for %s)",
			    ktlsd_esc_text(text), ktlsd_quote(j->req.sni));
	else
		ktlsd_job_fail(j, ret, r, "%s", ktlsd_esc_text(text));
}

static void keep_or_free(struct ktlsd_job *j, const struct ktls_info *info,
			 uint64_t *id)
{
	const struct ktlsd_conf *c = j->conf;
	unsigned int keep_ms = c->keep_ms, keep_max = c->keep_max;
	struct ktls_ticket *t;
	struct ktlsd_kept *k;

	*id = 0;
	/*
	 * wolfSSL offers only the version of the session it resumes: a TLS
	 * 1.2 ticket would pin later handshakes to TLS 1.2, so it is kept
	 * only for profiles that stop at 1.2 anyway.
	 */
	if (j->req.role == KTLS_CLIENT && info->version == KTLS_TLS_1_2 &&
	    j->prof->max_version == KTLS_TLS_1_2 &&
	    !ktls_session_get_ticket(j->s, &t))
		ktlsd_ticket_put(j->req.profile, j->req.sni, t, c->ticket_ms,
				 c->tickets_max);
	if (info->version != KTLS_TLS_1_3 || !keep_max || !keep_ms)
		return;
	k = calloc(1, sizeof(*k));
	if (!k)
		return;
	ktls_session_rebind(j->s, -1);
	k->s = j->s;
	k->conf = j->conf;
	k->uid = j->uid;
	snprintf(k->profile, sizeof(k->profile), "%s", j->req.profile);
	snprintf(k->sni, sizeof(k->sni), "%s", j->req.sni);
	/* the store owns both now */
	j->s = NULL;
	j->conf = NULL;
	if (ktlsd_keep_add(k, keep_ms, keep_max, id))
		*id = 0;
}

static void reply_ok(struct ktlsd_job *j)
{
	struct ktls_info info;
	char peer[256];
	unsigned int keep_ms = j->conf->keep_ms;
	long long ms = ktlsd_now_ms() - j->start;
	uint64_t id;

	if (j->kreq) {
		/* answered by DONE, which also ends the job */
		ktlsd_kjob_ok(j);
		return;
	}
	ktls_get_info(j->s, &info);
	ktls_peer_identity(j->s, peer, sizeof(peer));
	if (j->req.role == KTLS_CLIENT)
		snprintf(info.server_name, sizeof(info.server_name), "%s",
			 j->req.sni);
	atomic_fetch_add(&ktlsd_stats.ok, 1);
	atomic_fetch_add(&ktlsd_stats.carrier[info.tx % 3], 1);
	if (info.resumed)
		atomic_fetch_add(&ktlsd_stats.resumed, 1);
	ktlsd_stats_latency(ms);
	ktlsd_log(LOG_INFO,
		  "handshake peer=%s uid=%u pid=%d profile=%s role=%s result=ok version=%s cipher=%s alpn=%s sni=%s resumed=%d tx=%s rx=%s ms=%lld subject=%s",
		  j->peer, (unsigned int)j->uid, (int)j->pid,
		  ktlsd_esc(j->req.profile), ktlsd_role_name(j->req.role),
		  info.version == KTLS_TLS_1_3 ? "1.3" : "1.2",
		  ktlsd_esc(info.cipher),
		  info.alpn[0] ? ktlsd_esc(info.alpn) : "-",
		  info.server_name[0] ? ktlsd_esc(info.server_name) : "-",
		  info.resumed, ktls_carrier_name(info.tx),
		  ktls_carrier_name(info.rx), ms,
		  peer[0] ? ktlsd_esc(peer) : "-");
	keep_or_free(j, &info, &id);
	if (ktlsd_job_reply_begin(j, 2048))
		return;
	ktlsd_reply_put_u32(&j->out, KTLSD_A_STATUS, 0);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_VERSION, info.version);
	ktlsd_reply_put_str(&j->out, KTLSD_A_CIPHER, info.cipher);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_KERNEL_CIPHER, info.kernel_cipher);
	ktlsd_reply_put_str(&j->out, KTLSD_A_ALPN, info.alpn);
	ktlsd_reply_put_str(&j->out, KTLSD_A_SERVER_NAME, info.server_name);
	ktlsd_reply_put_str(&j->out, KTLSD_A_PEER, peer);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_RESUMED, !!info.resumed);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_TX_CARRIER, info.tx);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_RX_CARRIER, info.rx);
	if (id) {
		ktlsd_reply_put(&j->out, KTLSD_A_SESSION_ID, &id, sizeof(id));
		ktlsd_reply_put_u32(&j->out, KTLSD_A_KEEP_MS, keep_ms);
	}
	ktlsd_job_reply_send(j);
}

/*
 * The application does no TLS of its own: "ok" must mean the kernel carries
 * both directions, or its first write would leave in the clear. libktls
 * already fails ktls_offload() when it cannot (the peer closed early); ask
 * the kernel itself as well.
 */
static bool check_kernel_both(struct ktlsd_job *j)
{
	int ret = ktls_fd_check_kernel(j->tfd);

	if (!ret)
		return true;
	shutdown(j->tfd, SHUT_RDWR);
	ktlsd_job_fail(j, ret, KTLS_R_INTERNAL,
		    "the handshake finished but the kernel does not carry both directions of the socket (%s); it was shut down so that nothing is sent in the clear",
		    strerror(-ret));
	return false;
}

/**
 * ktlsd_job_drive() - one step of the handshake; ends in the reply
 * @j: job in KTLSD_JOB_HANDSHAKE
 */
void ktlsd_job_drive(struct ktlsd_job *j)
{
	int ret, want;

	ret = ktls_handshake_step(j->s, &want);
	if (ret == -EAGAIN) {
		if (ktlsd_epoll_set(j->w, j->tfd, &j->ht,
				    want == KTLS_WANT_WRITE ? EPOLLOUT : EPOLLIN,
				    &j->tfd_added))
			ktlsd_job_fail(j, -errno, KTLS_R_INTERNAL,
				    "cannot watch the socket: %s",
				    strerror(errno));
		return;
	}
	if (!ret)
		ret = ktls_offload(j->s);
	if (ret)
		fail_from_session(j, ret);
	else if (check_kernel_both(j))
		reply_ok(j);
}

static void start_handshake(struct ktlsd_job *j)
{
	const struct ktlsd_profile *p = j->prof;
	const char *alpn = j->req.alpn[0] ? j->req.alpn : p->alpn;
	unsigned int tmo;
	int ret;

	if (j->state == KTLSD_JOB_QUEUED)
		atomic_fetch_sub(&ktlsd_stats.queued, 1);
	j->state = KTLSD_JOB_HANDSHAKE;
	/* from now on only a hang-up on the connection matters */
	ktlsd_epoll_set(j->w, j->cfd, &j->hc, EPOLLRDHUP, &j->cfd_added);
	tmo = j->timeout_ms ? j->timeout_ms : j->conf->handshake_timeout_ms;
	if (tmo > j->conf->max_timeout_ms)
		tmo = j->conf->max_timeout_ms;
	j->deadline = ktlsd_now_ms() + tmo;
	j->timeout_ms = tmo;
	ret = ktls_session_new(p->ctx, j->tfd, &j->s);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLS_R_INTERNAL,
			    "cannot start a TLS session: %s", strerror(-ret));
		return;
	}
	if (j->req.role == KTLS_CLIENT) {
		if (!j->req.sni[0] && p->server_name)
			snprintf(j->req.sni, sizeof(j->req.sni), "%s", p->server_name);
		if (j->req.sni[0] && ktls_session_set_server_name(j->s, j->req.sni)) {
			ktlsd_job_fail(j, -EINVAL, KTLSD_R_BAD_REQUEST,
				    "server name %s was rejected",
				    ktlsd_quote(j->req.sni));
			return;
		}
		if (p->max_version == KTLS_TLS_1_2)
			ktls_session_request_ticket(j->s);
		j->offered_ticket = ktlsd_ticket_use(j->req.profile, j->req.sni, j->s);
	}
	if (alpn && ktls_session_set_alpn(j->s, alpn)) {
		ktlsd_job_fail(j, -EINVAL, KTLSD_R_BAD_REQUEST,
			    "ALPN list %s was rejected", ktlsd_quote(alpn));
		return;
	}
	ktlsd_job_drive(j);
}

/**
 * ktlsd_job_admit() - start a queued handshake if a slot is free
 * @j: job in KTLSD_JOB_QUEUED
 *
 * Return: 0 when it left the queue, -EBUSY when no slot is free, -EUSERS
 * when its uid is at max_per_uid, -ENOMEM.
 */
int ktlsd_job_admit(struct ktlsd_job *j)
{
	int ret = ktlsd_slot_get(j->conf, j->uid);

	if (ret)
		return ret;
	j->slot = true;
	start_handshake(j);
	return 0;
}


/**
 * ktlsd_job_handshake() - a handshake request, decoded and checked
 * @j: job whose socket is a connected TCP socket
 */
void ktlsd_job_handshake(struct ktlsd_job *j)
{
	const struct ktlsd_profile *p;
	int ret;

	if (atomic_load(&ktlsd.draining)) {
		ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
			    "ktlsd is shutting down and takes no new handshakes");
		return;
	}
	p = ktlsd_profile_find(j->conf, j->req.profile);
	if (!p) {
		ktlsd_job_fail(j, -ENOENT, KTLSD_R_NO_PROFILE,
			    "no profile %s in %s", ktlsd_quote(j->req.profile),
			    ktlsd_esc(j->conf->path));
		return;
	}
	if (!ktlsd_profile_allows(p, j->uid, j->gid, j->groups, j->ngroups)) {
		ktlsd_job_fail(j, -EACCES, KTLSD_R_DENIED,
			    "uid %u (gid %u) may not use profile %s: add it to allow_uid or allow_gid in %s",
			    (unsigned int)j->uid, (unsigned int)j->gid,
			    ktlsd_quote(j->req.profile),
			    ktlsd_esc(j->conf->path));
		return;
	}
	if (p->role != j->req.role) {
		ktlsd_job_fail(j, -EINVAL, KTLSD_R_BAD_REQUEST,
			    "profile %s is for the %s role, the request asks for %s",
			    ktlsd_quote(j->req.profile), ktlsd_role_name(p->role),
			    ktlsd_role_name(j->req.role));
		return;
	}
	j->prof = p;
	/* the request's own timeout; start_handshake() bounds it */
	j->timeout_ms = j->req.timeout_ms;
	/*
	 * While others wait, a newcomer waits too, and the worker's next
	 * pass over the queue (right after this batch) picks whom to serve:
	 * the least recently served uid first, skipping uids at
	 * max_per_uid, so that no uid holds back the others.
	 */
	ret = atomic_load(&ktlsd_stats.queued) ? -EAGAIN :
	      ktlsd_slot_get(j->conf, j->uid);
	if (!ret) {
		j->slot = true;
		start_handshake(j);
		return;
	}
	if ((unsigned int)atomic_load(&ktlsd_stats.queued) <
	    j->conf->queue_max && j->conf->queue_timeout_ms) {
		j->state = KTLSD_JOB_QUEUED;
		atomic_fetch_add(&ktlsd_stats.queued, 1);
		j->deadline = ktlsd_now_ms() + j->conf->queue_timeout_ms;
		ktlsd_epoll_set(j->w, j->cfd, &j->hc, EPOLLRDHUP,
				&j->cfd_added);
		j->w->admit_now = true;
		return;
	}
	if (ret == -EUSERS)
		ktlsd_job_fail(j, -EBUSY, KTLSD_R_BUSY,
			    "uid %u already has max_per_uid = %u handshakes in flight and the queue is full",
			    (unsigned int)j->uid, j->conf->max_per_uid);
	else
		ktlsd_job_fail(j, -EBUSY, KTLSD_R_BUSY,
			    "ktlsd runs max_handshakes = %u handshakes and the queue is full: try again later",
			    j->conf->max_handshakes);
}


/**
 * ktlsd_job_peer_event() - the TCP socket is ready for the handshake
 * @j: job
 * @events: epoll events
 */
void ktlsd_job_peer_event(struct ktlsd_job *j, unsigned int events)
{
	if (j->state == KTLSD_JOB_HANDSHAKE)
		ktlsd_job_drive(j);
}
