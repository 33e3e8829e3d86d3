// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OCSP stapling. Server: a configured DER OCSP response (made by the CA's
 * responder, refreshed by whoever runs the server) is handed to wolfSSL
 * for every client that asks with status_request, through the OpenSSL
 * compatible status callback that Debian's build has (WOLFSSL_NGINX); the
 * response is sent as is. Client: with KTLS_P_REQUIRE_OCSP the session
 * asks for a staple, wolfSSL checks its signature (the CA or a responder
 * it delegated to), the certificate ID and the dates, and a server that
 * staples nothing fails the handshake (must-staple).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Largest response we read: real ones are a few KiB. */
#define KTLS_OCSP_MAX	(64 * 1024)

static int read_response(struct ktls_ctx *ctx, const char *path)
{
	unsigned char *buf;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		int err = -errno;

		return __ktls_ctx_err(ctx, err,
				      "cannot read OCSP response %s: %s", path,
				      strerror(-err));
	}
	buf = malloc(KTLS_OCSP_MAX);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, KTLS_OCSP_MAX, f);
	fclose(f);
	/* DER: a SEQUENCE, and the file was not cut short by our limit */
	if (n < 8 || n == KTLS_OCSP_MAX || buf[0] != 0x30) {
		free(buf);
		return __ktls_ctx_err(ctx, -EINVAL,
				      "%s is not a DER OCSP response (%s): make one with openssl ocsp -respout",
				      path, strerror(EINVAL));
	}
	ctx->ocsp = buf;
	ctx->ocsp_len = n;
	return 0;
}

/* wolfSSL frees what it is given, so every handshake gets a copy. */
static int status_cb(WOLFSSL *ssl, void *arg)
{
	struct ktls_ctx *ctx = arg;
	unsigned char *copy;

	copy = malloc(ctx->ocsp_len);
	if (!copy)
		return SSL_TLSEXT_ERR_NOACK;
	memcpy(copy, ctx->ocsp, ctx->ocsp_len);
	if (wolfSSL_set_tlsext_status_ocsp_resp(ssl, copy, ctx->ocsp_len)
	    != WOLFSSL_SUCCESS) {
		free(copy);
		return SSL_TLSEXT_ERR_NOACK;
	}
	return SSL_TLSEXT_ERR_OK;
}

/**
 * __ktls_ocsp_setup() - staple a response (server) or require one (client)
 * @ctx: context with its identity and trust anchors loaded
 * @cfg: configuration
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_ocsp_setup(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	int ret;

	if (cfg->role == KTLS_SERVER && cfg->ocsp_response) {
		ret = read_response(ctx, cfg->ocsp_response);
		if (ret)
			return ret;
		if (wolfSSL_CTX_EnableOCSPStapling(ctx->wctx)
		    != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_set_tlsext_status_cb(ctx->wctx, status_cb)
		    != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_set_tlsext_status_arg(ctx->wctx, ctx)
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EOPNOTSUPP,
					      "wolfSSL cannot staple %s (%s)",
					      cfg->ocsp_response,
					      strerror(EOPNOTSUPP));
	}
	if (cfg->role == KTLS_CLIENT && (cfg->policy & KTLS_P_REQUIRE_OCSP)) {
		if (wolfSSL_CTX_EnableOCSPStapling(ctx->wctx)
		    != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_EnableOCSPMustStaple(ctx->wctx)
		    != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_UseOCSPStapling(ctx->wctx, WOLFSSL_CSR_OCSP, 0)
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EOPNOTSUPP,
					      "wolfSSL cannot ask for OCSP staples (%s)",
					      strerror(EOPNOTSUPP));
	}
	return 0;
}
