// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 external pre-shared keys (RFC 8446 2.2, 4.2.11), as NVMe/TCP
 * uses them: identity "NVMe0R01 <hostnqn> <subnqn>" with a 32-byte key for
 * TLS_AES_128_GCM_SHA256, "NVMe0R02 ..." with 48 bytes for
 * TLS_AES_256_GCM_SHA384. The key length picks the suite, because the
 * suite's hash must be the one the PSK was made for; with a key share
 * offered, wolfSSL prefers psk_dhe_ke (forward secrecy), as NVMe-TLS asks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <wolfssl/error-ssl.h>

#define SUITE_SHA256	"TLS13-AES128-GCM-SHA256"
#define SUITE_SHA384	"TLS13-AES256-GCM-SHA384"

static const char *psk_suite(unsigned int len)
{
	return len == 48 ? SUITE_SHA384 : SUITE_SHA256;
}

/**
 * __ktls_psk_session() - whether a session authenticates with a PSK
 * @s: session
 *
 * Return: true for a client given a PSK or a server given a lookup.
 */
bool __ktls_psk_session(const struct ktls_session *s)
{
	return s->psk_lookup || (s->ctx->cfg.role == KTLS_CLIENT &&
				 s->psk_len);
}

/**
 * __ktls_session_suites() - the suites and signature algorithms again
 * @s: session
 * @list: cipher list for this session, NULL for the context's (or, in a
 *	PSK client session, the one suite its key is for)
 *
 * wolfSSL rebuilds a session's suite list from its defaults whenever a
 * PSK callback, a version or a key is set on the session, losing the
 * context's choice: put it back.
 *
 * Return: 0 or -EINVAL.
 */
int __ktls_session_suites(struct ktls_session *s, const char *list)
{
	const struct ktls_ctx *ctx = s->ctx;

	if (!list && s->ctx->cfg.role == KTLS_CLIENT && s->psk_len)
		list = psk_suite(s->psk_len);
	if (!list)
		list = ctx->cfg.ciphers ? ctx->cfg.ciphers :
		       __ktls_default_ciphers();
	if (wolfSSL_set_cipher_list(s->ssl, list) != WOLFSSL_SUCCESS)
		return -EINVAL;
	if (ctx->sigalgs &&
	    wolfSSL_set1_sigalgs_list(s->ssl, ctx->sigalgs) != WOLFSSL_SUCCESS)
		return -EINVAL;
	return 0;
}

/* Only TLS 1.3, whatever the context allows otherwise. */
static int psk_tls13(struct ktls_session *s)
{
	if (s->done || s->ctx->cfg.max_version == KTLS_TLS_1_2 ||
	    (s->ctx->cfg.policy & KTLS_P_INSECURE_ANONYMOUS))
		return -EINVAL;
	if (wolfSSL_SetVersion(s->ssl, WOLFSSL_TLSV1_3) != WOLFSSL_SUCCESS ||
	    wolfSSL_SetMinVersion(s->ssl, WOLFSSL_TLSV1_3) != WOLFSSL_SUCCESS)
		return -EINVAL;
	wolfSSL_set_psk_callback_ctx(s->ssl, s);
	return 0;
}

static unsigned int client_cb(WOLFSSL *ssl, const char *hint, char *id,
			      unsigned int id_max, unsigned char *key,
			      unsigned int key_max, const char **suite)
{
	struct ktls_session *s = wolfSSL_get_psk_callback_ctx(ssl);
	size_t n;

	if (!s || !s->psk_id || !s->psk_len || key_max < s->psk_len)
		return 0;
	n = strlen(s->psk_id);
	if (n >= id_max)
		return 0;
	memcpy(id, s->psk_id, n + 1);
	memcpy(key, s->psk_key, s->psk_len);
	*suite = psk_suite(s->psk_len);
	return s->psk_len;
}

