// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: the OpenSSL user-space path, the fair reference for kTLS:
 * OpenSSL uses AES-NI and its own assembly, where Debian's wolfSSL has
 * plain C. OpenSSL's own kTLS support is switched off here, whatever the
 * system's openssl.cnf says, so every record is made in user space.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"
#include "ossl.h"

static void ossl_err(char *err, size_t errlen, const char *what)
{
	char e[160];

	ERR_error_string_n(ERR_get_error(), e, sizeof(e));
	snprintf(err, errlen, "OpenSSL %s: %s", what, e);
	ERR_clear_error();
}

/**
 * bench_ossl_ctx() - an SSL_CTX for one suite and version, without kTLS
 * @server: server role (needs @cert and @key)
 * @cert: PEM certificate
 * @key: PEM key
 * @tls: KTLS_TLS_1_2 or KTLS_TLS_1_3
 * @suite: OpenSSL suite name, or NULL for OpenSSL's defaults
 * @tickets: issue (server) or accept (client) session tickets
 *
 * Return: the context, or NULL.
 */
SSL_CTX *bench_ossl_ctx(bool server, const char *cert, const char *key,
			unsigned int tls, const char *suite, bool tickets)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());
	int v = tls == KTLS_TLS_1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;

	if (!ctx)
		return NULL;
	SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_KTLS);
	if (!tickets) {
		/* TLS 1.3 would still send stateful tickets without this */
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_num_tickets(ctx, 0);
	}
	if (!SSL_CTX_set_min_proto_version(ctx, v) ||
	    !SSL_CTX_set_max_proto_version(ctx, v))
		goto err;
	if (suite && tls == KTLS_TLS_1_3 &&
	    !SSL_CTX_set_ciphersuites(ctx, suite))
		goto err;
	if (suite && tls == KTLS_TLS_1_2 &&
	    !SSL_CTX_set_cipher_list(ctx, suite))
		goto err;
	if (server &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1))
		goto err;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
err:
	SSL_CTX_free(ctx);
	return NULL;
}

/**
 * bench_ossl_new() - OpenSSL handshake on @c->fd
 * @c: connection
 * @t: certificate, cipher and version
 * @server: our role
 * @err: set to a sentence on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int bench_ossl_new(struct bench_conn *c, const struct bench_tls *t,
		   bool server, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	SSL *ssl;
	int ret;

	ctx = bench_ossl_ctx(server, t->cert, t->key, t->tls,
			     bench_openssl_suite(t->cipher, t->tls), false);
	if (!ctx) {
		ossl_err(err, errlen, "context");
		return -EINVAL;
	}
	c->ossl_ctx = ctx;
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, c->fd)) {
		SSL_free(ssl);
		ossl_err(err, errlen, "SSL_new");
		return -ENOMEM;
	}
	c->ssl = ssl;
	ret = server ? SSL_accept(ssl) : SSL_connect(ssl);
	if (ret != 1) {
		ossl_err(err, errlen, server ? "accept" : "connect");
		return -EPROTO;
	}
	/* the reference must stay in user space */
	if (BIO_get_ktls_send(SSL_get_wbio(ssl)) ||
	    BIO_get_ktls_recv(SSL_get_rbio(ssl))) {
		snprintf(err, errlen, "OpenSSL switched to kTLS although it was disabled");
		return -EPROTO;
	}
	return 0;
}

ssize_t bench_ossl_recv(struct bench_conn *c, void *buf, size_t len)
{
	size_t got = 0;
	int e;

	if (SSL_read_ex(c->ssl, buf, len, &got) == 1)
		return got;
	e = SSL_get_error(c->ssl, 0);
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	ERR_clear_error();
	return -EIO;
}

ssize_t bench_ossl_send(struct bench_conn *c, const void *buf, size_t len)
{
	size_t done;

	if (SSL_write_ex(c->ssl, buf, len, &done) != 1 || done != len) {
		ERR_clear_error();
		return -EIO;
	}
	return len;
}

void bench_ossl_free(struct bench_conn *c, bool notify)
{
	if (c->ssl) {
		if (notify)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	SSL_CTX_free(c->ossl_ctx);
	c->ossl_ctx = NULL;
}
