// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One job per application connection: read and check the request, admit
 * it against the limits (or queue it, or refuse it), drive the handshake
 * with ktls_handshake_step() as the TCP socket becomes ready, switch the
 * socket to kernel TLS, and write the reply. Every path ends in
 * ktlsd_job_free(), which is the one place descriptors and the session are
 * released.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktlsd.h"

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * What each uid holds, so that no uid can starve the others: handshakes
 * in flight (max_per_uid), connections accepted and not yet answered
 * (max_pending_per_uid, each worth up to two descriptors), and when it
 * was last given a slot (the queue serves the least recently served uid
 * first). An entry lives while the uid holds anything.
 */
struct uid_count {
	struct uid_count *next;
	uid_t uid;
	unsigned int n;
	unsigned int pending;
	unsigned long served;
	bool capped;		/* at max_pending_per_uid: logged once */
};

static struct uid_count *uid_counts;
static unsigned int slots_used;
static unsigned long serve_clock;

/* Under slot_lock. */
static struct uid_count **uid_find(uid_t uid)
{
	struct uid_count **pp;

	for (pp = &uid_counts; *pp; pp = &(*pp)->next)
		if ((*pp)->uid == uid)
			break;
	return pp;
}

/* Under slot_lock: the entry for @uid, made if missing; NULL: no memory. */
static struct uid_count *uid_get(uid_t uid)
{
	struct uid_count **pp = uid_find(uid);

	if (!*pp) {
		*pp = calloc(1, sizeof(**pp));
		if (*pp)
			(*pp)->uid = uid;
	}
	return *pp;
}

/* Under slot_lock: forget @uid when it holds nothing any more. */
static void uid_drop_idle(uid_t uid)
{
	struct uid_count **pp = uid_find(uid), *u = *pp;

	if (u && !u->n && !u->pending) {
		*pp = u->next;
		free(u);
	}
}

/**
 * ktlsd_slot_get() - take a handshake slot for @uid
 * @conf: limits
 * @uid: asking uid
 *
 * Return: 0, -EBUSY when max_handshakes are in flight, -EUSERS when @uid
 * has max_per_uid in flight, -ENOMEM.
 */
int ktlsd_slot_get(const struct ktlsd_conf *conf, uid_t uid)
{
	struct uid_count *u;
	int ret = 0;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	if (slots_used >= conf->max_handshakes) {
		ret = -EBUSY;
	} else if (u && u->n >= conf->max_per_uid) {
		ret = -EUSERS;
	} else {
		u = uid_get(uid);
		if (!u) {
			ret = -ENOMEM;
			goto out;
		}
		u->n++;
		u->served = ++serve_clock;
		slots_used++;
	}
out:
	pthread_mutex_unlock(&slot_lock);
	if (!ret)
		atomic_fetch_add(&ktlsd_stats.in_flight, 1);
	return ret;
}

/**
 * ktlsd_slot_put() - give a handshake slot back
 * @uid: the uid that took it
 */
void ktlsd_slot_put(uid_t uid)
{
	struct uid_count *u;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	if (u && u->n)
		u->n--;
	uid_drop_idle(uid);
	slots_used--;
	pthread_mutex_unlock(&slot_lock);
	atomic_fetch_sub(&ktlsd_stats.in_flight, 1);
	/* the queue may be another worker's: each serves its own */
	if (atomic_load(&ktlsd_stats.queued))
		ktlsd_workers_wake();
}

/**
 * ktlsd_uid_served() - when @uid was last given a handshake slot
 * @uid: uid
 *
 * Return: a stamp that grows with every slot given, 0 for never (or not
 * since @uid last held nothing).
 */
unsigned long ktlsd_uid_served(uid_t uid)
{
	struct uid_count *u;
	unsigned long v;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	v = u ? u->served : 0;
	pthread_mutex_unlock(&slot_lock);
	return v;
}

/*
 * Count an accepted connection against its uid. Return: 0, -EUSERS at
 * max_pending_per_uid (*first set the first time since the uid last
 * held nothing: one log line per episode, not one per connection), -ENOMEM.
 */
static int pending_get(const struct ktlsd_conf *conf, uid_t uid, bool *first)
{
	struct uid_count *u;
	int ret = 0;

	*first = false;
	pthread_mutex_lock(&slot_lock);
	u = uid_get(uid);
	if (!u) {
		ret = -ENOMEM;
	} else if (u->pending >= conf->max_pending_per_uid) {
		*first = !u->capped;
		u->capped = true;
		ret = -EUSERS;
	} else {
		u->pending++;
	}
	if (ret)
		uid_drop_idle(uid);
	pthread_mutex_unlock(&slot_lock);
	return ret;
}