/**
 * ktls_session_set_psk() - authenticate a client with a TLS 1.3 PSK
 * @s: client session, before the handshake
 * @identity: the PSK identity, 1 to KTLS_PSK_IDENTITY_MAX bytes, sent to
 *	the server in the clear
 * @key: the key; copied, and wiped from the session (explicit_bzero) once
 *	the handshake ends and again when the session is freed
 * @key_len: 32 (the session offers TLS_AES_128_GCM_SHA256 only) or 48
 *	(TLS_AES_256_GCM_SHA384 only)
 *
 * The session becomes TLS 1.3 only and offers psk_dhe_ke and psk_ke with
 * an ECDHE key share; servers take psk_dhe_ke then. It accepts no other
 * authentication: a server that answers with a certificate instead (it
 * does not know the identity) fails the handshake with
 * KTLS_R_PSK_UNKNOWN, as does a handshake_failure or unknown_psk_identity
 * alert; a decrypt_error alert or a bad server Finished (the keys differ)
 * fails with KTLS_R_PSK_MISMATCH. After the handshake,
 * ktls_peer_identity() returns "psk:" followed by @identity.
 *
 * Return: 0; -EINVAL for a server session, a key of another length, an
 * empty or too long identity, a context limited to TLS 1.2, or a session
 * whose handshake is over; -ENOMEM.
 */
KTLS_EXPORT int ktls_session_set_psk(struct ktls_session *s,
				     const char *identity,
				     const unsigned char *key, size_t key_len)
{
	size_t n = identity ? strlen(identity) : 0;
	char *id;
	int ret;

	if (s->ctx->cfg.role != KTLS_CLIENT || !key ||
	    (key_len != 32 && key_len != 48) || !n ||
	    n > KTLS_PSK_IDENTITY_MAX)
		return -EINVAL;
	ret = psk_tls13(s);
	if (ret)
		return ret;
	id = strdup(identity);
	if (!id)
		return -ENOMEM;
	free(s->psk_id);
	s->psk_id = id;
	memcpy(s->psk_key, key, key_len);
	s->psk_len = key_len;
	wolfSSL_set_psk_client_tls13_callback(s->ssl, client_cb);
	/* see every certificate, even unverified: none may come */
	wolfSSL_set_verify(s->ssl, WOLFSSL_VERIFY_PEER, __ktls_verify_cb);
	/* the PSK's hash fixes the suite: offer only that one */
	return __ktls_session_suites(s, NULL);
}

/* Ask the caller's lookup once per identity, keep the answer. */
static void lookup(struct ktls_session *s, const char *id)
{
	int n;

	if (s->psk_id && !strcmp(s->psk_id, id))
		return;
	explicit_bzero(s->psk_key, sizeof(s->psk_key));
	s->psk_len = 0;
	free(s->psk_id);
	s->psk_id = strdup(id);
	if (!s->psk_id) {
		s->psk_lookup_err = -ENOMEM;
		return;
	}
	n = s->psk_lookup(s->psk_arg, id, s->psk_key, sizeof(s->psk_key));
	if (n == 32 || n == 48) {
		s->psk_len = n;
		s->psk_lookup_err = 0;
		return;
	}
	explicit_bzero(s->psk_key, sizeof(s->psk_key));
	s->psk_lookup_err = n < 0 ? n : -EMSGSIZE;
}

static unsigned int server_cb(WOLFSSL *ssl, const char *id,
			      unsigned char *key, unsigned int key_max,
			      const char **suite)
{
	struct ktls_session *s = wolfSSL_get_psk_callback_ctx(ssl);

	if (!s || !s->psk_lookup || !id)
		return 0;
	lookup(s, id);
	if (!s->psk_len || key_max < s->psk_len)
		return 0;
	memcpy(key, s->psk_key, s->psk_len);
	*suite = psk_suite(s->psk_len);
	return s->psk_len;
}

/**
 * ktls_session_set_psk_lookup() - accept TLS 1.3 PSK clients (server)
 * @s: server session, before the handshake
 * @fn: finds the key of an identity (see ktls_psk_lookup_fn)
 * @arg: passed to @fn
 *
 * The session becomes TLS 1.3 only. The key length @fn returns picks the
 * suite (32: TLS_AES_128_GCM_SHA256, 48: TLS_AES_256_GCM_SHA384), which
 * must be in the context's cipher list; psk_dhe_ke is chosen whenever the
 * client offers it with a key share. The key is kept in the session only
 * until the handshake ends, then wiped. A client whose identity @fn does
 * not know fails with KTLS_R_PSK_UNKNOWN (unless the context has a
 * certificate: then the handshake goes on with it); a known identity
 * whose binder does not verify fails with KTLS_R_PSK_MISMATCH. After the
 * handshake, ktls_peer_identity() returns "psk:" followed by the identity
 * the client used.
 *
 * Return: 0, or -EINVAL for a client session, a NULL @fn, a context
 * limited to TLS 1.2 or a session whose handshake is over.
 */
