// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sessions that ktlsd runs: a context from ktls_ctx_new_daemon() makes
 * sessions without wolfSSL. Their handshake is one request to the daemon,
 * stepped like an in-process one (its Unix socket is what to poll); after
 * it they are offloaded sessions like any other, with two differences
 * that only ktlsd, which keeps the keys, can serve: post-handshake
 * messages from the peer and the change of our TX key. The session calls
 * branch here for those, and for what only the daemon's answer knows.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <ktls/ktlsd.h>

/* The daemon's default handshake timeout, and what we wait beyond it. */
#define DAEMON_DEFAULT_MS	30000
#define DAEMON_MARGIN_MS	1000

struct __ktls_dctx {
	struct ktls_daemon_request req;	/* its strings are ours */
	/* ktlsd said this kernel cannot change kTLS keys: stop asking */
	atomic_bool rekey_impossible;
};

struct __ktls_dsess {
	struct ktls_daemon_op *op;	/* the handshake in flight */
	char *server_name;		/* replacing the context's */
	char *alpn;
	uint64_t session_id;		/* ktlsd keeps the session, or 0 */
	struct ktls_info info;
	char peer[256];
};

static int dup_str(const char **dst, const char *src)
{
	char *p;

	*dst = NULL;
	if (!src)
		return 0;
	p = strdup(src);
	if (!p)
		return -ENOMEM;
	*dst = p;
	return 0;
}

static void free_req(struct ktls_daemon_request *r)
{
	free((char *)r->socket_path);
	free((char *)r->profile);
	free((char *)r->server_name);
	free((char *)r->alpn);
}

/**
 * ktls_ctx_new_daemon_sized() - a context whose sessions ktlsd runs
 * @req: what to ask ktlsd for each session (the strings are copied)
 * @size: sizeof(*@req) as the caller knows it (ktls_ctx_new_daemon()
 *	passes it)
 * @ctxp: the new context; set even on failure (for ktls_ctx_error()),
 *	free it with ktls_ctx_free()
 *
 * Nothing is asked of ktlsd here: each session's first
 * ktls_handshake_step() sends its request.
 *
 * Return: 0, -EINVAL (no profile, a role that is neither, @size below
 * KTLS_DAEMON_REQUEST_SIZE_VER0), -E2BIG (a field this library does not
 * know is set), -ENOMEM.
 */
KTLS_EXPORT int ktls_ctx_new_daemon_sized(const struct ktls_daemon_request *req,
					  size_t size, struct ktls_ctx **ctxp)
{
	struct ktls_daemon_request r;
	struct ktls_ctx *ctx;
	struct __ktls_dctx *d;
	int ret;

	*ctxp = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	*ctxp = ctx;
	ret = __ktls_daemon_request_copy(&r, req, size);
	if (ret)
		return __ktls_ctx_err(ctx, ret, ret == -E2BIG ?
				      "the daemon request sets fields this libktls does not know (size %zu)" :
				      "the daemon request is too small for this libktls (size %zu)",
				      size);
	if (!r.profile || !*r.profile ||
	    (r.role != KTLS_CLIENT && r.role != KTLS_SERVER))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "a daemon request needs a profile and a role");
	d = calloc(1, sizeof(*d));
	if (!d)
		goto err_nomem;
	ctx->daemon = d;
	d->req = r;
	d->req.socket_path = d->req.profile = NULL;
	d->req.server_name = d->req.alpn = NULL;
	if (dup_str(&d->req.socket_path, r.socket_path) ||
	    dup_str(&d->req.profile, r.profile) ||
	    dup_str(&d->req.server_name, r.server_name) ||
	    dup_str(&d->req.alpn, r.alpn))
		goto err_nomem;
	ctx->cfg.role = r.role;
	ctx->cfg.rekey_records = r.rekey_records;
	/* ktls_connect()/ktls_accept() wait a little longer than ktlsd */
	ctx->cfg.handshake_timeout_ms = DAEMON_MARGIN_MS +
		(r.timeout_ms ? r.timeout_ms : DAEMON_DEFAULT_MS);
	return 0;

err_nomem:
	return __ktls_ctx_err(ctx, -ENOMEM, "out of memory");
}

/**
 * __ktls_daemon_ctx_free() - the daemon part of ktls_ctx_free()
 * @ctx: context, daemon or not
 */
void __ktls_daemon_ctx_free(struct ktls_ctx *ctx)
{
	if (!ctx->daemon)
		return;
	free_req(&ctx->daemon->req);
	free(ctx->daemon);
	ctx->daemon = NULL;
}

/**
 * __ktls_daemon_session_init() - make @s a session ktlsd will run
 * @s: new session of a daemon context, without wolfSSL
 *
 * Return: 0 or -ENOMEM.
 */
int __ktls_daemon_session_init(struct ktls_session *s)
{
	s->daemon = calloc(1, sizeof(*s->daemon));
	return s->daemon ? 0 : -ENOMEM;
}