static void pending_put(uid_t uid)
{
	struct uid_count *u;

	pthread_mutex_lock(&slot_lock);
	u = *uid_find(uid);
	if (u && u->pending)
		u->pending--;
	uid_drop_idle(uid);
	pthread_mutex_unlock(&slot_lock);
}

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
	unsigned char msg[512];
	struct ktlsd_hdr h = {
		.magic = KTLSD_MAGIC,
		.version = KTLSD_PROTO_VERSION,
		.type = KTLSD_MSG_REPLY,
	};
	char text[200];
	size_t off = 0;
	unsigned char *a = msg + sizeof(h);
	size_t cap = sizeof(msg) - sizeof(h);

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
	ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_STATUS, (__u32)-EBUSY);
	ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_REASON, KTLSD_R_BUSY);
	ktlsd_attr_put_str(a, cap, &off, KTLSD_A_REASON_TEXT, text);
	h.len = off;
	memcpy(msg, &h, sizeof(h));
	if (send(j->cfd, msg, sizeof(h) + off, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
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
	ret = pending_get(conf, j->uid, &first);
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
	pending_put(j->uid);
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
		pending_put(j->uid);
	if (j->state == KTLSD_JOB_QUEUED)
		atomic_fetch_sub(&ktlsd_stats.queued, 1);
	ktlsd_conf_put(j->conf);
	free(j->out);
	explicit_bzero(j->buf, j->have);
	free(j);
}

/* ---- replies ---------------------------------------------------------- */

static int reply_begin(struct ktlsd_job *j, size_t cap)
{
	free(j->out);
	j->out = calloc(1, cap);
	if (!j->out)
		return -ENOMEM;
	j->out_cap = cap;
	j->out_len = sizeof(struct ktlsd_hdr);
	j->out_off = 0;
	return 0;
}

static void put(struct ktlsd_job *j, __u16 type, const void *v, size_t n)
{
	size_t off = j->out_len - sizeof(struct ktlsd_hdr);

	/* the buffer is sized for every attribute we send; never overflows */
	if (!ktlsd_attr_put(j->out + sizeof(struct ktlsd_hdr),
			    j->out_cap - sizeof(struct ktlsd_hdr), &off,
			    type, v, n))
		j->out_len = off + sizeof(struct ktlsd_hdr);
}

static void put_u32(struct ktlsd_job *j, __u16 type, __u32 v)
{
	put(j, type, &v, sizeof(v));
}

static void put_str(struct ktlsd_job *j, __u16 type, const char *s)
{
	size_t n = strlen(s);

	put(j, type, s, n > KTLSD_MAX_STR ? KTLSD_MAX_STR : n);
}

/* Finish the reply and start writing it; the TCP socket is ours no more. */
static void reply_send(struct ktlsd_job *j)
{
	struct ktlsd_hdr h = {
		.magic = KTLSD_MAGIC,
		.version = KTLSD_PROTO_VERSION,
		.type = KTLSD_MSG_REPLY,
		.len = j->out_len - sizeof(h),
	};

	memcpy(j->out, &h, sizeof(h));
	close_peer(j);
	if (j->slot) {
		ktlsd_slot_put(j->uid);
		j->slot = false;
	}
	if (j->state == KTLSD_JOB_QUEUED)
		atomic_fetch_sub(&ktlsd_stats.queued, 1);
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

/*
 * The kernel's requests end in DONE instead of a reply (kjob.c). The
 * socket was given back by then: close our descriptor, free the slot.
 */
static void kernel_finish(struct ktlsd_job *j)
{
	close_peer(j);
	if (j->slot) {
		ktlsd_slot_put(j->uid);
		j->slot = false;
	}
	j->state = KTLSD_JOB_REPLY;
	j->out_len = j->out_off = 0;
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
	char raw[512], text[1024];
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
		ktlsd_kjob_failed(j, status, reason, text);
		kernel_finish(j);
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
	if (reply_begin(j, 1024)) {
		j->state = KTLSD_JOB_REPLY;
		j->out_len = 0;
		return;
	}
	put_u32(j, KTLSD_A_STATUS, (__u32)status);
	put_u32(j, KTLSD_A_REASON, reason);
	put_str(j, KTLSD_A_REASON_TEXT, text);
	reply_send(j);
}

/* ---- the handshake ---------------------------------------------------- */

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
		ktlsd_kjob_ok(j);
		kernel_finish(j);
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
	if (reply_begin(j, 2048)) {
		j->state = KTLSD_JOB_REPLY;
		j->out_len = 0;
		return;
	}
	put_u32(j, KTLSD_A_STATUS, 0);
	put_u32(j, KTLSD_A_VERSION, info.version);
	put_str(j, KTLSD_A_CIPHER, info.cipher);
	put_u32(j, KTLSD_A_KERNEL_CIPHER, info.kernel_cipher);
	put_str(j, KTLSD_A_ALPN, info.alpn);
	put_str(j, KTLSD_A_SERVER_NAME, info.server_name);
	put_str(j, KTLSD_A_PEER, peer);
	put_u32(j, KTLSD_A_RESUMED, !!info.resumed);
	put_u32(j, KTLSD_A_TX_CARRIER, info.tx);
	put_u32(j, KTLSD_A_RX_CARRIER, info.rx);
	if (id) {
		put(j, KTLSD_A_SESSION_ID, &id, sizeof(id));
		put_u32(j, KTLSD_A_KEEP_MS, keep_ms);
	}
	reply_send(j);
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

/* ---- requests ---------------------------------------------------------- */

/**
 * ktlsd_job_check_socket() - is the job's descriptor a TCP socket; its peer
 * @j: job; @j->peer is set to "host:port"
 * @connected: it must be connected (a handshake)
 *
 * A ticket handed back needs no connection (it is fed to wolfSSL in
 * memory), and a KeyUpdate on a closed socket fails with libktls's own
 * sentence.
 *
 * Return: 0 or a negative errno.
 */
int ktlsd_job_check_socket(struct ktlsd_job *j, bool connected)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	char host[INET6_ADDRSTRLEN];
	struct stat st;
	int v, port;

	if (fstat(j->tfd, &st) || !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (getsockopt(j->tfd, SOL_SOCKET, SO_PROTOCOL, &v, &len) ||
	    v != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	len = sizeof(ss);
	if (getpeername(j->tfd, (struct sockaddr *)&ss, &len))
		return connected ? -ENOTCONN : 0;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(j->peer, sizeof(j->peer), "%s:%d", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(j->peer, sizeof(j->peer), "[%s]:%d", host, port);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

static void do_stats(struct ktlsd_job *j)
{
	char *text = malloc(KTLSD_MAX_MSG - 64);
	int n;

	if (!text || reply_begin(j, KTLSD_MAX_MSG)) {
		free(text);
		ktlsd_job_fail(j, -ENOMEM, KTLS_R_INTERNAL, "out of memory");
		return;
	}
	n = ktlsd_stats_text(text, KTLSD_MAX_MSG - 64);
	put_u32(j, KTLSD_A_STATUS, 0);
	put(j, KTLSD_A_TEXT, text, n);
	free(text);
	reply_send(j);
}

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

/* Hand-back of a kept TLS 1.3 session: KeyUpdate, ticket, or our rekey. */
static void do_session(struct ktlsd_job *j)
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
	if (reply_begin(j, 256)) {
		ktlsd_kept_free(k);
		j->state = KTLSD_JOB_REPLY;
		j->out_len = 0;
		return;
	}
	put_u32(j, KTLSD_A_STATUS, 0);
	put(j, KTLSD_A_SESSION_ID, &k->id, sizeof(k->id));
	put_u32(j, KTLSD_A_KEEP_MS, k->conf->keep_ms);
	ktlsd_keep_put_back(k, k->conf->keep_ms);
	reply_send(j);
}

static void do_handshake(struct ktlsd_job *j)
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

static void dispatch(struct ktlsd_job *j)
{
	struct ktlsd_hdr h;
	const char *why;
	bool wants_fd;
	int ret;

	memcpy(&h, j->buf, sizeof(h));
	j->req.type = h.type;
	j->conf = ktlsd_current_conf();
	wants_fd = ktlsd_request_wants_fd(h.type);
	if (j->extra_fds) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    "request carried more than one descriptor");
		return;
	}
	if (wants_fd != (j->tfd >= 0)) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    wants_fd ? "request carried no socket (send it as SCM_RIGHTS)" :
			    "stats request must not carry a descriptor");
		return;
	}
	if (ktlsd_request_parse(j->buf, j->have, &j->req, &why)) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    "malformed request: %s", why);
		return;
	}
	if (h.type == KTLSD_MSG_STATS) {
		do_stats(j);
		return;
	}
	ret = ktlsd_job_check_socket(j, h.type == KTLSD_MSG_HANDSHAKE);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLSD_R_BAD_SOCKET,
			    "the descriptor is not a connected TCP socket (%s)",
			    strerror(-ret));
		return;
	}
	if (h.type == KTLSD_MSG_HANDSHAKE)
		do_handshake(j);
	else
		do_session(j);
}

