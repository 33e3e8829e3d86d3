// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Daemon client: hand a connected TCP socket to ktlsd over its Unix socket
 * and read back what it negotiated. One Unix connection per request, as the
 * protocol in <ktls/ktlsd.h> says; the connection itself is the completion
 * descriptor of the non-blocking form.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "internal.h"
#include <ktls/ktlsd.h>

struct ktls_daemon_op {
	int sock;
	int fd;			/* the application's TCP socket */
	__u16 type;		/* KTLSD_MSG_* asked */
	size_t have;
	unsigned char buf[KTLSD_MAX_MSG];
};

static const char *const dreason_names[__KTLSD_R_MAX - KTLSD_R_BASE] = {
	[KTLSD_R_BAD_REQUEST - KTLSD_R_BASE] = "bad-request",
	[KTLSD_R_DENIED - KTLSD_R_BASE] = "denied",
	[KTLSD_R_NO_PROFILE - KTLSD_R_BASE] = "no-profile",
	[KTLSD_R_BUSY - KTLSD_R_BASE] = "busy",
	[KTLSD_R_SHUTDOWN - KTLSD_R_BASE] = "shutdown",
	[KTLSD_R_NO_SESSION - KTLSD_R_BASE] = "no-session",
	[KTLSD_R_BAD_SOCKET - KTLSD_R_BASE] = "bad-socket",
};

/**
 * ktls_daemon_reason_name() - short name of a reason from a daemon reply
 * @reason: enum ktls_reason or KTLSD_R_* value
 *
 * Return: e.g. "cert-expired" or "denied".
 */
KTLS_EXPORT const char *ktls_daemon_reason_name(unsigned int reason)
{
	if (reason < KTLSD_R_BASE)
		return ktls_reason_name(reason);
	if (reason >= __KTLSD_R_MAX)
		return "unknown";
	return dreason_names[reason - KTLSD_R_BASE];
}

static const char *sock_path(const char *path)
{
	const char *env;

	if (path && *path)
		return path;
	env = secure_getenv("KTLSD_SOCKET");
	return env && *env ? env : KTLS_DAEMON_SOCKET;
}

static void local_fail(struct ktls_daemon_result *res, int err,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void local_fail(struct ktls_daemon_result *res, int err,
		       const char *fmt, ...)
{
	va_list ap;

	if (!res)
		return;
	memset(res, 0, sizeof(*res));
	res->status = err;
	res->reason = KTLS_R_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
}

/*
 * A Unix connect with a full backlog fails with EAGAIN when non-blocking,
 * and there is nothing to poll for: try again every 10 ms until @deadline.
 */
static int connect_by(int sock, const struct sockaddr_un *sun,
		      long long deadline)
{
	int ret;

	for (;;) {
		if (!connect(sock, (const struct sockaddr *)sun, sizeof(*sun)))
			return 0;
		ret = -errno;
		if (ret == -EINTR)
			continue;
		if (ret != -EAGAIN || !deadline)
			return ret;
		if (__ktls_now_ms() >= deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, 10);
	}
}

static int dial(const char *path, long long deadline,
		struct ktls_daemon_result *res)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int sock, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		local_fail(res, -ENAMETOOLONG, "ktlsd socket path %s is too long",
			   path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
		      (deadline ? SOCK_NONBLOCK : 0), 0);
	if (sock < 0) {
		err = -errno;
		local_fail(res, err, "cannot make a Unix socket: %s",
			   strerror(-err));
		return err;
	}
	err = connect_by(sock, &sun, deadline);
	if (err) {
		local_fail(res, err, err == -ENOENT || err == -ECONNREFUSED ?
			   "ktlsd is not running (nothing listens on %s): %s" :
			   "cannot reach ktlsd at %s: %s",
			   path, strerror(-err));
		close(sock);
		return err;
	}
	return sock;
}

