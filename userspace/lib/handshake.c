// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Driving the handshake: a non-blocking step for event loops, blocking
 * connect/accept with a timeout, and turning wolfSSL's errors into reasons.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

/* a content type of RFC 8446 5.1, or heartbeat (24, RFC 6520) */
static bool tls_type(unsigned char t)
{
	return t >= KTLS_CT_CHANGE_CIPHER_SPEC && t <= KTLS_CT_APPLICATION_DATA + 1;
}

static bool looks_like_tls(const unsigned char *h, unsigned int n)
{
	if (n < 3)
		return n == 0 || tls_type(h[0]);
	return tls_type(h[0]) && h[1] == 3 && h[2] <= 4;
}

static int not_tls(struct ktls_session *s)
{
	char shown[24];
	unsigned int i;

	for (i = 0; i < s->hello_len && i < 8; i++)
		shown[i] = (s->hello[i] >= 0x20 && s->hello[i] < 0x7f) ?
			   s->hello[i] : '.';
	shown[i] = '\0';
	return __ktls_fail(s, KTLS_R_NOT_TLS, -EPROTO,
			   "peer does not speak TLS: it sent \"%s\" (is it plain text or another protocol?)",
			   shown);
}

/* The version in the peer's hello, when it sent one. */
static unsigned int peer_hello_version(const struct ktls_session *s)
{
	if (s->hello_len < 11 || s->hello[0] != KTLS_CT_HANDSHAKE)
		return 0;
	return s->hello[9] << 8 | s->hello[10];
}

static int version_error(struct ktls_session *s)
{
	unsigned int min = s->ctx->cfg.min_version == KTLS_TLS_1_3 ?
			   KTLS_TLS_1_3 : KTLS_TLS_1_2;
	unsigned int v = peer_hello_version(s);

	if (v && v < min)
		return __ktls_fail(s, KTLS_R_VERSION_TOO_OLD, -EPROTO,
				   "peer speaks %s, minimum is %s",
				   __ktls_version_name(v),
				   __ktls_version_name(min));
	return __ktls_fail(s, KTLS_R_VERSION_MISMATCH, -EPROTO,
			   "no protocol version in common: we accept %s to %s",
			   __ktls_version_name(min),
			   __ktls_version_name(s->ctx->cfg.max_version ==
					       KTLS_TLS_1_2 ? KTLS_TLS_1_2 :
					       KTLS_TLS_1_3));
}

static int peer_alert(struct ktls_session *s, int code)
{
	const char *name = ktls_alert_name(code);
	const char *list = s->ctx->cfg.ciphers ? s->ctx->cfg.ciphers :
			   __ktls_default_ciphers();

	s->peer_alert = code;
	switch (code) {
	case KTLS_ALERT_PROTOCOL_VERSION:
		return __ktls_fail(s, KTLS_R_VERSION_MISMATCH, -EPROTO,
				   "peer refused our protocol versions (alert %s)",
				   name);
	case KTLS_ALERT_HANDSHAKE_FAILURE:
		if (s->ctx->cfg.role == KTLS_CLIENT)
			return __ktls_fail(s, KTLS_R_PEER_ALERT, -EPROTO,
					   "peer ended the handshake with alert %s; usually no cipher in common: we offer [%s]",
					   name, list);
		break;
	case KTLS_ALERT_BAD_CERTIFICATE:
	case KTLS_ALERT_UNSUPPORTED_CERTIFICATE:
	case KTLS_ALERT_CERTIFICATE_REVOKED:
	case KTLS_ALERT_CERTIFICATE_EXPIRED:
	case KTLS_ALERT_CERTIFICATE_UNKNOWN:
	case KTLS_ALERT_UNKNOWN_CA:
		return __ktls_fail(s, KTLS_R_PEER_ALERT, -EPROTO,
				   "peer rejected our certificate with alert %s",
				   name);
	case KTLS_ALERT_CERTIFICATE_REQUIRED:
		return __ktls_fail(s, KTLS_R_PEER_ALERT, -EPROTO,
				   "peer requires a client certificate (alert %s): configure one",
				   name);
	}
	return __ktls_fail(s, KTLS_R_PEER_ALERT, -EPROTO,
			   "peer ended the handshake with alert %s", name);
}

