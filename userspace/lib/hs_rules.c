// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which handshake messages may arrive after the handshake, and the alert a
 * message that may not gets (RFC 8446 4.6, 4.6.3, 5 and RFC 5246 7.4.1.1):
 *
 *  message          TLS 1.3 client      TLS 1.3 server      TLS 1.2
 *  HelloRequest     unexpected_message  unexpected_message  client: ignored
 *                                                           server: unexpected
 *  NewSessionTicket processed           unexpected_message  unexpected_message
 *  KeyUpdate        processed           processed           unexpected_message
 *  anything else    unexpected_message  unexpected_message  unexpected_message
 *
 * A KeyUpdate whose body is not one byte is a decode_error; one whose
 * request_update is neither 0 nor 1 is an illegal_parameter.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "internal.h"

static const char *hs_name(unsigned int type)
{
	switch (type) {
	case KTLS_HS_HELLO_REQUEST:
		return "a HelloRequest";
	case 1:
		return "a ClientHello";
	case 2:
		return "a ServerHello";
	case KTLS_HS_NEW_TICKET:
		return "a NewSessionTicket";
	case 8:
		return "EncryptedExtensions";
	case 11:
		return "a Certificate";
	case 13:
		return "a CertificateRequest";
	case 15:
		return "a CertificateVerify";
	case 20:
		return "a Finished";
	case KTLS_HS_KEY_UPDATE:
		return "a KeyUpdate";
	}
	return "a handshake message of unknown type";
}

static int check(unsigned int version, enum ktls_role role,
		 const unsigned char *m, size_t mlen, char *why, size_t whylen)
{
	bool tls13 = version == KTLS_TLS_1_3;
	bool client = role == KTLS_CLIENT;
	int alert = KTLS_ALERT_UNEXPECTED_MESSAGE;

	switch (m[0]) {
	case KTLS_HS_HELLO_REQUEST:
		if (!tls13 && client)
			return KTLS_POST_HS_IGNORE;	/* no renegotiation */
		break;
	case KTLS_HS_NEW_TICKET:
		if (tls13 && client)
			return 0;
		break;
	case KTLS_HS_KEY_UPDATE:
		if (!tls13)
			break;
		if (mlen != 1)
			alert = KTLS_ALERT_DECODE_ERROR;
		else if (m[4] > 1)
			alert = KTLS_ALERT_ILLEGAL_PARAMETER;
		else
			return 0;
		snprintf(why, whylen,
			 "the peer sent a malformed KeyUpdate (%zu bytes, request_update %u)",
			 mlen, mlen ? m[4] : 0);
		return alert;
	}
	snprintf(why, whylen, "the peer sent %s to a %s after the handshake",
		 hs_name(m[0]), client ? "client" : "server");
	return alert;
}

/**
 * __ktls_hs_whole() - the one reader of a handshake message's header
 * @m: start of a message
 * @avail: bytes there
 *
 * Return: the whole message's length, 4-byte header included, or 0 while
 * fewer bytes than that have come.
 */
size_t __ktls_hs_whole(const unsigned char *m, size_t avail)
{
	size_t mlen;

	if (avail < 4)
		return 0;
	mlen = (size_t)m[1] << 16 | m[2] << 8 | m[3];
	return avail - 4 < mlen ? 0 : 4 + mlen;
}

/**
 * __ktls_post_hs() - check one post-handshake message and act on it
 * @s: offloaded session
 * @m: one whole message (__ktls_hs_whole() bytes)
 * @keep_ticket: a client's ticket also becomes its context's saved
 *	session (an application's own session; ktlsd keeps tickets itself)
 * @why: set to a sentence naming the message when it is refused
 * @whylen: size of @why
 *
 * The one place that decides what a post-handshake message does, for
 * ktls_recv() and for ktls_post_handshake(): a KeyUpdate installs the
 * peer's next key (and answers when asked), a TLS 1.3 client's
 * NewSessionTicket goes to wolfSSL; the rest is refused by the table
 * above.
 *
 * Return: 0 when acted on, KTLS_POST_HS_IGNORE to drop it, the alert
 * description to refuse it with (above 1, @why set), or a negative errno.
 */
int __ktls_post_hs(struct ktls_session *s, const unsigned char *m,
		   bool keep_ticket, char *why, size_t whylen)
{
	size_t mlen = __ktls_hs_whole(m, SIZE_MAX) - 4;
	int ret;

	ret = check(s->version, s->ctx->cfg.role, m, mlen, why, whylen);
	if (ret)
		return ret;
	/* only ktlsd holds the keys of its sessions (daemon_mode.c) */
	if (s->daemon)
		return __ktls_daemon_post_hs(s, m, 4 + mlen);
	__ktls_lock(s);
	if (m[0] == KTLS_HS_NEW_TICKET) {
		ret = __ktls_feed(s, m, 4 + mlen);
		if (!ret)
			s->tickets++;
		if (!ret && keep_ticket)
			ktls_save_session(s);
	} else {
		ret = __ktls_peer_key_update(s, m[4]);
		if (!ret)
			s->keyupdates++;
	}
	__ktls_unlock(s);
	return ret;
}

/**
 * ktls_check_post_handshake() - may this handshake message arrive now?
 * @version: negotiated version, KTLS_TLS_1_2 or KTLS_TLS_1_3
 * @role: our role
 * @msg: one whole handshake message, 4-byte header included, as read
 *	from a kTLS socket (a record may hold several, or part of one)
 * @len: its length
 * @why: set to a sentence naming the message when it is refused, or NULL
 * @whylen: size of @why
 *
 * The rules of RFC 8446 4.6 and 5 and RFC 5246 7.4.1.1 for a socket
 * ktlsd handed back: a KeyUpdate (TLS 1.3) or a client's NewSessionTicket
 * (TLS 1.3) is for the caller to act on (ktls_daemon_post_handshake());
 * anything else is refused, with ktls_fd_refuse() and the alert returned.
 *
 * Return: 0 to act on the message, KTLS_POST_HS_IGNORE to drop it (a
 * HelloRequest to a TLS 1.2 client), the alert description to refuse it
 * with (always above 1), or -EINVAL when @msg is not one whole message.
 */
KTLS_EXPORT int ktls_check_post_handshake(unsigned int version,
					  enum ktls_role role,
					  const void *msg, size_t len,
					  char *why, size_t whylen)
{
	const unsigned char *m = msg;
	char none[1];

	if (!len || __ktls_hs_whole(m, len) != len)
		return -EINVAL;
	if (!why) {
		why = none;
		whylen = sizeof(none);
	}
	return check(version, role, m, len - 4, why, whylen);
}
