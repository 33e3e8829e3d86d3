// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io_uring data paths on an offloaded socket (liburing). Each helper
 * submits one operation and waits for its completion, so a test or a
 * simple program can use them like the plain system calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/tls.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	return sqe;
}

static int wait_one(struct io_uring *ring, int *res, unsigned int *flags)
{
	struct io_uring_cqe *cqe;
	int ret;

	do {
		ret = io_uring_wait_cqe(ring, &cqe);
	} while (ret == -EINTR);
	if (ret)
		return ret;
	*res = cqe->res;
	if (flags)
		*flags = cqe->flags;
	io_uring_cqe_seen(ring, cqe);
	return 0;
}

static ssize_t submit_wait(struct io_uring *ring)
{
	int ret, res;

	ret = io_uring_submit(ring);
	if (ret < 0)
		return ret;
	ret = wait_one(ring, &res, NULL);
	return ret ? ret : res;
}

/**
 * ktls_uring_send() - IORING_OP_SEND of application data
 * @ring: initialized ring
 * @s: offloaded session
 * @buf: data
 * @len: length (at most 1 MiB is accounted per call)
 *
 * Return: bytes sent or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_uring_send(struct io_uring *ring,
				    struct ktls_session *s,
				    const void *buf, size_t len)
{
	struct io_uring_sqe *sqe;
	int ret;

	ssize_t n;

	__ktls_lock(s);
	ret = __ktls_tx_account(s, len);
	sqe = ret ? NULL : get_sqe(ring);
	if (sqe)
		io_uring_prep_send(sqe, s->fd, buf, len, MSG_NOSIGNAL);
	n = ret ? ret : sqe ? submit_wait(ring) : -EBUSY;
	__ktls_unlock(s);
	return n;
}

/**
 * ktls_uring_sendmsg_type() - IORING_OP_SENDMSG of one record of a type
 * @ring: initialized ring
 * @s: offloaded session
 * @type: TLS content type (e.g. KTLS_CT_ALERT)
 * @buf: payload
 * @len: length, at most 16384
 *
 * Return: bytes sent or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_uring_sendmsg_type(struct io_uring *ring,
					    struct ktls_session *s,
					    unsigned char type,
					    const void *buf, size_t len)
{
	struct __ktls_typed_msg m;
	struct io_uring_sqe *sqe;
	ssize_t n;
	int ret;

	if (len > KTLS_MAX_PLAIN)
		return -EMSGSIZE;
	ret = __ktls_tx_account(s, len);
	if (ret)
		return ret;
	__ktls_typed_msg_init(&m, buf, len, type);
	__ktls_lock(s);
	sqe = get_sqe(ring);
	if (sqe)
		io_uring_prep_sendmsg(sqe, s->fd, &m.msg, MSG_NOSIGNAL);
	n = sqe ? submit_wait(ring) : -EBUSY;
	__ktls_unlock(s);
	return n;
}

static ssize_t zc_locked(struct io_uring *ring, struct ktls_session *s,
			 const void *buf, size_t len)
{
	struct io_uring_sqe *sqe;
	unsigned int flags;
	int ret, res, sent;

	sqe = get_sqe(ring);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_send_zc(sqe, s->fd, buf, len, MSG_NOSIGNAL, 0);
	ret = io_uring_submit(ring);
	if (ret < 0)
		return ret;
	ret = wait_one(ring, &sent, &flags);
	if (ret)
		return ret;
	/* a notification CQE follows when IORING_CQE_F_MORE is set */
	while (flags & IORING_CQE_F_MORE) {
		ret = wait_one(ring, &res, &flags);
		if (ret)
			return ret;
		if (flags & IORING_CQE_F_NOTIF)
			break;
	}
	return sent;
}

/**
 * ktls_uring_send_zc() - IORING_OP_SEND_ZC (Linux 6.0+)
 * @ring: initialized ring
 * @s: offloaded session
 * @buf: data, must stay unchanged until this returns
 * @len: length
 *
 * Waits for both the result and the notification that the buffer is free.
 * When the kernel refuses zero-copy on this socket (-EOPNOTSUPP, kTLS in
 * software mode), the data goes out with IORING_OP_SEND instead.
 *
 * Return: bytes sent or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_uring_send_zc(struct io_uring *ring,
				       struct ktls_session *s,
				       const void *buf, size_t len)
{
	ssize_t ret;

	__ktls_lock(s);
	ret = __ktls_tx_account(s, len);
	if (!ret)
		ret = zc_locked(ring, s, buf, len);
	/*
	 * Kernel TLS in software mode copies into its own record buffers and
	 * refuses zero-copy sends: fall back to IORING_OP_SEND then.
	 */
	if (ret == -EOPNOTSUPP) {
		struct io_uring_sqe *sqe = get_sqe(ring);

		if (sqe) {
			io_uring_prep_send(sqe, s->fd, buf, len, MSG_NOSIGNAL);
			ret = submit_wait(ring);
		}
	}
	__ktls_unlock(s);
	return ret;
}