/**
 * __ktls_classify() - reason and sentence for a failed handshake
 * @s: session
 * @werr: wolfSSL_get_error() value
 *
 * Return: the negative errno to hand to the caller.
 */
int __ktls_classify(struct ktls_session *s, int werr)
{
	WOLFSSL_ALERT_HISTORY h;
	const char *list;
	char buf[WOLFSSL_MAX_ERROR_SZ];
	int ret;

	if (s->certerr.error)
		return __ktls_cert_fail(s);
	if (s->peer_sent && !looks_like_tls(s->hello, s->hello_len))
		return not_tls(s);
	memset(&h, 0, sizeof(h));
	if (werr == FATAL_ERROR)
		wolfSSL_get_alert_history(s->ssl, &h);
	ret = __ktls_psk_classify(s, werr, werr == FATAL_ERROR ?
				  h.last_rx.code : -1);
	if (ret)
		return ret;
	switch (werr) {
	case FATAL_ERROR:
		return peer_alert(s, h.last_rx.code);
	case VERSION_ERROR:
		return version_error(s);
	case MATCH_SUITE_ERROR:
	case UNSUPPORTED_SUITE:
		list = s->ctx->cfg.ciphers ? s->ctx->cfg.ciphers :
		       __ktls_default_ciphers();
		return __ktls_fail(s, KTLS_R_NO_SHARED_CIPHER, -EPROTO,
				   "no cipher in common: we offer [%s]", list);
	case DOMAIN_NAME_MISMATCH:
		return __ktls_fail(s, KTLS_R_HOSTNAME_MISMATCH, -EPROTO,
				   "peer certificate is not valid for %s",
				   s->ctx->cfg.server_name);
	case OCSP_CERT_REVOKED:
		return __ktls_fail(s, KTLS_R_REVOKED, -EKEYREVOKED,
				   "the server's stapled OCSP response says its certificate is revoked");
	case OCSP_CERT_UNKNOWN:
		return __ktls_fail(s, KTLS_R_OCSP_MISSING, -EKEYREJECTED,
				   "an OCSP staple is required, but the server sent none (or its responder does not know the certificate)");
	case BAD_CERTIFICATE_STATUS_ERROR:
	case OCSP_INVALID_STATUS:
	case OCSP_LOOKUP_FAIL:
		return __ktls_fail(s, KTLS_R_OCSP_INVALID, -EKEYREJECTED,
				   "the server's stapled OCSP response is not valid for its certificate: wrong certificate, signer not the issuer or its delegated responder, or past its next update (wolfSSL %d)",
				   werr);
	case NO_PEER_CERT:
		return __ktls_fail(s, KTLS_R_NO_PEER_CERT, -EPROTO,
				   "peer sent no certificate, but one is required");
	case UNKNOWN_ALPN_PROTOCOL_NAME_E:
		return __ktls_fail(s, KTLS_R_ALPN, -EPROTO,
				   "no application protocol in common: we offer %s",
				   s->ctx->cfg.alpn ? s->ctx->cfg.alpn : "none");
	case SOCKET_PEER_CLOSED_E:
	case SOCKET_ERROR_E:
		if (s->io_errno && s->io_errno != ECONNRESET &&
		    s->io_errno != EPIPE)
			return __ktls_fail(s, KTLS_R_IO, -s->io_errno,
					   "socket error during the handshake: %s",
					   strerror(s->io_errno));
		return __ktls_fail(s, KTLS_R_PEER_CLOSED, -ECONNRESET,
				   s->peer_sent ?
				   "peer closed the connection during the handshake" :
				   "peer closed the connection before sending anything");
	}
	if (s->ctx->cfg.role == KTLS_CLIENT && peer_hello_version(s) &&
	    peer_hello_version(s) < (s->ctx->cfg.min_version ?
				     s->ctx->cfg.min_version : KTLS_TLS_1_2))
		return version_error(s);
	wolfSSL_ERR_error_string_n(werr, buf, sizeof(buf));
	return __ktls_fail(s, KTLS_R_PROTOCOL, -EPROTO,
			   "handshake failed: %s (wolfSSL %d)", buf, werr);
}

