// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * After the handoff, a peer that breaks the record layer or sends what must
 * not come is answered the way RFC 8446 6 and RFC 5246 7.2 require: one
 * fatal alert, sent under our TX key through kernel TLS, then our side of
 * TCP is shut. This file is the one place that picks the alert and sends
 * it: for sessions (ktls_recv(), ktls_uring_recv_done(), the post-handshake
 * rules) and for sockets ktlsd handed back (ktls_fd_fail(),
 * ktls_fd_refuse()). An alert the peer sends us is reported by name in
 * record.c and never answered.
 *
 * What kernel TLS does with a bad record. Read in Debian's 6.1.192,
 * 6.12.118 and 7.2.13 sources (net/tls/), the same in all three unless
 * said. Everything not marked "read only" is also checked on each kernel
 * by selftests/lib/alerts:
 *
 * - tls_sw.c tls_rx_msg_size(), called by the record parser (tls_strp.c)
 *   as soon as a header (and for TLS 1.2 AES-GCM/CCM its 8-byte explicit
 *   nonce) is in, even before anyone reads:
 *     length > 2^14 + tag (+ explicit nonce; + 1 content type, TLS 1.3)
 *                                        -> EMSGSIZE
 *     length < tag (+ nonce)             -> EBADMSG
 *     version bytes other than 03 03     -> EINVAL
 *   tls_strp.c tls_strp_abort_strp() stops the parser for good and sets
 *   sk_err. The next recvmsg finds no record, takes sk_err with
 *   sock_error(), which clears it, and returns it once; reads after that
 *   wait (or EAGAIN) until the peer's FIN, as the parser never restarts.
 *   With sk_err cleared, sendmsg of our alert works at once. Read only: a
 *   recvmsg that copied data and still wants more (MSG_WAITALL,
 *   SO_RCVLOWAT) returns the data; 6.12 and 7.2 leave sk_err for the next
 *   call (tls_rx_rec_wait(), has_copied), 6.1 consumes it there, so its
 *   next read just waits.
 * - tls_sw.c tls_rx_one_record(): a record that fails authentication, or
 *   (TLS 1.3) decrypts to zeros with no content type byte
 *   (tls_padding_length()), ends in tls_err_abort(sk, -EBADMSG), called
 *   by tls_sw_recvmsg() on 6.1 and 6.12 and inside tls_rx_one_record() on
 *   7.2: sk_err = EBADMSG and the record stays at the head of the parser.
 *   recvmsg returns EBADMSG (after any data it copied before the record)
 *   and every later recvmsg decrypts the same record and fails again.
 *   Nothing clears sk_err there, and tls_sw_sendmsg() fails with it: the
 *   alert can only go out after getsockopt(SO_ERROR) read and cleared it.
 *   Then it is encrypted under the TX key as any record and reaches the
 *   peer. Read only: TlsDecryptError counts the authentication failures,
 *   not the padding or length ones; a failed async decryption (TLS 1.2
 *   data) also sticks in ctx->async_wait.err, and every later read
 *   returns it.
 * - 7.2 only (6.14+): tls_sw.c tls_check_pending_rekey() marks a rekey
 *   pending for any handshake record whose first byte is 24 (KeyUpdate),
 *   in TLS 1.2 too, and tls_rx_rec_wait() then fails every read with
 *   EKEYEXPIRED until TLS_RX is set again: a KeyUpdate split over records
 *   can never be completed, nor anything after its first fragment read.
 *   ktls_recv() refuses it with unexpected_message.
 * - TLS 1.3 padding without a content type must get unexpected_message
 *   (RFC 8446 5.4), but recvmsg says EBADMSG for it and for a bad tag
 *   alike: both get bad_record_mac.
 *
 * So: read SO_ERROR, then send the alert without waiting (a peer that does
 * not read gets none rather than holding us), then shut the write side.
 */
#include <errno.h>
#include <linux/tls.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/*
 * The alert a receive error on a kTLS socket calls for (RFC 8446 6.2,
 * RFC 5246 7.2.2), or 0 when the error is not the peer's record: the
 * connection is gone (ECONNRESET, EPIPE), or the fault is ours.
 */
static int alert_for(int err, unsigned int version)
{
	switch (err) {
	case -EBADMSG:
		return KTLS_ALERT_BAD_RECORD_MAC;
	case -EMSGSIZE:
		return KTLS_ALERT_RECORD_OVERFLOW;
	case -EINVAL:
		/* what OpenSSL sends for a bad record version */
		return version == KTLS_TLS_1_3 ? KTLS_ALERT_DECODE_ERROR :
						 KTLS_ALERT_PROTOCOL_VERSION;
	}
	return 0;
}

static const char *what_peer_did(int err)
{
	switch (err) {
	case -EBADMSG:
		return "a record from the peer failed authentication (or was too short, or TLS 1.3 padding only)";
	case -EMSGSIZE:
		return "the peer sent a record longer than 2^14 bytes plus the cipher's overhead";
	case -EINVAL:
		return "the peer sent a record header with a wrong version";
	}
	return "the peer broke the record layer";
}