/* Take the descriptors that came with the bytes. */
static void take_fds(struct ktlsd_job *j, struct msghdr *mh)
{
	struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		j->extra_fds = true;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (j->tfd < 0 && !j->extra_fds) {
				j->tfd = fd;
			} else {
				close(fd);
				j->extra_fds = true;
			}
		}
	}
}

static void read_request(struct ktlsd_job *j)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct ktlsd_hdr h;
	size_t want = sizeof(h);
	const char *why;
	ssize_t n;
	int ret;

	for (;;) {
		struct iovec iov;
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};

		if (j->have >= sizeof(h)) {
			memcpy(&h, j->buf, sizeof(h));
			ret = ktlsd_request_header(&h, &why);
			if (ret) {
				ktlsd_job_fail(j, ret, KTLSD_R_BAD_REQUEST,
					    "%s (version %u, type %u, length %u, flags %#x)",
					    why, h.version, h.type, h.len, h.flags);
				return;
			}
			want = sizeof(h) + h.len;
			if (j->have == want) {
				dispatch(j);
				return;
			}
		}
		iov.iov_base = j->buf + j->have;
		iov.iov_len = want - j->have;
		n = recvmsg(j->cfd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n > 0) {
			take_fds(j, &mh);
			j->have += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* the application went away before asking anything */
		j->state = KTLSD_JOB_REPLY;
		j->out_len = 0;
		return;
	}
}

