// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Plain data paths on an offloaded socket: write, sendfile, splice. The
 * kernel builds the records; we only count them for the AEAD usage limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

#define CHUNK	(1 << 20)

/**
 * ktls_send_flags() - one send() of application data, with flags
 * @s: offloaded session
 * @buf: data
 * @len: length
 * @flags: 0 or MSG_MORE: more data follows (a send or a sendfile), so
 *	kernel TLS keeps the record open and the next data lands in the same
 *	record (a response head and a small body in one record). Ignored
 *	while wolfSSL still carries TX.
 *
 * Return: bytes sent or a negative errno (-EINVAL for other flags).
 */
KTLS_EXPORT ssize_t ktls_send_flags(struct ktls_session *s, const void *buf,
				    size_t len, int flags)
{
	ssize_t n;
	int ret;

	if (flags & ~MSG_MORE)
		return -EINVAL;
	if (!s->tx_kernel) {
		n = wolfSSL_write(s->ssl, buf, len > CHUNK ? CHUNK : len);
		if (n > 0)
			return n;
		/* non-blocking socket: call again with the same buffer */
		if (wolfSSL_get_error(s->ssl, n) == WOLFSSL_ERROR_WANT_WRITE)
			return -EAGAIN;
		return -EIO;
	}
	if (len > CHUNK)
		len = CHUNK;
	ret = __ktls_tx_begin(s, len, KTLS_TX_DATA);
	if (ret)
		return ret;
	do {
		n = send(s->fd, buf, len, MSG_NOSIGNAL | flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	__ktls_tx_end(s);
	return n;
}

/**
 * ktls_send() - one send() of application data
 * @s: offloaded session
 * @buf: data
 * @len: length
 *
 * Return: bytes sent or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_send(struct ktls_session *s, const void *buf,
			      size_t len)
{
	return ktls_send_flags(s, buf, len, 0);
}

/**
 * ktls_write_all() - send all of @buf
 * @s: offloaded session
 * @buf: data
 * @len: length
 *
 * Return: @len or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_write_all(struct ktls_session *s, const void *buf,
				   size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
		ssize_t n = ktls_send(s, p + done, len - done);

		/* user-space fallback on a blocking socket: wait and retry */
		if (n == -EAGAIN && !(fcntl(s->fd, F_GETFL) & O_NONBLOCK)) {
			poll(&pfd, 1, -1);
			continue;
		}
		if (n < 0)
			return n;
		done += n;
	}
	return done;
}

/**
 * ktls_sendfile() - sendfile() from a file into the session
 * @s: offloaded session (TX in the kernel)
 * @in_fd: file to read
 * @off: file offset, advanced; NULL uses and moves the file position
 * @count: bytes to send
 *
 * Zero-copy (TLS_TX_ZEROCOPY_RO) is used only when the context asked for
 * it with KTLS_F_ZEROCOPY_SENDFILE: a file changed during transmission
 * would break the record MAC on retransmission.
 *
 * Return: bytes sent (may be less than @count at end of file) or a negative
 * errno.
 */
KTLS_EXPORT ssize_t ktls_sendfile(struct ktls_session *s, int in_fd,
				  off_t *off, size_t count)
{
	size_t done = 0;
	int ret;

	if (!s->tx_kernel)
		return -EINVAL;
	while (done < count) {
		size_t want = count - done > CHUNK ? CHUNK : count - done;
		ssize_t n;

		ret = __ktls_tx_begin(s, want, KTLS_TX_DATA);
		if (ret)
			return done ? (ssize_t)done : ret;
		n = sendfile(s->fd, in_fd, off, want);
		if (n < 0)
			ret = -errno;
		__ktls_tx_end(s);
		if (ret == -EINTR)
			continue;
		if (ret)
			return done ? (ssize_t)done : ret;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static ssize_t splice_loop(int in, int out, size_t count,
			   struct ktls_session *acct)
{
	size_t done = 0;
	int ret;

	while (done < count) {
		size_t want = count - done > CHUNK ? CHUNK : count - done;
		ssize_t n;

		if (acct) {
			ret = __ktls_tx_begin(acct, want, KTLS_TX_DATA);
			if (ret)
				return ret;
		}
		n = splice(in, NULL, out, NULL, want, SPLICE_F_MOVE);
		if (acct)
			__ktls_tx_end(acct);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/**
 * ktls_splice_from() - move data from any fd into the session via a pipe
 * @s: offloaded session (TX in the kernel)
 * @in_fd: file, pipe or socket to read
 * @count: bytes to move
 *
 * Return: bytes moved or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_splice_from(struct ktls_session *s, int in_fd,
				     size_t count)
{
	size_t done = 0;
	int p[2];
	ssize_t ret = 0;

	if (!s->tx_kernel)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	while (done < count) {
		size_t want = count - done > CHUNK ? CHUNK : count - done;
		ssize_t in, out;

		in = splice(in_fd, NULL, p[1], NULL, want, SPLICE_F_MOVE);
		if (in < 0 && errno == EINTR)
			continue;
		if (in <= 0) {
			ret = in < 0 ? -errno : 0;
			break;
		}
		out = splice_loop(p[0], s->fd, in, s);
		if (out < 0) {
			ret = out;
			break;
		}
		done += out;
		if (out != in) {
			ret = -EIO;
			break;
		}
	}
	close(p[0]);
	close(p[1]);
	return done ? (ssize_t)done : ret;
}

/*
 * tls_sw_splice_read() says EINVAL both for a control record, which stays
 * for recvmsg, and for a bad record header, which stopped the record
 * parser for good: only in the first case is a record waiting.
 */
static ssize_t splice_failed(struct ktls_session *s, ssize_t err)
{
	unsigned char b, type;

	if (err == -EINVAL &&
	    ktls_fd_recv_record(s->fd, &b, 1, &type,
				MSG_PEEK | MSG_DONTWAIT) != -EAGAIN)
		return err;
	return err == -EAGAIN ? err : __ktls_recv_failed(s, err);
}

/**
 * ktls_splice_to() - move received data from the session to an fd
 * @s: offloaded session (RX in the kernel)
 * @out_fd: file, pipe or socket to write
 * @count: bytes to move at most
 *
 * Splice stops with -EINVAL at a control record; the caller then uses
 * ktls_recv(), which handles it. A record the kernel rejects is answered
 * as in ktls_recv(): fatal alert, session ended.
 *
 * Return: bytes moved (0 at end of stream) or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_splice_to(struct ktls_session *s, int out_fd,
				   size_t count)
{
	ssize_t in, out;
	int p[2];

	if (!s->rx_kernel || s->pend)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	do {
		in = splice(s->fd, NULL, p[1], NULL,
			    count > CHUNK ? CHUNK : count, SPLICE_F_MOVE);
	} while (in < 0 && errno == EINTR);
	if (in <= 0) {
		out = in < 0 ? splice_failed(s, -errno) : 0;
		goto out;
	}
	out = splice_loop(p[0], out_fd, in, NULL);
	if (out >= 0 && out != in)
		out = -EIO;
out:
	close(p[0]);
	close(p[1]);
	return out;
}
