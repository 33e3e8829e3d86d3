// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io_uring on an offloaded session, in liburing's style: each helper fills
 * an SQE the caller took from its own ring, and the caller hands each CQE
 * back to ktls_uring_done() or ktls_uring_recv_done(). Nothing here submits
 * or reaps, so one ring can carry many sessions and the caller's own
 * operations.
 *
 * Records are charged toward the key's usage limit when the SQE is
 * prepared, through the same __ktls_tx_begin() as every other send path:
 * a KeyUpdate must reach the socket before the data past the limit does,
 * and once the SQE is prepared the library no longer sees it go.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SEND_FLAGS	(MSG_MORE | MSG_DONTWAIT | MSG_WAITALL)

/*
 * Charge @len bytes of data; on failure the SQE becomes a NOP, so the
 * caller's ring never submits half-prepared garbage.
 */
static int prep_begin(struct io_uring_sqe *sqe, struct ktls_session *s,
		      size_t len)
{
	int ret = __ktls_tx_begin(s, len, KTLS_TX_DATA);

	if (ret)
		io_uring_prep_nop(sqe);
	return ret;
}

static int prep_send(struct io_uring_sqe *sqe, struct ktls_session *s,
		     const void *buf, size_t len, int flags, bool zc)
{
	int ret;

	if (flags & ~SEND_FLAGS) {
		io_uring_prep_nop(sqe);
		return -EINVAL;
	}
	ret = prep_begin(sqe, s, len);
	if (ret)
		return ret;
	if (zc)
		io_uring_prep_send_zc(sqe, s->fd, buf, len,
				      flags | MSG_NOSIGNAL, 0);
	else
		io_uring_prep_send(sqe, s->fd, buf, len, flags | MSG_NOSIGNAL);
	__ktls_tx_end(s);
	return 0;
}

/**
 * ktls_prep_send() - prepare IORING_OP_SEND of application data
 * @sqe: an SQE of the caller's ring
 * @s: offloaded session (TX in the kernel)
 * @buf: data; must stay unchanged until the CQE
 * @len: length
 * @flags: 0 or MSG_MORE, MSG_DONTWAIT, MSG_WAITALL (MSG_NOSIGNAL is added)
 *
 * The caller sets user_data, submits, and passes the CQE to
 * ktls_uring_done().
 *
 * Return: 0, or a negative errno with a NOP in @sqe: -EINVAL (bad flags,
 * TX not in the kernel), -EKEYEXPIRED (the key is used up and cannot be
 * changed: the session has ended).
 */
KTLS_EXPORT int ktls_prep_send(struct io_uring_sqe *sqe,
			       struct ktls_session *s, const void *buf,
			       size_t len, int flags)
{
	return prep_send(sqe, s, buf, len, flags, false);
}

/**
 * ktls_prep_send_zc() - prepare IORING_OP_SEND_ZC of application data
 * @sqe: an SQE of the caller's ring
 * @s: offloaded session (TX in the kernel)
 * @buf: data; must stay unchanged until the notification CQE
 * @len: length
 * @flags: as for ktls_prep_send()
 *
 * Two CQEs come, as with io_uring_prep_send_zc(): the result, with
 * IORING_CQE_F_MORE, then a notification (IORING_CQE_F_NOTIF) when @buf
 * may be reused. Pass both to ktls_uring_done(). Kernel TLS in software
 * mode refuses zero-copy (-EOPNOTSUPP in the result): send with
 * ktls_prep_send() then.
 *
 * Return: as ktls_prep_send().
 */
KTLS_EXPORT int ktls_prep_send_zc(struct io_uring_sqe *sqe,
				  struct ktls_session *s, const void *buf,
				  size_t len, int flags)
{
	return prep_send(sqe, s, buf, len, flags, true);
}

/**
 * ktls_prep_send_record() - prepare IORING_OP_SENDMSG of one typed record
 * @sqe: an SQE of the caller's ring
 * @s: offloaded session (TX in the kernel)
 * @type: content type (enum ktls_content_type)
 * @buf: payload; must stay unchanged until the CQE
 * @len: its length, at most 16384 (the record goes whole)
 * @m: caller-owned storage for the msghdr and the type cmsg; it must stay
 *	where it is until the CQE
 *
 * Return: as ktls_prep_send(), and -EMSGSIZE when @len is above 16384.
 */
KTLS_EXPORT int ktls_prep_send_record(struct io_uring_sqe *sqe,
				      struct ktls_session *s,
				      unsigned char type, const void *buf,
				      size_t len, struct ktls_uring_msg *m)
{
	int ret;

	if (len > KTLS_MAX_PLAIN) {
		io_uring_prep_nop(sqe);
		return -EMSGSIZE;
	}
	ret = prep_begin(sqe, s, len);
	if (ret)
		return ret;
	__ktls_typed_msg_init(m, buf, len, type);
	io_uring_prep_sendmsg(sqe, s->fd, &m->msg, MSG_NOSIGNAL);
	__ktls_tx_end(s);
	return 0;
}

/**
 * ktls_prep_splice() - prepare file -> pipe -> session as two linked SQEs
 * @in_sqe: SQE for the splice from @in_fd into the pipe, or NULL to only
 *	move what the pipe already holds (after a short or cancelled
 *	second half)
 * @out_sqe: SQE for the splice from the pipe into the session's socket
 * @s: offloaded session (TX in the kernel)
 * @in_fd: file or socket to read (ignored without @in_sqe)
 * @off: offset in @in_fd, or -1 for its file position
 * @pipefd: a pipe the caller owns (pipe2()), empty unless @in_sqe is NULL;
 *	it must stay open until both CQEs came
 * @len: bytes to move, at most the pipe's size (F_GETPIPE_SZ)
 *
 * splice(2) needs a pipe on one side, so a file reaches a socket in two
 * steps. @in_sqe gets IOSQE_IO_LINK: the second half starts only once the
 * first moved all @len bytes. When the first moves fewer (end of file),
 * io_uring cancels the second (-ECANCELED) and the bytes stay in the pipe:
 * move them with @in_sqe NULL and @len the first CQE's result. Keep the
 * pair adjacent in the ring (no other SQE between them).
 *
 * Return: as ktls_prep_send() (NOPs in both SQEs on failure), and -EINVAL
 * when @len is above the pipe's size.
 */
