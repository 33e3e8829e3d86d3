// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Record-aware I/O on a kTLS socket: data is returned, control records
 * (alerts, NewSessionTicket, KeyUpdate) are handled here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include <wolfssl/error-ssl.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define HS_MAX		(64 * 1024)

/**
 * __ktls_recv_record() - one recvmsg that also reports the record type
 * @s: offloaded session
 * @buf: buffer
 * @len: its size
 * @type: set to the TLS content type (enum ktls_content_type)
 *
 * Return: bytes read, 0 at TCP end of stream, or a negative errno.
 */
ssize_t __ktls_recv_record(struct ktls_session *s, void *buf, size_t len,
			   unsigned char *type)
{
	return ktls_fd_recv_record(s->fd, buf, len, type, 0);
}

static int handle_alert(struct ktls_session *s, const unsigned char *p,
			size_t n)
{
	if (n != 2)
		return __ktls_refuse(s, KTLS_ALERT_DECODE_ERROR, -EPROTO,
				     "the peer sent an alert record of %zu bytes",
				     n);
	s->peer_alert = p[1];
	if (p[1] == KTLS_ALERT_CLOSE_NOTIFY) {
		s->eof = true;
		return 0;
	}
	/* TLS 1.2 warnings other than close_notify may be ignored */
	if (s->version == KTLS_TLS_1_2 && p[0] == KTLS_ALERT_LEVEL_WARNING)
		return 1;
	if (s->version == KTLS_TLS_1_3 && p[1] == KTLS_ALERT_USER_CANCELED)
		return 1;
	s->eof = true;
	__ktls_fail(s, KTLS_R_PEER_ALERT, -EPROTO,
		    "peer sent fatal alert %s", ktls_alert_name(p[1]));
	return -ECONNABORTED;
}

/*
 * Never block past the session's deadline: a peer that stopped reading
 * fills the send buffer, and a daemon's worker must not wait on it.
 * A small record is queued whole or not at all.
 */
static ssize_t send_by_deadline(struct ktls_session *s, unsigned char type,
				const void *buf, size_t len)
{
	ssize_t n;
	int ret;

	for (;;) {
		n = ktls_fd_send_record(s->fd, type, buf, len, MSG_DONTWAIT);
		if (n != -EAGAIN)
			return n;
		ret = __ktls_wait_fd(s->fd, POLLOUT, s->send_deadline);
		if (ret == -ETIMEDOUT)
			return __ktls_fail(s, KTLS_R_TIMEOUT, -ETIMEDOUT,
					   "the peer does not read: its socket buffer stayed full until the deadline, so a %s record could not be sent",
					   type == KTLS_CT_HANDSHAKE ? "handshake" :
					   type == KTLS_CT_ALERT ? "alert" : "data");
		if (ret)
			return ret;
	}
}

/* One record through kernel TLS, counted against the key's limit. */
/* One record, whole: @len, or a negative errno (-EIO when cut short). */
static ssize_t send_record(struct ktls_session *s, unsigned char type,
			   const void *buf, size_t len, int flags)
{
	ssize_t n;

	if (len > KTLS_MAX_PLAIN)
		return -EMSGSIZE;
	n = __ktls_tx_begin(s, len, type == KTLS_CT_APPLICATION_DATA ? KTLS_TX_DATA :
				    KTLS_TX_CONTROL);
	if (n)
		return n;
	if (s->send_deadline && !(flags & MSG_DONTWAIT))
		n = send_by_deadline(s, type, buf, len);
	else
		n = ktls_fd_send_record(s->fd, type, buf, len, flags);
	__ktls_tx_end(s);
	if (n < 0)
		return n;
	return (size_t)n == len ? n : -EIO;
}