/* Send one message, with @fd as SCM_RIGHTS when it is not negative. */
static int send_msg(int sock, int fd, const unsigned char *msg, size_t len,
		    long long deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	size_t off = 0;
	ssize_t n;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (off < len) {
		iov.iov_base = (void *)(msg + off);
		iov.iov_len = len - off;
		n = sendmsg(sock, &mh, MSG_NOSIGNAL |
			    (deadline ? MSG_DONTWAIT : 0));
		if (n < 0) {
			int ret = -errno;

			if (ret == -EINTR)
				continue;
			if (ret == -EAGAIN && deadline)
				ret = __ktls_wait_fd(sock, POLLOUT, deadline);
			if (ret)
				return ret;
			continue;
		}
		off += n;
		/* the descriptor goes with the first bytes only */
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}

static void put_hdr(unsigned char *buf, __u16 type, size_t len)
{
	struct ktlsd_hdr h = {
		.magic = KTLSD_MAGIC,
		.version = KTLSD_PROTO_VERSION,
		.type = type,
		.len = (__u32)len,
	};

	memcpy(buf, &h, sizeof(h));
}

/* Dial, send, and return an op waiting for the reply. */
static int start(const char *path, int fd, unsigned char *msg, size_t alen,
		 __u16 type, long long deadline, struct ktls_daemon_op **opp,
		 struct ktls_daemon_result *res)
{
	struct ktls_daemon_op *op;
	int ret;

	put_hdr(msg, type, alen);
	op = calloc(1, sizeof(*op));
	if (!op) {
		local_fail(res, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	op->fd = fd;
	op->type = type;
	op->sock = dial(sock_path(path), deadline, res);
	if (op->sock < 0) {
		ret = op->sock;
		goto err_free_op;
	}
	ret = send_msg(op->sock, fd, msg, sizeof(struct ktlsd_hdr) + alen,
		       deadline);
	if (ret) {
		local_fail(res, ret, "sending the request to ktlsd failed: %s",
			   strerror(-ret));
		goto err_close;
	}
	if (fcntl(op->sock, F_SETFL, O_NONBLOCK)) {
		ret = -errno;
		local_fail(res, ret, "fcntl: %s", strerror(-ret));
		goto err_close;
	}
	*opp = op;
	return 0;

err_close:
	close(op->sock);
err_free_op:
	free(op);
	return ret;
}

static void copy_str(char *dst, size_t cap, const unsigned char *v,
		     __u16 n)
{
	size_t k = n < cap - 1 ? n : cap - 1;

	memcpy(dst, v, k);
	dst[k] = '\0';
}

static int parse_reply(const unsigned char *a, size_t len,
		       struct ktls_daemon_result *res)
{
	const unsigned char *v;
	size_t off = 0;
	__u16 type, n;
	__u32 u;
	__u64 id;
	bool have_status = false;
	int ret;

	memset(res, 0, sizeof(*res));
	while ((ret = ktlsd_attr_next(a, len, &off, &type, &v, &n)) > 0) {
		if (type == KTLSD_A_SESSION_ID) {
			if (n != sizeof(id))
				return -EBADMSG;
			memcpy(&id, v, sizeof(id));
			res->session_id = id;
			continue;
		}
		u = 0;
		if (n == sizeof(u))
			memcpy(&u, v, sizeof(u));
		switch (type) {
		case KTLSD_A_STATUS:
			res->status = (int)u;
			have_status = true;
			break;
		case KTLSD_A_REASON:
			res->reason = u;
			break;
		case KTLSD_A_REASON_TEXT:
			copy_str(res->text, sizeof(res->text), v, n);
			break;
		case KTLSD_A_VERSION:
			res->info.version = u;
			break;
		case KTLSD_A_CIPHER:
			copy_str(res->info.cipher, sizeof(res->info.cipher),
				 v, n);
			break;
		case KTLSD_A_KERNEL_CIPHER:
			res->info.kernel_cipher = u;
			break;
		case KTLSD_A_ALPN:
			copy_str(res->info.alpn, sizeof(res->info.alpn), v, n);
			break;
		case KTLSD_A_SERVER_NAME:
			copy_str(res->info.server_name,
				 sizeof(res->info.server_name), v, n);
			break;
		case KTLSD_A_PEER:
			copy_str(res->peer, sizeof(res->peer), v, n);
			break;
		case KTLSD_A_RESUMED:
			res->info.resumed = !!u;
			break;
		case KTLSD_A_TX_CARRIER:
			res->info.tx = u;
			break;
		case KTLSD_A_RX_CARRIER:
			res->info.rx = u;
			break;
		case KTLSD_A_KEEP_MS:
			res->keep_ms = u;
			break;
		default:
			/* a newer daemon may say more: skip it */
			break;
		}
	}
	if (ret < 0 || !have_status || res->status > 0)
		return -EBADMSG;
	return 0;
}

/**
 * ktls_daemon_op_fd() - descriptor to poll for POLLIN until the reply is in
 * @op: pending request
 *
 * Return: the descriptor; it stays owned by @op.
 */
KTLS_EXPORT int ktls_daemon_op_fd(const struct ktls_daemon_op *op)
{
	return op->sock;
}

/**
 * ktls_daemon_op_free() - drop a request, done or not
 * @op: request or NULL
 *
 * Dropping a pending request closes its connection; the daemon then stops
 * the handshake.
 */
KTLS_EXPORT void ktls_daemon_op_free(struct ktls_daemon_op *op)
{
	if (!op)
		return;
	close(op->sock);
	free(op);
}

/*
 * Never trust "ok" alone: the caller does no TLS of its own, so a socket
 * the kernel does not carry both ways would send its data in the clear.
 * Ask the kernel, and shut such a socket down.
 */
static int check_handed_back(int fd, struct ktls_daemon_result *res)
{
	int ret = ktls_fd_check_kernel(fd);

	if (!ret && res->info.tx != KTLS_CARRIER_USER &&
	    res->info.rx != KTLS_CARRIER_USER)
		return 0;
	shutdown(fd, SHUT_RDWR);
	if (!ret)
		ret = -EPROTO;
	local_fail(res, ret,
		   "ktlsd answered ok but the socket does not carry kernel TLS in both directions (%s); it was shut down so that nothing is sent in the clear",
		   strerror(-ret));
	return ret;
}

/*
 * The one reader of ktlsd's replies: gather the header and the attributes
 * it announces, checking magic, protocol version, type and length first.
 * Return: 0 with the reply in op->buf, -EAGAIN while more is to come, or
 * a negative errno with @res saying why.
 */
static int read_reply(struct ktls_daemon_op *op,
		      struct ktls_daemon_result *res)
{
	struct ktlsd_hdr h;
	size_t want = sizeof(h);
	ssize_t n;

	for (;;) {
		if (op->have >= sizeof(h)) {
			memcpy(&h, op->buf, sizeof(h));
			if (h.magic != KTLSD_MAGIC ||
			    h.version != KTLSD_PROTO_VERSION ||
			    h.type != KTLSD_MSG_REPLY ||
			    h.len > KTLSD_MAX_MSG - sizeof(h)) {
				local_fail(res, -EBADMSG,
					   "ktlsd sent an invalid reply (protocol version %u, we speak %u; type %u)",
					   h.version, KTLSD_PROTO_VERSION,
					   h.type);
				return -EBADMSG;
			}
			want = sizeof(h) + h.len;
			if (op->have == want)
				return 0;
		}
		n = recv(op->sock, op->buf + op->have, want - op->have, 0);
		if (n > 0) {
			op->have += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -EAGAIN;
		n = n < 0 ? -errno : -ECONNRESET;
		local_fail(res, n, "ktlsd closed the connection without a reply (did it stop?)");
		return n;
	}
}

/* The attributes of a whole reply in op->buf. */
static const unsigned char *reply_attrs(const struct ktls_daemon_op *op,
					size_t *len)
{
	*len = op->have - sizeof(struct ktlsd_hdr);
	return op->buf + sizeof(struct ktlsd_hdr);
}

/* Hand @full to a caller whose structure has @size bytes. */
static void put_result(struct ktls_daemon_result *res, size_t size,
		       const struct ktls_daemon_result *full)
{
	if (!res)
		return;
	if (size > sizeof(*full)) {
		memset((char *)res + sizeof(*full), 0, size - sizeof(*full));
		size = sizeof(*full);
	}
	memcpy(res, full, size);
}

/*
 * A result the caller can hold: the version every caller has, at least.
 * Its status and reason come first, so even the smallest one says why.
 */
static int result_size_ok(const struct ktls_daemon_result *res, size_t size)
{
	return res && size >= KTLS_DAEMON_RESULT_SIZE_VER0 ? 0 : -EINVAL;
}

static int complete(struct ktls_daemon_op *op, struct ktls_daemon_result *res)
{
	const unsigned char *a;
	size_t len;
	int ret;

	ret = read_reply(op, res);
	if (ret == -EAGAIN)
		return ret;
	if (ret)
		goto out;
	a = reply_attrs(op, &len);
	ret = parse_reply(a, len, res);
	if (ret)
		local_fail(res, ret, "ktlsd sent a malformed reply");
	else
		ret = res->status;
	if (!ret && op->type == KTLSD_MSG_HANDSHAKE)
		ret = check_handed_back(op->fd, res);
out:
	ktls_daemon_op_free(op);
	return ret;
}

/**
 * ktls_daemon_complete_sized() - read the reply of a submitted request
 * @op: request from ktls_daemon_submit(); freed unless -EAGAIN is returned
 * @res: the reply
 * @res_size: sizeof(*@res) as the caller knows it
 *
 * A handshake succeeds only when the kernel carries both directions of the
 * socket (ktls_fd_check_kernel()); otherwise the socket is shut down and
 * the call fails, whatever the daemon said.
 *
 * Return: -EAGAIN while the daemon is still working (poll
 * ktls_daemon_op_fd() for POLLIN), else @res->status, or a negative errno
 * when no valid reply came (@res->text says why); -EINVAL when @res_size
 * is smaller than KTLS_DAEMON_RESULT_SIZE_VER0 (@op is then kept).
 */
KTLS_EXPORT int ktls_daemon_complete_sized(struct ktls_daemon_op *op,
					   struct ktls_daemon_result *res,
					   size_t res_size)
{
	struct ktls_daemon_result full;
	int ret;

	if (result_size_ok(res, res_size))
		return -EINVAL;
	memset(&full, 0, sizeof(full));
	ret = complete(op, &full);
	if (ret != -EAGAIN)
		put_result(res, res_size, &full);
	explicit_bzero(&full, sizeof(full));
	return ret;
}

/**
 * __ktls_daemon_request_copy() - take a caller's sized request
 * @dst: the library's full structure, filled
 * @src: the caller's
 * @size: its size
 *
 * Return: 0, -EINVAL when @size is below KTLS_DAEMON_REQUEST_SIZE_VER0,
 * -E2BIG when a field this library does not know is set.
 */
int __ktls_daemon_request_copy(struct ktls_daemon_request *dst,
			       const struct ktls_daemon_request *src,
			       size_t size)
{
	memset(dst, 0, sizeof(*dst));
	if (!src || size < KTLS_DAEMON_REQUEST_SIZE_VER0)
		return -EINVAL;
	if (!__ktls_tail_is_zero(src, sizeof(*dst), size))
		return -E2BIG;
	memcpy(dst, src, size < sizeof(*dst) ? size : sizeof(*dst));
	return 0;
}

static int submit(int fd, const struct ktls_daemon_request *req,
		  struct ktls_daemon_op **opp, struct ktls_daemon_result *res)
{
	unsigned char msg[KTLSD_MAX_MSG];
	unsigned char *a = msg + sizeof(struct ktlsd_hdr);
	size_t cap = sizeof(msg) - sizeof(struct ktlsd_hdr), off = 0;
	int ret;

	*opp = NULL;
	if (!req->profile || !*req->profile) {
		local_fail(res, -EINVAL, "no profile named in the request");
		return -EINVAL;
	}
	ret = ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_ROLE, req->role);
	if (!ret)
		ret = ktlsd_attr_put_str(a, cap, &off, KTLSD_A_PROFILE,
					 req->profile);
	if (!ret && req->server_name && *req->server_name)
		ret = ktlsd_attr_put_str(a, cap, &off, KTLSD_A_SERVER_NAME,
					 req->server_name);
	if (!ret && req->alpn && *req->alpn)
		ret = ktlsd_attr_put_str(a, cap, &off, KTLSD_A_ALPN,
					 req->alpn);
	if (!ret && req->timeout_ms)
		ret = ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_TIMEOUT_MS,
					 req->timeout_ms);
	if (ret) {
		local_fail(res, ret, "request too large: %s", strerror(-ret));
		return ret;
	}
	return start(req->socket_path, fd, msg, off, KTLSD_MSG_HANDSHAKE, 0,
		     opp, res);
}

/**
 * ktls_daemon_submit_sized() - ask ktlsd to run a handshake, without waiting
 * @fd: connected TCP socket; do not use it until the request completes
 * @req: what to ask
 * @req_size: sizeof(*@req) as the caller knows it
 * @opp: the pending request
 *
 * Return: 0, or a negative errno when the daemon could not be asked
 * (-ENOENT or -ECONNREFUSED: it is not running; -EINVAL or -E2BIG: see
 * struct ktls_daemon_request).
 */
KTLS_EXPORT int ktls_daemon_submit_sized(int fd,
					 const struct ktls_daemon_request *req,
					 size_t req_size,
					 struct ktls_daemon_op **opp)
{
	struct ktls_daemon_request r;
	int ret;

	*opp = NULL;
	ret = __ktls_daemon_request_copy(&r, req, req_size);
	if (ret)
		return ret;
	return submit(fd, &r, opp, NULL);
}

static int wait_reply(struct ktls_daemon_op *op, long long deadline,
		      struct ktls_daemon_result *res)
{
	int ret, err;

	while ((ret = complete(op, res)) == -EAGAIN) {
		err = __ktls_wait_fd(op->sock, POLLIN, deadline);
		if (err) {
			local_fail(res, err, err == -ETIMEDOUT ?
				   "ktlsd did not answer in time (is it stopped or overloaded?)" :
				   "poll: %s", strerror(-err));
			if (err == -ETIMEDOUT)
				res->reason = KTLS_R_TIMEOUT;
			ktls_daemon_op_free(op);
			return err;
		}
	}
	return ret;
}

/**
 * __ktls_daemon_submit() - ktls_daemon_submit() that says why it failed
 * @fd: connected TCP socket
 * @req: the library's full request
 * @opp: the pending request
 * @res: why it could not be sent
 *
 * Return: 0 or a negative errno.
 */
int __ktls_daemon_submit(int fd, const struct ktls_daemon_request *req,
			 struct ktls_daemon_op **opp,
			 struct ktls_daemon_result *res)
{
	return submit(fd, req, opp, res);
}

/**
 * ktls_daemon_handshake_sized() - have ktlsd run the handshake on @fd, wait
 * @fd: connected TCP socket; on success it has kernel TLS in both directions
 * @req: what to ask
 * @req_size: sizeof(*@req) as the caller knows it
 * @res: the reply, or why there was none
 * @res_size: sizeof(*@res) as the caller knows it
 *
 * Return: 0 or a negative errno; @res->reason and @res->text explain.
 */
KTLS_EXPORT int ktls_daemon_handshake_sized(int fd,
					    const struct ktls_daemon_request *req,
					    size_t req_size,
					    struct ktls_daemon_result *res,
					    size_t res_size)
{
	struct ktls_daemon_result full;
	struct ktls_daemon_request r;
	struct ktls_daemon_op *op;
	int ret;

	if (result_size_ok(res, res_size))
		return -EINVAL;
	memset(&full, 0, sizeof(full));
	ret = __ktls_daemon_request_copy(&r, req, req_size);
	if (ret)
		local_fail(&full, ret, "the request is not one this libktls knows (size %zu)",
			   req_size);
	else
		ret = submit(fd, &r, &op, &full);
	if (!ret)
		ret = wait_reply(op, 0, &full);
	put_result(res, res_size, &full);
	return ret;
}

/*
 * What ktlsd may take for a hand-back, and how much longer we wait for its
 * answer; 0 asks for the daemon's own timeout, still bounded here.
 */
#define SESSION_DEFAULT_MS	30000
#define SESSION_MARGIN_MS	1000

static int session_call(const char *path, int fd, __u16 type, uint64_t id,
			__u16 extra, const void *val, size_t vlen,
			unsigned int timeout_ms,
			struct ktls_daemon_result *res)
{
	long long deadline = __ktls_now_ms() + SESSION_MARGIN_MS +
			     (timeout_ms ? timeout_ms : SESSION_DEFAULT_MS);
	unsigned char msg[KTLSD_MAX_MSG];
	unsigned char *a = msg + sizeof(struct ktlsd_hdr);
	size_t cap = sizeof(msg) - sizeof(struct ktlsd_hdr), off = 0;
	struct ktls_daemon_op *op;
	__u64 sid = id;
	int ret;

	ret = ktlsd_attr_put(a, cap, &off, KTLSD_A_SESSION_ID, &sid,
			     sizeof(sid));
	if (!ret && extra)
		ret = ktlsd_attr_put(a, cap, &off, extra, val, vlen);
	if (!ret && timeout_ms)
		ret = ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_TIMEOUT_MS,
					 timeout_ms);
	if (ret) {
		local_fail(res, ret, "request too large");
		return ret;
	}
	ret = start(path, fd, msg, off, type, deadline, &op, res);
	if (ret)
		return ret;
	return wait_reply(op, deadline, res);
}

/**
 * __ktls_daemon_session_op() - a call on a session ktlsd keeps
 * @socket_path: daemon socket or NULL
 * @fd: the kTLS socket of a handshake ktlsd did
 * @session_id: from that handshake's result
 * @msg: a post-handshake message with its 4-byte header to hand to
 *	ktlsd, or NULL to have it change our TX key
 * @len: the message's length
 * @request_peer: rekey: ask the peer to update its key too
 * @timeout_ms: as for ktls_daemon_post_handshake_sized()
 * @res: the reply (the library's full structure)
 *
 * Return: 0 or a negative errno.
 */
int __ktls_daemon_session_op(const char *socket_path, int fd,
			     uint64_t session_id, const void *msg, size_t len,
			     int request_peer, unsigned int timeout_ms,
			     struct ktls_daemon_result *res)
{
	__u32 flags = request_peer ? KTLSD_REKEY_REQUEST_PEER : 0;

	memset(res, 0, sizeof(*res));
	if (!msg)
		return session_call(socket_path, fd, KTLSD_MSG_REKEY,
				    session_id, KTLSD_A_REKEY_FLAGS, &flags,
				    sizeof(flags), timeout_ms, res);
	if (!len || len > KTLSD_MAX_MSG / 2) {
		local_fail(res, -EINVAL, "a post-handshake message of %zu bytes cannot go to ktlsd",
			   len);
		return -EINVAL;
	}
	return session_call(socket_path, fd, KTLSD_MSG_POST_HANDSHAKE,
			    session_id, KTLSD_A_MESSAGE, msg, len, timeout_ms,
			    res);
}

/* __ktls_daemon_session_op() for a caller's sized result */
static int sized_session_op(const char *socket_path, int fd,
			    uint64_t session_id, const void *msg, size_t len,
			    int request_peer, unsigned int timeout_ms,
			    struct ktls_daemon_result *res, size_t res_size)
{
	struct ktls_daemon_result full;
	int ret;

	if (result_size_ok(res, res_size))
		return -EINVAL;
	ret = __ktls_daemon_session_op(socket_path, fd, session_id, msg, len,
				       request_peer, timeout_ms, &full);
	put_result(res, res_size, &full);
	return ret;
}

/**
 * ktls_daemon_post_handshake_sized() - hand ktlsd a message read from kTLS
 * @socket_path: daemon socket or NULL
 * @fd: the kTLS socket of a handshake ktlsd did (that very connection:
 *	ktlsd refuses any other with KTLSD_R_BAD_SOCKET)
 * @session_id: from that handshake's result
 * @msg: a KeyUpdate or NewSessionTicket, with its 4-byte header
 * @len: its length
 * @timeout_ms: how long ktlsd may wait to send on @fd (a peer that does
 *	not read), capped by the daemon; 0: the daemon's default (about half
 *	a minute). The call itself returns at most a second later, whatever
 *	the daemon does.
 * @res: the reply
 * @res_size: sizeof(*@res) as the caller knows it
 *
 * Return: 0 or a negative errno: -ETIMEDOUT (reason KTLS_R_TIMEOUT) when
 * the peer or the daemon did not move in time; KTLSD_R_NO_SESSION when
 * the daemon no longer keeps the session.
 */
KTLS_EXPORT int ktls_daemon_post_handshake_sized(const char *socket_path,
						 int fd, uint64_t session_id,
						 const void *msg, size_t len,
						 unsigned int timeout_ms,
						 struct ktls_daemon_result *res,
						 size_t res_size)
{
	if (!msg)
		return -EINVAL;
	return sized_session_op(socket_path, fd, session_id, msg, len, 0,
				timeout_ms, res, res_size);
}

/**
 * ktls_daemon_rekey_sized() - have ktlsd send our KeyUpdate, install the key
 * @socket_path: daemon socket or NULL
 * @fd: the kTLS socket (the connection of the handshake)
 * @session_id: from the handshake's result
 * @request_peer: ask the peer to update its key too
 * @timeout_ms: as for ktls_daemon_post_handshake_sized()
 * @res: the reply
 * @res_size: sizeof(*@res) as the caller knows it
 *
 * Return: 0 or a negative errno (-ETIMEDOUT: nothing changed, the
 * KeyUpdate could not be sent in time; -EKEYEXPIRED: the kernel cannot
 * change kTLS keys, Linux 6.14 can).
 */
KTLS_EXPORT int ktls_daemon_rekey_sized(const char *socket_path, int fd,
					uint64_t session_id, int request_peer,
					unsigned int timeout_ms,
					struct ktls_daemon_result *res,
					size_t res_size)
{
	return sized_session_op(socket_path, fd, session_id, NULL, 0,
				request_peer, timeout_ms, res, res_size);
}

/**
 * ktls_daemon_stats() - the daemon's counters, Prometheus text format
 * @socket_path: daemon socket or NULL
 * @buf: filled with NUL-terminated text
 * @len: its size
 *
 * Return: 0 or a negative errno (-EBADMSG for a reply that is not ktlsd's
 * protocol version or has no text).
 */
KTLS_EXPORT int ktls_daemon_stats(const char *socket_path, char *buf,
				  size_t len)
{
	unsigned char msg[sizeof(struct ktlsd_hdr)];
	struct ktls_daemon_result res;
	struct ktls_daemon_op *op;
	const unsigned char *a, *v;
	size_t alen, off = 0;
	__u16 type, n;
	int ret;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	ret = start(socket_path, -1, msg, 0, KTLSD_MSG_STATS, 0, &op, &res);
	if (ret)
		return ret;
	while ((ret = read_reply(op, &res)) == -EAGAIN) {
		ret = __ktls_wait_fd(op->sock, POLLIN, 0);
		if (ret)
			goto out;
	}
	if (ret)
		goto out;
	/* the text is not part of struct ktls_daemon_result: take it here */
	ret = -EBADMSG;
	a = reply_attrs(op, &alen);
	while (ktlsd_attr_next(a, alen, &off, &type, &v, &n) > 0)
		if (type == KTLSD_A_TEXT) {
			copy_str(buf, len, v, n);
			ret = 0;
		}
out:
	ktls_daemon_op_free(op);
	return ret;
}