/**
 * ktls_handshake_step() - advance the handshake without blocking
 * @s: session
 * @want: set to KTLS_WANT_READ or KTLS_WANT_WRITE on -EAGAIN
 *
 * Call again when the socket is ready as asked. The handshake is complete
 * when this returns 0; ktls_offload() then hands the session to the kernel.
 *
 * Return: 0 when done, -EAGAIN to wait, another negative errno on failure
 * (see ktls_reason()).
 */
KTLS_EXPORT int ktls_handshake_step(struct ktls_session *s, int *want)
{
	int ret, werr;

	*want = 0;
	if (s->done)
		return 0;
	if (s->reason)
		return -EPROTO;
	if (!s->keylog_armed) {
		s->keylog_armed = true;
		ret = __ktls_keylog_arm(s);
		if (ret)
			return ret;
	}
	if (s->ctx->cfg.role == KTLS_CLIENT)
		ret = wolfSSL_connect(s->ssl);
	else
		ret = wolfSSL_accept(s->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		__ktls_psk_done(s);
		ret = __ktls_keylog(s);
		if (ret)
			return ret;
		s->done = true;
		return 0;
	}
	werr = wolfSSL_get_error(s->ssl, ret);
	if (werr == WOLFSSL_ERROR_WANT_READ) {
		*want = KTLS_WANT_READ;
		return -EAGAIN;
	}
	if (werr == WOLFSSL_ERROR_WANT_WRITE) {
		*want = KTLS_WANT_WRITE;
		return -EAGAIN;
	}
	__ktls_psk_done(s);
	return __ktls_classify(s, werr);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int handshake_blocking(struct ktls_session *s)
{
	unsigned int tmo = s->ctx->cfg.handshake_timeout_ms ?
			   s->ctx->cfg.handshake_timeout_ms : 30000;
	long long end = now_ms() + tmo;
	struct pollfd pfd = { .fd = s->fd };
	int ret, want;

	for (;;) {
		ret = ktls_handshake_step(s, &want);
		if (ret != -EAGAIN)
			break;
		pfd.events = want == KTLS_WANT_WRITE ? POLLOUT : POLLIN;
		do {
			long long left = end - now_ms();

			if (left <= 0)
				return __ktls_fail(s, KTLS_R_TIMEOUT,
						   -ETIMEDOUT,
						   "peer stalled: handshake not finished after %u ms",
						   tmo);
			ret = poll(&pfd, 1, left);
		} while (ret == 0 || (ret < 0 && errno == EINTR));
		if (ret < 0)
			return __ktls_fail(s, KTLS_R_IO, -errno,
					   "poll failed: %s", strerror(errno));
	}
	if (ret)
		return ret;
	return ktls_offload(s);
}

/**
 * ktls_connect() - client handshake, then switch both directions to kTLS
 * @s: client session
 *
 * Blocks until done or until the configured handshake timeout.
 *
 * Return: 0 or a negative errno (see ktls_reason()).
 */
KTLS_EXPORT int ktls_connect(struct ktls_session *s)
{
	if (s->ctx->cfg.role != KTLS_CLIENT)
		return -EINVAL;
	return handshake_blocking(s);
}

/**
 * ktls_accept() - server handshake, then switch both directions to kTLS
 * @s: server session
 *
 * Return: 0 or a negative errno (see ktls_reason()).
 */
KTLS_EXPORT int ktls_accept(struct ktls_session *s)
{
	if (s->ctx->cfg.role != KTLS_SERVER)
		return -EINVAL;
	return handshake_blocking(s);
}
