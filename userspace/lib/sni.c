// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Several server identities on one context, chosen by the name the client
 * sends (SNI). Each extra identity is a context of its own, built from the
 * main configuration with only the certificate, key, chain and OCSP staple
 * replaced, so every policy applies to it unchanged. wolfSSL's servername
 * callback runs after the ClientHello is parsed and before the server
 * picks its suite and certificate (TLS 1.2 and 1.3 alike); it moves the
 * session to the matching context. A client without SNI, or with a name
 * no pattern matches, keeps the main (default) identity.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* A host name, or "*." and a host name: letters, digits, '-', '.'. */
static bool valid_pattern(const char *p)
{
	size_t n = strlen(p), i;

	if (!strncmp(p, "*.", 2))
		p += 2;
	n = strlen(p);
	if (!n || n > 253 || p[0] == '.' || p[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '-' &&
		    p[i] != '.')
			return false;
	return !strstr(p, "..");
}

/**
 * __ktls_sni_check() - refuse unusable SNI entries before anything loads
 * @ctx: context being built (for the error)
 * @cfg: configuration
 *
 * Return: 0, or -EINVAL with ctx->error set.
 */
int __ktls_sni_check(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	const struct ktls_sni_cert *e;

	if (!cfg->sni_certs)
		return 0;
	if (cfg->role != KTLS_SERVER)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "certificates by SNI are for a server");
	for (e = cfg->sni_certs; e->name; e++) {
		if (!valid_pattern(e->name))
			return __ktls_ctx_err(ctx, -EINVAL,
					      "SNI pattern \"%s\" is not a host name or \"*.\" and a host name",
					      e->name);
		if (!e->cert_file || !e->key_file)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "SNI name %s needs a certificate and a key",
					      e->name);
	}
	return 0;
}

/* "*.example" covers exactly one more label: a.example, not a.b.example. */
static bool name_matches(const char *pattern, const char *name)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2))
		return !strcasecmp(pattern, name);
	dot = strchr(name, '.');
	return dot && dot != name && !strcasecmp(pattern + 1, dot);
}

static int servername_cb(WOLFSSL *ssl, int *alert, void *arg)
{
	struct ktls_ctx *ctx = arg;
	const char *name;
	size_t i;

	(void)alert;
	name = wolfSSL_get_servername(ssl, WOLFSSL_SNI_HOST_NAME);
	if (!name)
		return 0;	/* no SNI: the default identity */
	for (i = 0; i < ctx->nsni; i++) {
		if (!name_matches(ctx->sni[i].name, name))
			continue;
		/* keeps our I/O callbacks and verify data, set per session */
		if (!wolfSSL_set_SSL_CTX(ssl, ctx->sni[i].ctx->wctx))
			return 0;
		break;
	}
	return 0;
}

/**
 * __ktls_sni_load() - build one context per SNI entry, hook the callback
 * @ctx: server context with its default identity loaded
 * @cfg: configuration
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_sni_load(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	const struct ktls_sni_cert *e;
	struct ktls_config sub;
	struct ktls_ctx *c;
	size_t n = 0;
	int ret;

	if (!cfg->sni_certs || !cfg->sni_certs[0].name)
		return 0;
	while (cfg->sni_certs[n].name)
		n++;
	ctx->sni = calloc(n, sizeof(*ctx->sni));
	if (!ctx->sni)
		return -ENOMEM;
	for (e = cfg->sni_certs; e->name; e++) {
		sub = *cfg;
		sub.sni_certs = NULL;
		sub.p12_file = NULL;
		sub.cert_file = e->cert_file;
		sub.key_file = e->key_file;
		sub.chain_file = e->chain_file;
		sub.ocsp_response = e->ocsp_response;
		/* sessions log through the main context's file */
		sub.policy &= ~KTLS_P_KEYLOG;
		sub.keylog_file = NULL;
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		ctx->sni[ctx->nsni].ctx = c;
		ctx->sni[ctx->nsni].name = strdup(e->name);
		ctx->nsni++;
		if (!ctx->sni[ctx->nsni - 1].name)
			return -ENOMEM;
		ret = __ktls_ctx_build(c, &sub);
		if (ret) {
			return __ktls_ctx_err(ctx, ret, "SNI name %.200s: %.280s",
					      e->name, c->error);
		}
	}
	wolfSSL_CTX_set_servername_callback(ctx->wctx, servername_cb);
	if (wolfSSL_CTX_set_servername_arg(ctx->wctx, ctx) != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "wolfSSL cannot pick certificates by SNI");
	return 0;
}

/**
 * __ktls_sni_free() - release the SNI identities of a context
 * @ctx: context
 */
void __ktls_sni_free(struct ktls_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nsni; i++) {
		ktls_ctx_free(ctx->sni[i].ctx);
		free(ctx->sni[i].name);
	}
	free(ctx->sni);
	ctx->sni = NULL;
	ctx->nsni = 0;
}
