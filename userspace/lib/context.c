// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A context: one wolfSSL_CTX built from a struct ktls_config, shared by the
 * sessions made from it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/**
 * __ktls_ctx_err() - say why building a context failed
 * @ctx: context being built
 * @err: what the caller returns, a negative errno
 * @fmt: printf format of the sentence ktls_ctx_error() gives
 *
 * The one place that writes ctx->error; a sentence longer than the buffer
 * is cut.
 *
 * Return: @err, so that a failure is one line: return __ktls_ctx_err(...).
 */
int __ktls_ctx_err(struct ktls_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	return err;
}

static WOLFSSL_METHOD *pick_method(const struct ktls_config *cfg)
{
	bool server = cfg->role == KTLS_SERVER;

	if (cfg->max_version == KTLS_TLS_1_2)
		return server ? wolfTLSv1_2_server_method() :
				wolfTLSv1_2_client_method();
	if (cfg->min_version == KTLS_TLS_1_3)
		return server ? wolfTLSv1_3_server_method() :
				wolfTLSv1_3_client_method();
	return server ? wolfSSLv23_server_method() :
			wolfSSLv23_client_method();
}

static int check_config(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	if (cfg->role != KTLS_CLIENT && cfg->role != KTLS_SERVER)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "role must be client or server");
	if ((cfg->min_version && cfg->min_version != KTLS_TLS_1_2 &&
	     cfg->min_version != KTLS_TLS_1_3) ||
	    (cfg->max_version && cfg->max_version != KTLS_TLS_1_2 &&
	     cfg->max_version != KTLS_TLS_1_3))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "only TLS 1.2 and 1.3 can be offloaded");
	if (cfg->min_version && cfg->max_version &&
	    cfg->min_version > cfg->max_version)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "minimum version is above maximum version");
	if (__ktls_sni_check(ctx, cfg))
		return -EINVAL;
	if ((cfg->ocsp_response && cfg->role != KTLS_SERVER) ||
	    ((cfg->policy & KTLS_P_REQUIRE_OCSP) && cfg->role != KTLS_CLIENT))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "a server staples an OCSP response, a client requires one");
	if (cfg->ocsp_response && !cfg->ca_file && !cfg->ca_path)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "stapling %s needs the issuer of our certificate as a CA file (wolfSSL checks the response against it)",
				      cfg->ocsp_response);
	if ((cfg->flags & KTLS_F_ASK_CLIENT_CERT) &&
	    (cfg->flags & KTLS_F_VERIFY_CLIENT))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "asking for a client certificate (any client is accepted) and requiring one contradict each other: set one of the two");
	if ((cfg->flags & KTLS_F_ASK_CLIENT_CERT) && cfg->role != KTLS_SERVER)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "only a server asks for a client certificate");
	if (cfg->role == KTLS_SERVER && !cfg->p12_file &&
	    !(cfg->policy & KTLS_P_INSECURE_ANONYMOUS) &&
	    !(cfg->flags & KTLS_F_PSK) &&
	    (!cfg->cert_file || !cfg->key_file))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "a server needs a certificate and a key");
	return 0;
}