static void write_reply(struct ktlsd_job *j)
{
	ssize_t n;

	while (j->out_off < j->out_len) {
		n = send(j->cfd, j->out + j->out_off, j->out_len - j->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			j->out_off += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ktlsd_epoll_set(j->w, j->cfd, &j->hc, EPOLLOUT,
					&j->cfd_added);
			return;
		}
		/* the application is gone; nothing more to say */
		j->out_len = j->out_off = 0;
		return;
	}
}

/**
 * ktlsd_job_client_event() - the application's connection is ready
 * @j: job
 * @events: epoll events
 *
 * The worker frees the job once it is in KTLSD_JOB_REPLY with nothing left
 * to write.
 */
void ktlsd_job_client_event(struct ktlsd_job *j, unsigned int events)
{
	switch (j->state) {
	case KTLSD_JOB_REQUEST:
		read_request(j);
		break;
	case KTLSD_JOB_QUEUED:
	case KTLSD_JOB_HANDSHAKE:
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
			/* the application died or gave up: stop, no reply */
			atomic_fetch_add(&ktlsd_stats.client_gone, 1);
			ktlsd_log(LOG_INFO,
				  "handshake peer=%s uid=%u pid=%d profile=%s result=client-gone ms=%lld",
				  j->peer, (unsigned int)j->uid, (int)j->pid,
				  ktlsd_esc(j->req.profile),
				  ktlsd_now_ms() - j->start);
			close_peer(j);
			if (j->state == KTLSD_JOB_QUEUED)
				atomic_fetch_sub(&ktlsd_stats.queued, 1);
			j->state = KTLSD_JOB_REPLY;
			j->out_len = j->out_off = 0;
		}
		break;
	case KTLSD_JOB_REPLY:
		if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLOUT))
			j->out_len = j->out_off = 0;
		write_reply(j);
		break;
	}
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

/**
 * ktlsd_job_tick() - deadlines and shutdown
 * @j: job
 * @now: ms
 * @draining: SIGTERM was received
 */
void ktlsd_job_tick(struct ktlsd_job *j, long long now, bool draining)
{
	/* whatever a job waits for, SIGTERM's grace ends the wait */
	bool drained = draining && now >= ktlsd.drain_deadline;

	switch (j->state) {
	case KTLSD_JOB_REQUEST:
		if (drained) {
			j->conf = j->conf ? j->conf : ktlsd_current_conf();
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd stopped before the request was complete (drain_timeout)");
			break;
		}
		/*
		 * A busy loop may not have read a request that did arrive in
		 * time: read what is there before calling it late.
		 */
		if (now >= j->deadline)
			read_request(j);
		if (j->state == KTLSD_JOB_REQUEST && now >= j->deadline) {
			j->conf = j->conf ? j->conf : ktlsd_current_conf();
			ktlsd_job_fail(j, -ETIMEDOUT, KTLSD_R_BAD_REQUEST,
				    "request incomplete after %u ms",
				    j->conf->request_timeout_ms);
		}
		break;
	case KTLSD_JOB_QUEUED:
		if (draining)
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd is shutting down; the handshake was still queued");
		else if (now >= j->deadline)
			ktlsd_job_fail(j, -EBUSY, KTLSD_R_BUSY,
				    "waited %u ms in the queue for one of max_handshakes = %u (max_per_uid = %u) slots: ktlsd is overloaded",
				    j->conf->queue_timeout_ms,
				    j->conf->max_handshakes,
				    j->conf->max_per_uid);
		break;
	case KTLSD_JOB_HANDSHAKE:
		if (now >= j->deadline)
			ktlsd_job_fail(j, -ETIMEDOUT, KTLS_R_TIMEOUT,
				    "peer stalled: handshake not finished after %u ms",
				    j->timeout_ms);
		else if (draining && now >= ktlsd.drain_deadline)
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd stopped before the handshake finished (drain_timeout)");
		break;
	case KTLSD_JOB_REPLY:
		if (now >= j->deadline || drained)
			j->out_len = j->out_off = 0;
		break;
	}
}
