// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Blocking sends through io_uring for the tools, which each give a sender
 * a ring of its own: the ring belongs to the caller, so the waiting is
 * here and not in libktls, whose ktls_prep_*() only fill SQEs. Every CQE
 * of a session's send goes to ktls_uring_done(), which keeps the reason
 * when the connection broke.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include "uring_sync.h"

#define SEND_CHUNK	(1 << 20)

/* user_data of the two halves of a splice */
enum { OP_SEND = 1, OP_FILL, OP_DRAIN };

/*
 * Submit what is queued and reap @want CQEs; the result of each operation
 * lands in @res[user_data]. A zero-copy send's notification is one more
 * CQE, waited for here so that the buffer is free when this returns.
 */
static int reap(struct io_uring *ring, struct ktls_session *s,
		unsigned int want, ssize_t res[OP_DRAIN + 1])
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_submit(ring);

	if (ret < 0)
		return ret;
	while (want) {
		unsigned long long op;
		ssize_t n;

		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret == -EINTR)
			continue;
		if (ret)
			return ret;
		op = io_uring_cqe_get_data64(cqe);
		if (cqe->flags & IORING_CQE_F_MORE)
			want++;
		if (op > OP_DRAIN) {
			/* not ours: the ring was to have nothing else */
			io_uring_cqe_seen(ring, cqe);
			return -EPROTO;
		}
		if (s && op != OP_FILL)
			n = ktls_uring_done(s, cqe);
		else
			n = cqe->res;
		/* a notification's res is not the send's result */
		if (!(cqe->flags & IORING_CQE_F_NOTIF))
			res[op] = n;
		io_uring_cqe_seen(ring, cqe);
		want--;
	}
	return 0;
}

/**
 * uring_send_all() - send all of @buf on a session through @ring
 * @ring: the caller's ring, with nothing else in flight
 * @s: offloaded session
 * @buf: data
 * @len: its length
 * @zc: IORING_OP_SEND_ZC, falling back to IORING_OP_SEND when kernel TLS
 *	refuses zero-copy (software mode)
 *
 * Return: @len or a negative errno.
 */
ssize_t uring_send_all(struct io_uring *ring, struct ktls_session *s,
		       const void *buf, size_t len, bool zc)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done > SEND_CHUNK ? SEND_CHUNK : len - done;
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		ssize_t res[OP_DRAIN + 1] = { 0 };
		int ret;

		if (!sqe)
			return -EBUSY;
		ret = zc ? ktls_prep_send_zc(sqe, s, p + done, n, 0) :
			   ktls_prep_send(sqe, s, p + done, n, 0);
		io_uring_sqe_set_data64(sqe, OP_SEND);
		/* a failed prep left a NOP: reap it all the same */
		ret = reap(ring, s, 1, res) ?: ret;
		if (ret)
			return ret;
		if (zc && res[OP_SEND] == -EOPNOTSUPP) {
			zc = false;
			continue;
		}
		if (res[OP_SEND] <= 0)
			return res[OP_SEND] ? res[OP_SEND] : -EIO;
		done += res[OP_SEND];
	}
	return done;
}

/* Queue both halves, or only the second with @in_fd < 0. */
static int prep_splice(struct io_uring *ring, struct ktls_session *s, int fd,
		       int in_fd, const int p[2], unsigned int len)
{
	struct io_uring_sqe *in = NULL, *out;

	if (in_fd >= 0) {
		in = io_uring_get_sqe(ring);
		if (!in)
			return -EBUSY;
		io_uring_sqe_set_data64(in, OP_FILL);
	}
	out = io_uring_get_sqe(ring);
	if (!out)
		return -EBUSY;
	io_uring_sqe_set_data64(out, OP_DRAIN);
	if (s)
		return ktls_prep_splice(in, out, s, in_fd, -1, p, len);
	/* a socket ktlsd handed back: no session here to charge */
	if (in) {
		io_uring_prep_splice(in, in_fd, -1, p[1], -1, len,
				     SPLICE_F_MOVE);
		in->flags |= IOSQE_IO_LINK;
	}
	io_uring_prep_splice(out, p[0], -1, fd, -1, len, SPLICE_F_MOVE);
	return 0;
}