static int load_trust(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	bool verify = cfg->role == KTLS_CLIENT ?
		!(cfg->flags & KTLS_F_NO_VERIFY) :
		!!(cfg->flags & (KTLS_F_VERIFY_CLIENT |
				 KTLS_F_ASK_CLIENT_CERT));
	int mode;

	if (cfg->ca_file || cfg->ca_path) {
		if (wolfSSL_CTX_load_verify_locations(ctx->wctx, cfg->ca_file,
						      cfg->ca_path)
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "cannot load trust anchors from %s",
					      cfg->ca_file ? cfg->ca_file : cfg->ca_path);
	} else if (verify && !((cfg->flags & KTLS_F_PSK) &&
			       cfg->role == KTLS_CLIENT)) {
		/* a PSK client takes no certificate at all (psk.c) */
		if (wolfSSL_CTX_load_system_CA_certs(ctx->wctx)
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "no trust anchors: give a CA file or disable verification");
	}
	if (!verify)
		mode = WOLFSSL_VERIFY_NONE;
	else if (cfg->flags & KTLS_F_ASK_CLIENT_CERT)
		mode = WOLFSSL_VERIFY_PEER;
	else if (cfg->role == KTLS_SERVER)
		mode = WOLFSSL_VERIFY_PEER |
		       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	else
		mode = WOLFSSL_VERIFY_PEER;
	wolfSSL_CTX_set_verify(ctx->wctx, mode,
			       verify ? __ktls_verify_cb : NULL);
	return 0;
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Only appended to: 1.0's fields are the first KTLS_CONFIG_SIZE_VER0 bytes. */
_Static_assert(sizeof(struct ktls_config) == KTLS_CONFIG_SIZE_VER0,
	       "a new field of struct ktls_config needs KTLS_CONFIG_SIZE_VER1");

/**
 * __ktls_tail_is_zero() - a caller's struct has nothing this library lacks
 * @p: the caller's struct
 * @known: its size as this library knows it
 * @size: its size as the caller was built
 *
 * The extensible-struct rule of openat2(2), shared by struct ktls_config
 * and struct ktls_daemon_request: bytes past @known must all be zero.
 */
bool __ktls_tail_is_zero(const void *p, size_t known, size_t size)
{
	const unsigned char *b = p;
	size_t i;

	for (i = known; i < size; i++)
		if (b[i])
			return false;
	return true;
}

/**
 * ktls_ctx_new_sized() - build a context from a configuration of any version
 * @cfg: configuration; strings are copied
 * @size: sizeof(*@cfg) as the caller was built: ktls_ctx_new() passes it
 * @ctxp: the new context
 *
 * The rules of openat2(): @size below KTLS_CONFIG_SIZE_VER0 is -EINVAL; a
 * caller built against an older, shorter structure gets the fields it
 * lacks as zero; a newer, longer one is taken only when every byte past
 * the fields this library knows is zero (an option it cannot honour is
 * refused, not ignored), else -E2BIG.
 *
 * Return: 0, or a negative errno. On failure *@ctxp may still hold a
 * context carrying only the error: read ktls_ctx_error(), then free it
 * with ktls_ctx_free().
 */
KTLS_EXPORT int ktls_ctx_new_sized(const struct ktls_config *cfg, size_t size,
				   struct ktls_ctx **ctxp)
{
	struct ktls_config known = { 0 };
	struct ktls_ctx *ctx;

	*ctxp = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	*ctxp = ctx;
	if (!cfg || size < KTLS_CONFIG_SIZE_VER0)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "struct ktls_config of %zu bytes is smaller than any version (%zu)",
				      size, (size_t)KTLS_CONFIG_SIZE_VER0);
	if (size > sizeof(known) && !__ktls_tail_is_zero(cfg, sizeof(known), size))
		return __ktls_ctx_err(ctx, -E2BIG,
				      "struct ktls_config sets fields past the %zu bytes libktls %d.%d knows: a newer library is needed",
				      sizeof(known), KTLS_VERSION_MAJOR,
				      KTLS_VERSION_MINOR);
	memcpy(&known, cfg, size < sizeof(known) ? size : sizeof(known));
	return __ktls_ctx_build(ctx, &known);
}