/**
 * __ktls_daemon_session_free() - the daemon part of ktls_session_free()
 * @s: session, daemon or not
 *
 * A handshake still in flight is dropped: ktlsd stops it.
 */
void __ktls_daemon_session_free(struct ktls_session *s)
{
	struct __ktls_dsess *d = s->daemon;

	if (!d)
		return;
	ktls_daemon_op_free(d->op);
	free(d->server_name);
	free(d->alpn);
	free(d);
	s->daemon = NULL;
}

/**
 * __ktls_daemon_set_name() - a server name or ALPN list for this session
 * @s: daemon session before its handshake started
 * @name: the value, or NULL for the context's
 * @alpn: @name is the ALPN list, not the server name
 *
 * Return: 0, -EINVAL once the request went out, -ENOMEM.
 */
int __ktls_daemon_set_name(struct ktls_session *s, const char *name,
			   bool alpn)
{
	struct __ktls_dsess *d = s->daemon;
	char **dst = alpn ? &d->alpn : &d->server_name;
	char *p = NULL;

	if (d->op || s->done || s->reason)
		return -EINVAL;
	if (name && *name) {
		p = strdup(name);
		if (!p)
			return -ENOMEM;
	}
	free(*dst);
	*dst = p;
	return 0;
}

/* The daemon's failure, as the session's reason and sentence. */
static int daemon_failed(struct ktls_session *s, int err,
			 const struct ktls_daemon_result *res)
{
	const char *text = res->text[0] ? res->text : strerror(-err);

	/* say who failed, once: our own sentences name ktlsd already */
	return __ktls_fail(s, res->reason ? res->reason : KTLS_R_INTERNAL,
			   err, "%s%s", strstr(text, "ktlsd") ? "" : "ktlsd: ",
			   text);
}

static void handed_back(struct ktls_session *s,
			const struct ktls_daemon_result *res)
{
	struct __ktls_dsess *d = s->daemon;
	uint64_t limit = ktls_record_limit(res->info.kernel_cipher);
	uint64_t want = s->ctx->cfg.rekey_records;

	d->session_id = res->session_id;
	d->info = res->info;
	memcpy(d->peer, res->peer, sizeof(d->peer));
	s->version = res->info.version;
	s->kcipher = res->info.kernel_cipher;
	s->rekey_limit = want && want < limit ? want : limit;
	s->tx_records = 0;
	s->tx_kernel = s->rx_kernel = true;
	s->offloaded = s->done = true;
}

/**
 * __ktls_daemon_step() - ktls_handshake_step() of a daemon session
 * @s: daemon session
 * @want: KTLS_WANT_READ on -EAGAIN: poll ktls_session_wait_fd()
 *
 * The first step sends the request (the descriptor goes to ktlsd, which
 * may take a moment to connect to its socket); later steps read the
 * answer without blocking.
 *
 * Return: 0 once ktlsd handed the socket back with kernel TLS on both
 * directions, -EAGAIN, or a negative errno (see ktls_reason()).
 */
int __ktls_daemon_step(struct ktls_session *s, int *want)
{
	struct __ktls_dsess *d = s->daemon;
	struct ktls_daemon_request r = s->ctx->daemon->req;
	struct ktls_daemon_result res;
	int ret;

	memset(&res, 0, sizeof(res));
	if (!d->op) {
		if (d->server_name)
			r.server_name = d->server_name;
		if (d->alpn)
			r.alpn = d->alpn;
		ret = __ktls_daemon_submit(s->fd, &r, &d->op, &res);
		if (ret)
			return daemon_failed(s, ret, &res);
	}
	ret = ktls_daemon_complete(d->op, &res);
	if (ret == -EAGAIN) {
		*want = KTLS_WANT_READ;
		return ret;
	}
	/* the op is freed now, and its socket closed */
	d->op = NULL;
	if (ret)
		return daemon_failed(s, ret, &res);
	handed_back(s, &res);
	return 0;
}

/**
 * ktls_session_wait_fd() - what to poll while the handshake waits
 * @s: session
 *
 * After ktls_handshake_step() returned -EAGAIN, poll this descriptor for
 * what it asked (KTLS_WANT_READ: POLLIN; KTLS_WANT_WRITE: POLLOUT), and
 * ask again after every step: it changes when a daemon session sends its
 * request (the daemon's Unix socket, whose answer ends the handshake) and
 * when the handshake ends (the TCP socket again).
 *
 * Return: a descriptor the session owns or was given; never -1.
 */
KTLS_EXPORT int ktls_session_wait_fd(const struct ktls_session *s)
{
	if (s->daemon && s->daemon->op)
		return ktls_daemon_op_fd(s->daemon->op);
	return s->fd;
}