/* Fatal @alert through kernel TLS on @fd, then no more from us. */
static int send_fatal(int fd, int alert)
{
	unsigned char a[2] = { KTLS_ALERT_LEVEL_FATAL, alert };
	socklen_t len = sizeof(int);
	ssize_t n;
	int err;

	/* a bad tag leaves sk_err set, and every send fails until read */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	n = ktls_fd_send_record(fd, KTLS_CT_ALERT, a, sizeof(a), MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	if (n < 0)
		return n;
	return n == sizeof(a) ? 0 : -EIO;
}

/**
 * __ktls_refuse() - answer the peer with a fatal alert and end the session
 * @s: offloaded session
 * @alert: alert description
 * @err: negative errno to return
 * @fmt: what the peer did, as a sentence
 *
 * The reason (KTLS_R_PROTOCOL) says what the peer did and which alert went
 * out; the session reads nothing more. With TX still in wolfSSL (user-space
 * fallback) wolfSSL answers the errors it finds itself and no alert is sent
 * here.
 *
 * Return: @err.
 */
int __ktls_refuse(struct ktls_session *s, int alert, int err,
		  const char *fmt, ...)
{
	char why[256];
	va_list ap;
	int ret = -ENOTCONN;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	s->eof = true;
	if (s->tx_kernel) {
		__ktls_lock(s);
		ret = send_fatal(s->fd, alert);
		if (!ret)
			s->tx_records++;
		__ktls_unlock(s);
	}
	if (ret)
		return __ktls_fail(s, KTLS_R_PROTOCOL, err,
				   "%s: the fatal alert %s could not be sent (%s)",
				   why, ktls_alert_name(alert), strerror(-ret));
	return __ktls_fail(s, KTLS_R_PROTOCOL, err,
			   "%s: answered with the fatal alert %s", why,
			   ktls_alert_name(alert));
}

/**
 * __ktls_recv_failed() - a receive on the session's kTLS socket failed
 * @s: offloaded session
 * @err: the negative errno it returned
 *
 * Return: @err, after the alert it calls for went out (if any).
 */
ssize_t __ktls_recv_failed(struct ktls_session *s, ssize_t err)
{
	int alert = alert_for(err, s->version);

	if (!alert)
		return err;
	return __ktls_refuse(s, alert, err, "%s (%s from kernel TLS)",
			     what_peer_did(err), strerror(-err));
}

/* Version of @fd's kTLS TX, or a negative errno when TX is not there. */
static int tx_version(int fd)
{
	struct tls_crypto_info ci = { 0 };
	socklen_t len = sizeof(ci);

	if (getsockopt(fd, SOL_TLS, TLS_TX, &ci, &len))
		/* no tls ULP: ENOPROTOOPT, or EOPNOTSUPP from TCP itself */
		return errno == ENOPROTOOPT || errno == EOPNOTSUPP ? -EBUSY :
		       -errno;
	/* without it, the alert would go out in the clear */
	return ci.cipher_type ? ci.version : -EBUSY;
}

/**
 * ktls_fd_fail() - answer a receive error on a kTLS socket and end it
 * @fd: connected socket with kernel TLS on both directions and no session
 *	in this process (one ktlsd handed back)
 * @err: the negative errno a receive on @fd returned
 *
 * For an error that means the peer broke the record layer (-EBADMSG: a
 * record failed authentication; -EMSGSIZE: a record too long; -EINVAL: a
 * bad record header), sends the fatal alert the RFCs require through
 * kernel TLS without blocking. Then, for any error, shuts down the write
 * side: read nothing more from @fd, close it.
 *
 * Return: the alert description sent (see ktls_alert_name()), 0 when
 * @err calls for none (the connection is gone, or the fault is local), or
 * a negative errno when the alert could not be sent (-EBUSY: no kernel
 * TLS on transmit, so nothing is sent in the clear).
 */
KTLS_EXPORT int ktls_fd_fail(int fd, int err)
{
	int version = tx_version(fd);
	int alert, ret;

	alert = alert_for(err, version);
	if (!alert || version < 0) {
		shutdown(fd, SHUT_WR);
		return alert ? version : 0;
	}
	ret = send_fatal(fd, alert);
	return ret ? ret : alert;
}

/**
 * ktls_fd_refuse() - refuse what the peer sent with a fatal alert
 * @fd: connected socket with kernel TLS on transmit
 * @alert: alert description, e.g. KTLS_ALERT_UNEXPECTED_MESSAGE, as
 *	ktls_check_post_handshake() returns it
 *
 * Sends the alert through kernel TLS without blocking and shuts down the
 * write side. Read nothing more from @fd; close it.
 *
 * Return: 0, or a negative errno when the alert could not be sent (-EBUSY:
 * no kernel TLS on transmit, so nothing is sent in the clear).
 */
KTLS_EXPORT int ktls_fd_refuse(int fd, int alert)
{
	int version = tx_version(fd);

	if (alert <= 0 || alert > 255)
		return -EINVAL;
	if (version < 0) {
		shutdown(fd, SHUT_WR);
		return version;
	}
	return send_fatal(fd, alert);
}