/**
 * __ktls_ctx_build() - fill a zeroed context from a configuration
 * @ctx: zeroed context
 * @cfg: configuration
 *
 * Also used for the extra identities of sni.c, each a context of its own
 * built from the main configuration with another certificate and key.
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_ctx_build(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	struct ktls_config tls13;
	const char *list;
	int ret;

	/* first: ktls_ctx_free() destroys it whatever failed after */
	pthread_mutex_init(&ctx->saved_lock, NULL);
	ctx->saved_lock_ready = true;

	/* PSK sessions are TLS 1.3 only (what every kernel consumer wants) */
	if ((cfg->flags & KTLS_F_PSK) &&
	    (cfg->min_version == KTLS_TLS_1_2 ||
	     cfg->max_version == KTLS_TLS_1_2 ||
	     (cfg->policy & KTLS_P_INSECURE_ANONYMOUS)))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "PSK sessions are TLS 1.3 only: leave the versions at 1.3");
	if ((cfg->flags & KTLS_F_PSK) && !cfg->min_version) {
		tls13 = *cfg;
		tls13.min_version = KTLS_TLS_1_3;
		cfg = &tls13;
	}
	ret = check_config(ctx, cfg);
	if (ret)
		return ret;
	ret = __ktls_policy_check(ctx, cfg);
	if (ret)
		return ret;
	ctx->cfg = *cfg;
	ctx->server_name = dup_opt(cfg->server_name);
	ctx->ciphers = dup_opt(cfg->ciphers);
	ctx->alpn = dup_opt(cfg->alpn);
	ctx->sigalgs = dup_opt(cfg->sigalgs);
	/*
	 * A copy that failed must fail the context: a missing server name
	 * would mean a client that checks no host name at all.
	 */
	if ((cfg->server_name && !ctx->server_name) ||
	    (cfg->ciphers && !ctx->ciphers) || (cfg->alpn && !ctx->alpn) ||
	    (cfg->sigalgs && !ctx->sigalgs))
		return __ktls_ctx_err(ctx, -ENOMEM, "out of memory");
	ctx->cfg.server_name = ctx->server_name;
	ctx->cfg.ciphers = ctx->ciphers;
	ctx->cfg.alpn = ctx->alpn;
	/* paths are used only here */
	ctx->cfg.cert_file = ctx->cfg.key_file = NULL;
	ctx->cfg.ca_file = ctx->cfg.ca_path = NULL;
	ctx->cfg.crl = ctx->cfg.chain_file = ctx->cfg.p12_file = NULL;
	ctx->cfg.p12_pass_file = ctx->cfg.p12_pass_env = NULL;
	ctx->cfg.groups = ctx->cfg.sigalgs = NULL;
	ctx->cfg.sni_certs = NULL;
	ctx->cfg.ocsp_response = ctx->cfg.keylog_file = NULL;
	ret = __ktls_keylog_open(ctx, cfg);
	if (ret)
		return ret;

	wolfSSL_Init();
	ctx->wctx = wolfSSL_CTX_new(pick_method(cfg));
	if (!ctx->wctx)
		return __ktls_ctx_err(ctx, -ENOMEM,
				      "wolfSSL could not make a context");
	if (cfg->min_version != KTLS_TLS_1_3 &&
	    wolfSSL_CTX_SetMinVersion(ctx->wctx, WOLFSSL_TLSV1_2)
	    != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "cannot set the minimum version");
	list = cfg->ciphers ? cfg->ciphers : __ktls_default_ciphers();
	if (wolfSSL_CTX_set_cipher_list(ctx->wctx, list) != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "no usable cipher suite in \"%s\"", list);
	ret = __ktls_load_identity(ctx, cfg);
	if (ret)
		return ret;
	ret = load_trust(ctx, cfg);
	if (ret)
		return ret;
	ret = __ktls_policy_apply(ctx, cfg);
	if (ret)
		return ret;
	ret = __ktls_ocsp_setup(ctx, cfg);
	if (ret)
		return ret;
	if (cfg->role == KTLS_SERVER && (cfg->flags & KTLS_F_NO_TICKETS))
		wolfSSL_CTX_no_ticket_TLSv13(ctx->wctx);
	return __ktls_sni_load(ctx, cfg);
}

/**
 * ktls_ctx_error() - why ktls_ctx_new() failed
 * @ctx: the context ktls_ctx_new() returned, may be NULL
 *
 * Return: a sentence, or "" when there was no error.
 */
KTLS_EXPORT const char *ktls_ctx_error(const struct ktls_ctx *ctx)
{
	if (!ctx)
		return "out of memory";
	return ctx->error;
}

/**
 * ktls_ctx_has_session() - whether a client context holds a ticket
 * @ctx: client context
 *
 * Return: 1 if the next session will try to resume, else 0.
 */
KTLS_EXPORT int ktls_ctx_has_session(const struct ktls_ctx *ctx)
{
	struct ktls_ctx *c = (struct ktls_ctx *)ctx;
	int has;

	if (!c || !c->saved_lock_ready)
		return 0;
	pthread_mutex_lock(&c->saved_lock);
	has = !!c->saved;
	pthread_mutex_unlock(&c->saved_lock);
	return has;
}

/**
 * ktls_ctx_free() - release a context after all its sessions
 * @ctx: context or NULL
 */
KTLS_EXPORT void ktls_ctx_free(struct ktls_ctx *ctx)
{
	if (!ctx)
		return;
	__ktls_sni_free(ctx);
	if (ctx->ocsp) {
		free(ctx->ocsp);
		ctx->ocsp = NULL;
	}
	if (ctx->saved)
		wolfSSL_SESSION_free(ctx->saved);
	if (ctx->saved_lock_ready)
		pthread_mutex_destroy(&ctx->saved_lock);
	if (ctx->wctx)
		wolfSSL_CTX_free(ctx->wctx);
	free(ctx->server_name);
	free(ctx->ciphers);
	free(ctx->alpn);
	free(ctx->sigalgs);
	__ktls_keylog_close(ctx);
	__ktls_daemon_ctx_free(ctx);
	free(ctx);
}