/**
 * __ktls_daemon_info() - ktls_get_info() of a daemon session
 * @s: daemon session after the handshake
 * @info: what ktlsd said was negotiated
 *
 * Return: 0.
 */
int __ktls_daemon_info(const struct ktls_session *s, struct ktls_info *info)
{
	*info = s->daemon->info;
	return 0;
}

/**
 * __ktls_daemon_peer() - the peer's identity as ktlsd told it
 * @s: daemon session after the handshake
 * @buf: filled with the subject of the peer's certificate
 * @len: its size, at least 1
 *
 * Return: 0, or -ENOENT when ktlsd named no peer.
 */
int __ktls_daemon_peer(const struct ktls_session *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s->daemon->peer);
	return s->daemon->peer[0] ? 0 : -ENOENT;
}

static unsigned int call_timeout(const struct ktls_session *s)
{
	return s->ctx->daemon->req.timeout_ms;
}

/**
 * __ktls_daemon_post_hs() - hand a post-handshake message to ktlsd
 * @s: daemon session after the handshake
 * @msg: a KeyUpdate or (client) NewSessionTicket that __ktls_hs_check()
 *	let through, with its 4-byte header
 * @len: its length
 *
 * Only ktlsd holds the keys: it installs the peer's next key and answers
 * when asked, or keeps the ticket. This holds the caller for one round
 * trip to the daemon, bounded by the request's timeout (peers rekey after
 * gigabytes, not per request). Without a session kept in ktlsd a ticket
 * is dropped, and a KeyUpdate, which nobody can follow, ends the session.
 *
 * Return: 0 or a negative errno (see ktls_reason_text()).
 */
int __ktls_daemon_post_hs(struct ktls_session *s, const unsigned char *msg,
			  size_t len)
{
	struct __ktls_dsess *d = s->daemon;
	bool ticket = msg[0] == KTLS_HS_NEW_TICKET;
	struct ktls_daemon_result res;
	int ret;

	if (!d->session_id && ticket) {
		s->tickets++;
		return 0;
	}
	if (!d->session_id) {
		s->eof = true;
		return __ktls_fail(s, KTLS_R_PROTOCOL, -ECONNABORTED,
				   "the peer sent a KeyUpdate and ktlsd kept no session to follow it (keep_sessions = 0)");
	}
	/* ktlsd may send and change our TX key: no sender in between */
	__ktls_lock(s);
	ret = __ktls_daemon_session_op(s->ctx->daemon->req.socket_path,
				       s->fd, d->session_id, msg, len, 0,
				       call_timeout(s), &res);
	/* a KeyUpdate that asked for ours: ktlsd answered with a new key */
	if (!ret && !ticket && len > 4 && msg[4])
		s->tx_records = 0;
	__ktls_unlock(s);
	if (ret) {
		s->eof = true;
		return __ktls_fail(s, KTLS_R_PROTOCOL, ret,
				   "ktlsd could not follow the %s's %s: %.200s",
				   s->ctx->cfg.role == KTLS_SERVER ?
				   "client" : "server",
				   ticket ? "NewSessionTicket" : "KeyUpdate",
				   res.text[0] ? res.text : strerror(-ret));
	}
	if (ticket)
		s->tickets++;
	else
		s->keyupdates++;
	return 0;
}

/**
 * __ktls_daemon_roll_tx() - have ktlsd send our KeyUpdate, install the key
 * @s: daemon session after the handshake, TLS 1.3, under the session lock
 * @request_peer: ask the peer to update its key too
 *
 * Return: 0 with the record count reset, or a negative errno with the
 * reason set; the key is then unchanged, the connection still usable
 * (-EKEYEXPIRED: this kernel cannot change kTLS keys, and the context
 * asks ktlsd no more).
 */
int __ktls_daemon_roll_tx(struct ktls_session *s, int request_peer)
{
	struct __ktls_dctx *dc = s->ctx->daemon;
	struct ktls_daemon_result res;
	int ret;

	if (!s->daemon->session_id)
		return __ktls_fail(s, KTLS_R_PROTOCOL, -EKEYEXPIRED,
				   "ktlsd kept no session to change our key (keep_sessions = 0)");
	if (atomic_load(&dc->rekey_impossible))
		return __ktls_fail(s, KTLS_R_PROTOCOL, -EKEYEXPIRED,
				   "this kernel cannot change kTLS keys (needs Linux 6.14)");
	ret = __ktls_daemon_session_op(dc->req.socket_path, s->fd,
				       s->daemon->session_id, NULL, 0,
				       request_peer, call_timeout(s), &res);
	if (ret == -EKEYEXPIRED)
		atomic_store(&dc->rekey_impossible, true);
	if (ret)
		return __ktls_fail(s, KTLS_R_PROTOCOL, ret,
				   "ktlsd could not change our key: %.200s",
				   res.text[0] ? res.text : strerror(-ret));
	s->tx_records = 0;
	return 0;
}
