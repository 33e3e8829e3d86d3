// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A session: one wolfSSL object bound to one connected socket, with the
 * record-exact I/O callbacks that make the switch to the kernel lossless.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "internal.h"

static void note_bytes(struct ktls_session *s, const unsigned char *p,
		       size_t n)
{
	size_t i;

	s->peer_sent = true;
	for (i = 0; i < n && s->hello_len < sizeof(s->hello); i++)
		s->hello[s->hello_len++] = p[i];
}

/* Advance the record parser over @n bytes that were just read. */
static void track_record(struct ktls_session *s, const unsigned char *p,
			 size_t n)
{
	while (n) {
		if (s->rec_hdr_have < KTLS_REC_HDR) {
			s->rec_hdr[s->rec_hdr_have++] = *p++;
			n--;
			if (s->rec_hdr_have == KTLS_REC_HDR)
				s->rec_body_left = s->rec_hdr[3] << 8 |
						   s->rec_hdr[4];
		} else {
			size_t k = n < s->rec_body_left ? n : s->rec_body_left;

			s->rec_body_left -= k;
			p += k;
			n -= k;
		}
		if (s->rec_hdr_have == KTLS_REC_HDR && !s->rec_body_left)
			s->rec_hdr_have = 0;
	}
}

/*
 * Read at most up to the end of the current record piece (header, then
 * body), so nothing that follows the peer's Finished is ever pulled out of
 * the socket before the kernel takes over.
 */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct ktls_session *s = arg;
	size_t max;
	ssize_t n;

	if (s->feeding) {
		if (!s->feed_len)
			return WOLFSSL_CBIO_ERR_WANT_READ;
		max = (size_t)sz < s->feed_len ? (size_t)sz : s->feed_len;
		memcpy(buf, s->feed_buf, max);
		s->feed_buf += max;
		s->feed_len -= max;
		return max;
	}
	if (s->rec_hdr_have < KTLS_REC_HDR)
		max = KTLS_REC_HDR - s->rec_hdr_have;
	else
		max = s->rec_body_left;
	if ((size_t)sz < max)
		max = sz;
	n = recv(s->fd, buf, max, MSG_DONTWAIT);
	if (n > 0) {
		note_bytes(s, (unsigned char *)buf, n);
		track_record(s, (unsigned char *)buf, n);
		return n;
	}
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (errno == EINTR)
		return WOLFSSL_CBIO_ERR_ISR;
	s->io_errno = errno;
	if (errno == ECONNRESET || errno == EPIPE)
		return WOLFSSL_CBIO_ERR_CONN_RST;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

static int send_error(struct ktls_session *s)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	if (errno == EINTR)
		return WOLFSSL_CBIO_ERR_ISR;
	s->io_errno = errno;
	if (errno == ECONNRESET || errno == EPIPE)
		return WOLFSSL_CBIO_ERR_CONN_RST;
	return WOLFSSL_CBIO_ERR_GENERAL;
}

/*
 * Middlebox compatibility (RFC 8446 appendix D.4): a client that sent a
 * non-empty legacy_session_id expects a dummy change_cipher_spec right
 * after the server's first handshake record (ServerHello or
 * HelloRetryRequest), and strict clients abort without it. wolfSSL 5.5.4
 * never sends it as a server, even built with
 * WOLFSSL_TLS13_MIDDLEBOX_COMPAT as ours is (src/tls13.c sets
 * tls13MiddleBoxCompat only when it writes a ClientHello; as a client it
 * does offer a session id and send its CCS), so the server adds it here:
 * @buf starts a record wolfSSL writes; a TLS 1.3 ServerHello (handshake
 * type 2) whose client offered a session id owes one, unless wolfSSL
 * already put it right behind (a later wolfSSL may).
 */
static void check_ccs_owed(struct ktls_session *s, const unsigned char *buf,
			   int sz)
{
	unsigned int rec;

	/* ClientHello: header 5 + 4, version 2, random 32, then the id */
	if (s->ccs != KTLS_CCS_NONE || s->ctx->cfg.role != KTLS_SERVER ||
	    sz < 6 || buf[0] != KTLS_CT_HANDSHAKE || buf[5] != 2 ||
	    wolfSSL_version(s->ssl) != TLS1_3_VERSION ||
	    s->hello_len < 44 || !s->hello[43])
		return;
	rec = KTLS_REC_HDR + (buf[3] << 8 | buf[4]);
	if ((unsigned int)sz > rec && buf[rec] == KTLS_CT_CHANGE_CIPHER_SPEC) {
		s->ccs = KTLS_CCS_SENT;
		return;
	}
	s->ccs = KTLS_CCS_OWED;
	s->ccs_hello_left = rec;
}