/* Act on every complete handshake message gathered so far. */
static int handle_handshake(struct ktls_session *s, const unsigned char *p,
			    size_t n)
{
	size_t off = 0, whole;
	unsigned char *nb;
	char why[128];
	int ret = 0;

	/*
	 * RFC 8446 5.1 and RFC 5246 6.2.1 forbid empty handshake records;
	 * realloc(s->hs, 0) would also free the buffer s->hs still names.
	 */
	if (!n)
		return __ktls_refuse(s, KTLS_ALERT_UNEXPECTED_MESSAGE, -EPROTO,
				     "the peer sent an empty handshake record");
	if (s->hs_len + n > HS_MAX)
		return __ktls_refuse(s, KTLS_ALERT_ILLEGAL_PARAMETER, -EPROTO,
				     "the peer sent a post-handshake message longer than %d bytes",
				     HS_MAX);
	nb = realloc(s->hs, s->hs_len + n);
	if (!nb)
		return -ENOMEM;
	s->hs = nb;
	memcpy(s->hs + s->hs_len, p, n);
	s->hs_len += n;

	while ((whole = __ktls_hs_whole(s->hs + off, s->hs_len - off))) {
		ret = __ktls_post_hs(s, s->hs + off, true, why, sizeof(why));
		if (ret == KTLS_POST_HS_IGNORE)
			ret = 0;
		else if (ret > 0)
			ret = __ktls_refuse(s, ret, -EPROTO, "%s", why);
		off += whole;
		if (ret)
			break;
	}
	memmove(s->hs, s->hs + off, s->hs_len - off);
	s->hs_len -= off;
	return ret;
}

static ssize_t take_pending(struct ktls_session *s, void *buf, size_t len)
{
	size_t n = s->pend_len - s->pend_off;

	if (n > len)
		n = len;
	memcpy(buf, s->pend + s->pend_off, n);
	s->pend_off += n;
	if (s->pend_off == s->pend_len) {
		explicit_bzero(s->pend, s->pend_len);
		free(s->pend);
		s->pend = NULL;
		s->pend_len = s->pend_off = 0;
	}
	return n;
}

/* Without kTLS on RX (fallback): wolfSSL reads, blocking unless O_NONBLOCK. */
static ssize_t recv_user(struct ktls_session *s, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int n;

	for (;;) {
		n = wolfSSL_read(s->ssl, buf, len > INT32_MAX ? INT32_MAX : len);
		if (n > 0)
			return n;
		switch (wolfSSL_get_error(s->ssl, n)) {
		case WOLFSSL_ERROR_ZERO_RETURN:
			return 0;
		case WOLFSSL_ERROR_WANT_READ:
			if (fcntl(s->fd, F_GETFL) & O_NONBLOCK)
				return -EAGAIN;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		case WOLFSSL_ERROR_SYSCALL:
		case SOCKET_PEER_CLOSED_E:
			return -EPIPE;
		}
		return -EIO;
	}
}

/**
 * ktls_recv() - receive application data from an offloaded session
 * @s: session
 * @buf: buffer
 * @len: its size
 *
 * Control records are consumed on the way: tickets are kept, KeyUpdate
 * installs the next key (6.14+), close_notify ends the stream.
 *
 * A record the kernel rejects, or one that must not come now, is answered
 * with the fatal alert the RFCs require, sent through kernel TLS, and the
 * session ends (our write side is shut down); ktls_reason_text() says what
 * the peer did and which alert went out.
 *
 * Return: bytes, 0 at close_notify, or a negative errno: -ECONNABORTED after
 * a fatal alert from the peer (ktls_peer_alert(), ktls_reason_text() name
 * it) and on every call after the session ended, -EBADMSG (a record failed
 * authentication: bad_record_mac sent), -EMSGSIZE (record too long:
 * record_overflow sent), -EINVAL (bad record header), -EPROTO (a record or
 * message that must not come now), -EPIPE when the peer closed TCP without
 * close_notify, -EKEYEXPIRED when the kernel cannot follow a KeyUpdate.
 */