/*
 * One pipe's worth: file into the pipe, then all of it to the socket.
 * Returns what reached the socket: when the socket stops taking bytes
 * (-EAGAIN on a non-blocking one) after some went, that count, so the
 * caller goes on from there; the rest is dropped with the pipe and read
 * again from the file at the caller's offset. An error only when nothing
 * went.
 */
static ssize_t splice_once(struct io_uring *ring, struct ktls_session *s,
			   int fd, int in_fd, const int p[2], unsigned int len)
{
	ssize_t res[OP_DRAIN + 1] = { 0 };
	ssize_t in, out;
	int ret;

	ret = prep_splice(ring, s, fd, in_fd, p, len);
	ret = reap(ring, s, in_fd >= 0 ? 2 : 1, res) ?: ret;
	if (ret)
		return ret;
	in = res[OP_FILL];
	if (in <= 0)
		return in;
	/* a short first half cancels the second: what it read is piped */
	if (res[OP_DRAIN] < 0 && res[OP_DRAIN] != -ECANCELED)
		return res[OP_DRAIN];
	out = res[OP_DRAIN] > 0 ? res[OP_DRAIN] : 0;
	while (out < in) {
		res[OP_DRAIN] = 0;
		ret = prep_splice(ring, s, fd, -1, p, in - out);
		ret = reap(ring, s, 1, res) ?: ret;
		if (!ret && res[OP_DRAIN] <= 0)
			ret = res[OP_DRAIN] ? res[OP_DRAIN] : -EIO;
		if (ret)
			return out ? out : ret;
		out += res[OP_DRAIN];
	}
	return out;
}

/**
 * uring_splice_file() - @in_fd to a kTLS socket through a pipe, by io_uring
 * @ring: the caller's ring, with nothing else in flight
 * @s: offloaded session, or NULL for a socket with kernel TLS and no
 *	session in this process (one ktlsd handed back)
 * @fd: the socket when @s is NULL
 * @in_fd: file or socket, read at its position
 * @count: bytes to move at most
 *
 * Return: bytes that reached the socket (fewer at end of file, or when a
 * non-blocking socket is full: the caller goes on from its offset), or a
 * negative errno when none did.
 */
ssize_t uring_splice_file(struct io_uring *ring, struct ktls_session *s,
			  int fd, int in_fd, size_t count)
{
	size_t done = 0;
	ssize_t n = 0;
	int p[2], size;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	size = fcntl(p[1], F_GETPIPE_SZ);
	if (size <= 0)
		size = 4096;
	while (done < count) {
		size_t want = count - done > (size_t)size ? (size_t)size :
			      count - done;

		n = splice_once(ring, s, fd, in_fd, p, want);
		if (n <= 0)
			break;
		done += n;
		if ((size_t)n < want)
			break;
	}
	close(p[0]);
	close(p[1]);
	return done ? (ssize_t)done : n;
}

/**
 * uring_recv_record() - one record from a session through @ring
 * @ring: the caller's ring, with nothing else in flight
 * @s: offloaded session
 * @buf: room for the record's data
 * @len: its size
 * @type: set to the record's content type, unless -EBUSY
 *
 * Return: bytes, 0 at end of stream, or a negative errno (a record the
 * kernel rejected has been answered with its alert: ktls_reason_text()).
 */
ssize_t uring_recv_record(struct io_uring *ring, struct ktls_session *s,
			  void *buf, size_t len, unsigned char *type)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct ktls_uring_msg m;
	struct io_uring_cqe *cqe;
	ssize_t n;
	int ret;

	if (!sqe)
		return -EBUSY;
	ret = ktls_prep_recv_record(sqe, s, buf, len, &m);
	ret = io_uring_submit(ring) < 0 && !ret ? -EIO : ret;
	do {
		n = io_uring_wait_cqe(ring, &cqe);
	} while (n == -EINTR);
	if (n)
		return n;
	n = ret ? ret : ktls_uring_recv_done(s, cqe, &m, type);
	io_uring_cqe_seen(ring, cqe);
	return n;
}