KTLS_EXPORT int ktls_session_set_psk_lookup(struct ktls_session *s,
					    ktls_psk_lookup_fn fn, void *arg)
{
	int ret;

	if (s->ctx->cfg.role != KTLS_SERVER || !fn)
		return -EINVAL;
	ret = psk_tls13(s);
	if (ret)
		return ret;
	s->psk_lookup = fn;
	s->psk_arg = arg;
	wolfSSL_set_psk_server_tls13_callback(s->ssl, server_cb);
	return __ktls_session_suites(s, NULL);
}

/**
 * __ktls_psk_cert_seen() - a certificate arrived in a PSK client session
 * @s: client session with a PSK
 *
 * TLS 1.3 sends no certificate with a PSK, so the server has not taken
 * ours. Called from the verify callback.
 *
 * Return: 0 (refuse the certificate).
 */
int __ktls_psk_cert_seen(struct ktls_session *s)
{
	struct ktls_certerr *c = &s->certerr;
	char id[200];

	c->error = VERIFY_CERT_ERROR;
	c->reason = KTLS_R_PSK_UNKNOWN;
	snprintf(c->detail, sizeof(c->detail),
		 "the server did not take our PSK identity \"%s\" and sent a certificate instead: it does not know that identity (or holds it for another hash); give the server this PSK",
		 __ktls_escape(s->psk_id, id, sizeof(id)));
	return 0;
}

/**
 * __ktls_psk_classify() - a PSK reason for a failed handshake, if any
 * @s: session
 * @werr: wolfSSL_get_error() value
 * @alert: the alert the peer sent, or -1
 *
 * Return: the negative errno after setting the reason, or 0 when the
 * failure has nothing to do with the PSK.
 */
int __ktls_psk_classify(struct ktls_session *s, int werr, int alert)
{
	char id[200];

	if (!__ktls_psk_session(s) || !s->psk_id)
		return 0;
	__ktls_escape(s->psk_id, id, sizeof(id));
	if (s->ctx->cfg.role == KTLS_SERVER) {
		if (werr == BAD_BINDER)
			return __ktls_fail(s, KTLS_R_PSK_MISMATCH, -EKEYREJECTED,
					   "the client's binder for PSK identity \"%s\" does not verify: the client holds another key for that identity",
					   id);
		if (s->psk_len)
			return 0;
		if (s->psk_lookup_err == -EMSGSIZE)
			return __ktls_fail(s, KTLS_R_CONFIG, -EINVAL,
					   "the PSK lookup gave a key of the wrong length for identity \"%s\": a TLS 1.3 PSK here is 32 or 48 bytes",
					   id);
		return __ktls_fail(s, KTLS_R_PSK_UNKNOWN, -ENOKEY,
				   "the client's PSK identity \"%s\" is not known here: add its key, or check the client's identity",
				   id);
	}
	/*
	 * A binder that does not verify: decrypt_error (RFC 8446 4.2.11),
	 * illegal_parameter from OpenSSL 3.0; a Finished that does not.
	 */
	if (alert == KTLS_ALERT_DECRYPT_ERROR ||
	    alert == KTLS_ALERT_ILLEGAL_PARAMETER || werr == VERIFY_FINISHED_ERROR)
		return __ktls_fail(s, KTLS_R_PSK_MISMATCH, -EKEYREJECTED,
				   "the server knows PSK identity \"%s\" but holds another key for it (%s)",
				   id, werr == VERIFY_FINISHED_ERROR ?
				   "its Finished does not verify" :
				   alert == KTLS_ALERT_DECRYPT_ERROR ?
				   "our binder: decrypt_error" :
				   "our binder: illegal_parameter");
	if (alert == KTLS_ALERT_HANDSHAKE_FAILURE ||
	    alert == KTLS_ALERT_UNKNOWN_PSK_IDENTITY)
		return __ktls_fail(s, KTLS_R_PSK_UNKNOWN, -ENOKEY,
				   "the server refused our PSK identity \"%s\" (alert %s): it does not know that identity, or takes no PSK",
				   id, ktls_alert_name(alert));
	return 0;
}

/**
 * __ktls_psk_done() - the handshake is over: the key is no longer needed
 * @s: session
 */
void __ktls_psk_done(struct ktls_session *s)
{
	explicit_bzero(s->psk_key, sizeof(s->psk_key));
}