KTLS_EXPORT ssize_t ktls_recv(struct ktls_session *s, void *buf, size_t len)
{
	unsigned char small[KTLS_MAX_PLAIN];
	unsigned char type;
	ssize_t n;
	int ret;

	if (s->pend)
		return take_pending(s, buf, len);
	if (s->eof)
		return s->reason ? -ECONNABORTED : 0;
	if (!s->rx_kernel)
		return recv_user(s, buf, len);
	if (!len)
		return 0;
	for (;;) {
		/* a control record must fit whole: use our buffer if tiny */
		bool own = len < 256;

		n = __ktls_recv_record(s, own ? small : buf,
				       own ? sizeof(small) : len, &type);
		/* 6.14+ reads nothing after a KeyUpdate's start (fail.c) */
		if (n == -EKEYEXPIRED && s->hs_len)
			return __ktls_refuse(s, KTLS_ALERT_UNEXPECTED_MESSAGE,
					     -EPROTO,
					     "the peer split a KeyUpdate over records, which kernel TLS cannot follow (it reads nothing after the first fragment)");
		if (n < 0)
			return n == -EAGAIN ? n : __ktls_recv_failed(s, n);
		if (n == 0 && type == KTLS_CT_APPLICATION_DATA) {
			s->eof = true;
			__ktls_fail(s, KTLS_R_PEER_CLOSED, -EPIPE,
				    "peer closed the connection without close_notify");
			return -EPIPE;
		}
		/* RFC 8446 5.1: nothing between a message's fragments */
		if (s->hs_len && type != KTLS_CT_HANDSHAKE)
			return __ktls_refuse(s, KTLS_ALERT_UNEXPECTED_MESSAGE,
					     -EPROTO,
					     "the peer sent a record of type %u inside a fragmented handshake message",
					     type);
		switch (type) {
		case KTLS_CT_APPLICATION_DATA:
			if (!own)
				return n;
			s->pend = malloc(n);
			if (!s->pend)
				return -ENOMEM;
			memcpy(s->pend, small, n);
			s->pend_len = n;
			return take_pending(s, buf, len);
		case KTLS_CT_ALERT:
			ret = handle_alert(s, own ? small : buf, n);
			if (ret <= 0)
				return ret;
			break;
		case KTLS_CT_HANDSHAKE:
			ret = handle_handshake(s, own ? small : buf, n);
			if (ret)
				return ret;
			break;
		default:
			return __ktls_refuse(s, KTLS_ALERT_UNEXPECTED_MESSAGE,
					     -EPROTO,
					     "the peer sent a record of unexpected type %u",
					     type);
		}
	}
}

/**
 * ktls_send_record() - send one record of a given content type
 * @s: offloaded session
 * @type: TLS content type (enum ktls_content_type)
 * @buf: payload
 * @len: its length, at most 16384
 *
 * The record goes whole or not at all, as for ktls_fd_send_record().
 *
 * Return: @len (the payload bytes sent), or a negative errno (-EIO when
 * the socket took only part of the record).
 */
KTLS_EXPORT ssize_t ktls_send_record(struct ktls_session *s,
				     unsigned char type, const void *buf,
				     size_t len)
{
	return send_record(s, type, buf, len, 0);
}

/**
 * ktls_send_alert() - send an alert record
 * @s: offloaded session
 * @level: KTLS_ALERT_LEVEL_WARNING or KTLS_ALERT_LEVEL_FATAL
 * @desc: alert description (KTLS_ALERT_*)
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_send_alert(struct ktls_session *s, int level, int desc)
{
	unsigned char a[2] = { level, desc };
	ssize_t n = ktls_send_record(s, KTLS_CT_ALERT, a, sizeof(a));

	return n < 0 ? n : 0;
}

/**
 * ktls_close_notify() - tell the peer we send no more (the kernel never does)
 * @s: offloaded session
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_close_notify(struct ktls_session *s)
{
	if (!s->tx_kernel) {
		wolfSSL_shutdown(s->ssl);
		return 0;
	}
	return ktls_send_alert(s, KTLS_ALERT_LEVEL_WARNING,
			       KTLS_ALERT_CLOSE_NOTIFY);
}

/**
 * ktls_peer_alert() - the last alert the peer sent
 * @s: session
 *
 * Return: its description (KTLS_ALERT_*, close_notify is 0), or -ENOENT
 * when the peer sent none.
 */
KTLS_EXPORT int ktls_peer_alert(const struct ktls_session *s)
{
	return s->peer_alert < 0 ? -ENOENT : s->peer_alert;
}

/**
 * ktls_tickets_received() - NewSessionTicket messages seen after the switch
 * @s: session
 *
 * Return: count.
 */
KTLS_EXPORT int ktls_tickets_received(const struct ktls_session *s)
{
	return s->tickets;
}

/**
 * ktls_keyupdates_received() - KeyUpdate messages seen from the peer
 * @s: session
 *
 * Return: count.
 */
KTLS_EXPORT int ktls_keyupdates_received(const struct ktls_session *s)
{
	return s->keyupdates;
}