KTLS_EXPORT int ktls_prep_splice(struct io_uring_sqe *in_sqe,
				 struct io_uring_sqe *out_sqe,
				 struct ktls_session *s, int in_fd,
				 int64_t off, const int pipefd[2],
				 unsigned int len)
{
	int size = fcntl(pipefd[1], F_GETPIPE_SZ);
	int ret;

	ret = size < 0 ? -errno : len > (unsigned int)size ? -EINVAL : 0;
	if (!ret)
		ret = prep_begin(out_sqe, s, len);
	else
		io_uring_prep_nop(out_sqe);
	if (ret) {
		if (in_sqe)
			io_uring_prep_nop(in_sqe);
		return ret;
	}
	io_uring_prep_splice(out_sqe, pipefd[0], -1, s->fd, -1, len,
			     SPLICE_F_MOVE);
	__ktls_tx_end(s);
	if (in_sqe) {
		io_uring_prep_splice(in_sqe, in_fd, off, pipefd[1], -1, len,
				     SPLICE_F_MOVE);
		in_sqe->flags |= IOSQE_IO_LINK;
	}
	return 0;
}

/**
 * ktls_prep_recv_record() - prepare IORING_OP_RECVMSG of one record
 * @sqe: an SQE of the caller's ring
 * @s: offloaded session (RX in the kernel)
 * @buf: room for the record's data
 * @len: its size
 * @m: caller-owned storage for the msghdr and the type cmsg; it must stay
 *	where it is until the CQE
 *
 * Pass the CQE to ktls_uring_recv_done(), which reads the record type out
 * of @m. A control record (alert, handshake message) comes whole and
 * alone; ktls_recv() is the call that acts on them.
 *
 * Return: 0, or -EINVAL (RX not in the kernel) with a NOP in @sqe.
 */
KTLS_EXPORT int ktls_prep_recv_record(struct io_uring_sqe *sqe,
				      struct ktls_session *s, void *buf,
				      size_t len, struct ktls_uring_msg *m)
{
	if (!s->rx_kernel) {
		io_uring_prep_nop(sqe);
		return -EINVAL;
	}
	__ktls_typed_msg_init(m, buf, len, -1);
	io_uring_prep_recvmsg(sqe, s->fd, &m->msg, 0);
	return 0;
}

/* Results that say nothing about the session. */
static bool transient(int res)
{
	return res == -EAGAIN || res == -EINTR || res == -ECANCELED;
}

/**
 * ktls_uring_done() - account for the CQE of a session's send
 * @s: the session the SQE was prepared for
 * @cqe: its CQE, still in the caller's ring (the caller marks it seen)
 *
 * For any CQE of ktls_prep_send(), ktls_prep_send_zc() (both its CQEs),
 * ktls_prep_send_record() and the second (@out_sqe) of ktls_prep_splice();
 * the first only reads the caller's file into its pipe. A failure
 * that ends the connection is kept as the session's reason
 * (ktls_reason_text()); -EAGAIN, -EINTR, -ECANCELED (a broken link) and
 * -EOPNOTSUPP (zero-copy refused) leave the session as it is.
 *
 * Return: the CQE's result: bytes moved or a negative errno; 0 for a
 * zero-copy notification (the buffer may be reused).
 */
KTLS_EXPORT ssize_t ktls_uring_done(struct ktls_session *s,
				    const struct io_uring_cqe *cqe)
{
	int res = cqe->res;

	if (cqe->flags & IORING_CQE_F_NOTIF)
		return 0;
	if (res >= 0 || transient(res) || res == -EOPNOTSUPP)
		return res;
	if (res == -EPIPE || res == -ECONNRESET)
		return __ktls_fail(s, KTLS_R_PEER_CLOSED, res,
				   "the peer closed the connection during an io_uring send (%s)",
				   strerror(-res));
	return __ktls_fail(s, KTLS_R_IO, res, "io_uring send failed: %s",
			   strerror(-res));
}

/**
 * ktls_uring_recv_done() - the result of ktls_prep_recv_record()
 * @s: the session the SQE was prepared for
 * @cqe: its CQE, still in the caller's ring (the caller marks it seen)
 * @m: the storage given to ktls_prep_recv_record()
 * @type: set to the record's content type (enum ktls_content_type)
 *
 * A record the kernel rejects is answered as ktls_recv() does: the fatal
 * alert goes out and the session ends (ktls_reason_text() says which).
 *
 * Return: bytes, 0 at TCP end of stream, or a negative errno (-EBADMSG,
 * -EMSGSIZE, -EINVAL: the peer broke the record layer, alert sent).
 */
KTLS_EXPORT ssize_t ktls_uring_recv_done(struct ktls_session *s,
					 const struct io_uring_cqe *cqe,
					 const struct ktls_uring_msg *m,
					 unsigned char *type)
{
	*type = KTLS_CT_APPLICATION_DATA;
	if (cqe->res < 0)
		return transient(cqe->res) ? cqe->res :
		       __ktls_recv_failed(s, cqe->res);
	*type = ktls_uring_msg_type(m);
	return cqe->res;
}