/* The owed CCS, once the ServerHello before it is out: 0 when sent. */
static int send_owed_ccs(struct ktls_session *s)
{
	static const unsigned char ccs[6] = {
		KTLS_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1
	};
	ssize_t n;

	while (s->ccs_off < sizeof(ccs)) {
		n = send(s->fd, ccs + s->ccs_off, sizeof(ccs) - s->ccs_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return send_error(s);
		s->ccs_off += n;
	}
	s->ccs = KTLS_CCS_SENT;
	return 0;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *arg)
{
	struct ktls_session *s = arg;
	ssize_t n;
	int ret;

	/* after the switch wolfSSL's own records are never sent */
	if (s->feeding)
		return sz;
	check_ccs_owed(s, (unsigned char *)buf, sz);
	if (s->ccs == KTLS_CCS_OWED && !s->ccs_hello_left) {
		ret = send_owed_ccs(s);
		if (ret)
			return ret;
	}
	/* while a CCS is owed, send no further than the ServerHello */
	if (s->ccs == KTLS_CCS_OWED && (unsigned int)sz > s->ccs_hello_left)
		sz = s->ccs_hello_left;
	n = send(s->fd, buf, sz, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return send_error(s);
	if (s->ccs == KTLS_CCS_OWED) {
		s->ccs_hello_left -= n;
		/* at once: after a HelloRetryRequest nothing else follows */
		if (!s->ccs_hello_left)
			send_owed_ccs(s);
	}
	return n;
}

static bool ip_literal(const char *name)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, addr) == 1 ||
	       inet_pton(AF_INET6, name, addr) == 1;
}

/*
 * The name is checked by us alone (verify_host.c), never by wolfSSL's
 * wolfSSL_check_domain_name(): its mismatch replaces the chain's error in
 * the verify callback, so a certificate both for another name and from an
 * untrusted CA was reported as a name mismatch, and with an IP literal
 * (whose IPv6 SANs wolfSSL does not know) the untrusted chain passed. An
 * IP address literal is never sent as SNI: RFC 6066 3 allows only host
 * names there, and servers may refuse the handshake over it.
 */
static int setup_names(struct ktls_session *s, const char *name)
{
	bool ip;

	if (!name || !*name)
		return 0;
	ip = ip_literal(name);
	__ktls_verify_set_host(s, name);
	if (!ip && wolfSSL_UseSNI(s->ssl, WOLFSSL_SNI_HOST_NAME, name,
				  strlen(name)) != WOLFSSL_SUCCESS)
		return -EINVAL;
	return 0;
}

/**
 * ktls_session_new() - start a session on a connected socket
 * @ctx: context; must outlive the session
 * @fd: connected TCP socket; the session never closes it
 * @sp: the new session
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_session_new(struct ktls_ctx *ctx, int fd,
				 struct ktls_session **sp)
{
	struct ktls_session *s;
	const char *alpn = ctx->cfg.alpn;
	int ret = -ENOMEM;

	*sp = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutexattr_t ma;

	s->ctx = ctx;
	s->fd = fd;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	s->peer_alert = -1;
	s->ssl = wolfSSL_new(ctx->wctx);
	if (!s->ssl)
		goto err_free_session;
	wolfSSL_SSLSetIORecv(s->ssl, io_recv);
	wolfSSL_SSLSetIOSend(s->ssl, io_send);
	wolfSSL_SetIOReadCtx(s->ssl, s);
	wolfSSL_SetIOWriteCtx(s->ssl, s);
	__ktls_verify_setup(s);
	ret = -EINVAL;
	if (ctx->cfg.role == KTLS_CLIENT) {
		if (setup_names(s, ctx->cfg.server_name))
			goto err_free_ssl;
		/* wolfSSL copies it: the lock covers only this moment */
		pthread_mutex_lock(&ctx->saved_lock);
		if (ctx->saved)
			wolfSSL_set_session(s->ssl, ctx->saved);
		pthread_mutex_unlock(&ctx->saved_lock);
	}
	if (alpn && wolfSSL_UseALPN(s->ssl, (char *)alpn, strlen(alpn),
				    WOLFSSL_ALPN_FAILED_ON_MISMATCH)
	    != WOLFSSL_SUCCESS)
		goto err_free_ssl;
	*sp = s;
	return 0;

err_free_ssl:
	wolfSSL_free(s->ssl);
err_free_session:
	pthread_mutex_destroy(&s->lock);
	free(s);
	return ret;
}

/**
 * ktls_session_set_server_name() - name to send and verify (client)
 * @s: session before the handshake
 * @name: host name
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_session_set_server_name(struct ktls_session *s,
					     const char *name)
{
	return setup_names(s, name);
}

/**
 * ktls_session_fd() - the socket of a session
 * @s: session
 *
 * Return: the fd given to ktls_session_new().
 */
KTLS_EXPORT int ktls_session_fd(const struct ktls_session *s)
{
	return s->fd;
}

/**
 * ktls_session_free() - release a session; the socket stays open
 * @s: session or NULL
 */
KTLS_EXPORT void ktls_session_free(struct ktls_session *s)
{
	if (!s)
		return;
	/* wolfSSL_free zeroes its copies of the keys */
	wolfSSL_free(s->ssl);
	if (s->pend) {
		explicit_bzero(s->pend, s->pend_len);
		free(s->pend);
	}
	if (s->hs) {
		explicit_bzero(s->hs, s->hs_len);
		free(s->hs);
	}
	free(s->psk_id);
	pthread_mutex_destroy(&s->lock);
	explicit_bzero(s, sizeof(*s));
	free(s);
}