/*
 * File to socket through a pipe: splice needs a pipe on one side. With a
 * session, every chunk is counted toward the AEAD usage limit under the
 * session's lock, as every other send path does.
 */
static ssize_t splice_via_pipe(struct io_uring *ring, struct ktls_session *s,
			       int out_fd, int in_fd, size_t count)
{
	size_t done = 0;
	ssize_t ret = 0;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	while (done < count) {
		unsigned int want = count - done > 65536 ? 65536 :
				    count - done;
		struct io_uring_sqe *sqe;
		ssize_t in, out = 0;

		sqe = get_sqe(ring);
		io_uring_prep_splice(sqe, in_fd, -1, p[1], -1, want, 0);
		in = submit_wait(ring);
		if (in <= 0) {
			ret = in;
			break;
		}
		while (out < in) {
			ssize_t n;

			if (s) {
				__ktls_lock(s);
				ret = __ktls_tx_account(s, in - out);
				if (ret) {
					__ktls_unlock(s);
					goto out;
				}
			}
			sqe = get_sqe(ring);
			io_uring_prep_splice(sqe, p[0], -1, out_fd, -1,
					     in - out, 0);
			n = submit_wait(ring);
			if (s)
				__ktls_unlock(s);
			if (n <= 0) {
				/* what already reached the socket counts */
				done += out;
				ret = n ? n : -EIO;
				goto out;
			}
			out += n;
		}
		done += out;
	}
out:
	close(p[0]);
	close(p[1]);
	return done ? (ssize_t)done : ret;
}

/**
 * ktls_uring_splice() - IORING_OP_SPLICE from @in_fd into the session
 * @ring: initialized ring
 * @s: offloaded session
 * @in_fd: file or socket to read
 * @count: bytes to move
 *
 * Return: bytes moved or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_uring_splice(struct io_uring *ring,
				      struct ktls_session *s,
				      int in_fd, size_t count)
{
	return splice_via_pipe(ring, s, s->fd, in_fd, count);
}

/**
 * ktls_uring_splice_fd() - IORING_OP_SPLICE from @in_fd into a kTLS socket
 * @ring: initialized ring
 * @fd: socket with kernel TLS on transmit and no session in this process
 *	(one ktlsd handed back)
 * @in_fd: file or socket to read
 * @count: bytes to move
 *
 * Nothing counts records toward the AEAD usage limit here: without a
 * session this process could not rekey anyway, the same as sendfile on
 * such a socket.
 *
 * Return: bytes moved or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_uring_splice_fd(struct io_uring *ring, int fd,
					 int in_fd, size_t count)
{
	return splice_via_pipe(ring, NULL, fd, in_fd, count);
}

/**
 * ktls_uring_recv() - IORING_OP_RECVMSG with a cmsg for the record type
 * @ring: initialized ring
 * @s: offloaded session
 * @buf: buffer
 * @len: its size
 * @type: set to the record's content type
 *
 * Control records are returned as they are, with their type: the caller
 * may pass them to ktls_recv() semantics or handle them. A record the
 * kernel rejects is answered as ktls_recv() does: the fatal alert goes
 * out and the session ends (ktls_reason_text() says which).
 *
 * Return: bytes or a negative errno (-EBADMSG, -EMSGSIZE, -EINVAL: the
 * peer broke the record layer, alert sent).
 */
KTLS_EXPORT ssize_t ktls_uring_recv(struct io_uring *ring,
				    struct ktls_session *s,
				    void *buf, size_t len,
				    unsigned char *type)
{
	struct __ktls_typed_msg m;
	struct io_uring_sqe *sqe;
	ssize_t n;

	*type = KTLS_CT_APPLICATION_DATA;
	sqe = get_sqe(ring);
	if (!sqe)
		return -EBUSY;
	__ktls_typed_msg_init(&m, buf, len, -1);
	io_uring_prep_recvmsg(sqe, s->fd, &m.msg, 0);
	n = submit_wait(ring);
	if (n < 0)
		return n == -EAGAIN ? n : __ktls_recv_failed(s, n);
	*type = __ktls_typed_msg_type(&m);
	return n;
}
