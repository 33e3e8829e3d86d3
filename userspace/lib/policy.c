// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Protocol policy of a context: key exchange groups, signature algorithms,
 * TLS 1.2 tickets, the insecure anonymous mode, the system trust store and
 * the refusal of key logging (which wolfSSL as Debian builds it cannot do).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include <wolfssl/wolfcrypt/dh.h>

/* The policy fields took the place of reserved[], nothing moved. */
_Static_assert(sizeof(struct ktls_config) ==
	       offsetof(struct ktls_config, rekey_records) + sizeof(uint64_t) +
	       16 * sizeof(void *), "struct ktls_config changed size");

#define KTLS_ANON_SUITE "ADH-AES256-GCM-SHA384"

static int perr(struct ktls_ctx *ctx, int err, const char *msg)
{
	snprintf(ctx->error, sizeof(ctx->error), "%s", msg);
	return err;
}

/**
 * __ktls_policy_check() - refuse configurations that cannot be honoured
 * @ctx: context being built (for the error)
 * @cfg: configuration
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_policy_check(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	bool anon = cfg->policy & KTLS_P_INSECURE_ANONYMOUS;

	if ((cfg->policy & KTLS_P_KEYLOG) && !cfg->keylog_file)
		return perr(ctx, -EINVAL,
			    "key logging needs a file to write to");
	if (cfg->keylog_file && !(cfg->policy & KTLS_P_KEYLOG))
		return perr(ctx, -EINVAL,
			    "a key log file is written only with key logging enabled explicitly");
	if (cfg->policy & ~(KTLS_P_REQUIRE_OCSP * 2 - 1))
		return perr(ctx, -EINVAL, "unknown policy bits are set");
	if (cfg->min_rsa_bits && cfg->min_rsa_bits < 2048)
		return perr(ctx, -EINVAL,
			    "the minimum RSA key size can only be raised above 2048 bits");
	if (cfg->min_ecc_bits && cfg->min_ecc_bits < 256)
		return perr(ctx, -EINVAL,
			    "the minimum EC key size can only be raised above 256 bits");
	if (!anon && cfg->ciphers &&
	    (strcasestr(cfg->ciphers, "ADH") || strcasestr(cfg->ciphers, "anon")))
		return perr(ctx, -EINVAL,
			    "anonymous cipher suites authenticate nobody: they need the insecure anonymous mode, set explicitly");
	if (!anon)
		return 0;
	if (cfg->min_version == KTLS_TLS_1_3 ||
	    (cfg->max_version && cfg->max_version != KTLS_TLS_1_2))
		return perr(ctx, -EINVAL,
			    "insecure anonymous mode is TLS 1.2 only (ADH-AES256-GCM-SHA384): set the maximum version to 1.2");
	if (cfg->ciphers && strcmp(cfg->ciphers, KTLS_ANON_SUITE))
		return perr(ctx, -EINVAL,
			    "insecure anonymous mode uses ADH-AES256-GCM-SHA384 only, the one anonymous suite kernel TLS can carry");
	return 0;
}

/**
 * __ktls_policy_apply() - set the policy on a built wolfSSL context
 * @ctx: context with identity and trust anchors loaded
 * @cfg: configuration
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_policy_apply(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	const DhParams *dh;
	char buf[256];
	int ret;

	if ((cfg->policy & KTLS_P_SYSTEM_CA) &&
	    wolfSSL_CTX_load_system_CA_certs(ctx->wctx) != WOLFSSL_SUCCESS)
		return perr(ctx, -ENOENT,
			    "cannot load the system trust store (/etc/ssl/certs)");
	if (cfg->groups) {
		snprintf(buf, sizeof(buf), "%s", cfg->groups);
		if (wolfSSL_CTX_set1_groups_list(ctx->wctx, buf)
		    != WOLFSSL_SUCCESS)
			return perr(ctx, -EINVAL,
				    "unknown key exchange group in the list: use names such as P-256:P-384:X25519");
	}
	if (cfg->sigalgs &&
	    wolfSSL_CTX_set1_sigalgs_list(ctx->wctx, cfg->sigalgs)
	    != WOLFSSL_SUCCESS)
		return perr(ctx, -EINVAL,
			    "unknown signature algorithm in the list: use names such as ECDSA+SHA256:RSA-PSS+SHA256");
	if (cfg->flags & KTLS_F_NO_TICKETS)
		wolfSSL_CTX_NoTicketTLSv12(ctx->wctx);
	if (cfg->policy & KTLS_P_INSECURE_ANONYMOUS) {
		if (wolfSSL_CTX_allow_anon_cipher(ctx->wctx) != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_set_cipher_list(ctx->wctx, KTLS_ANON_SUITE)
		    != WOLFSSL_SUCCESS)
			return perr(ctx, -EOPNOTSUPP,
				    "this wolfSSL cannot do ADH-AES256-GCM-SHA384");
		wolfSSL_CTX_set_verify(ctx->wctx, WOLFSSL_VERIFY_NONE, NULL);
		/*
		 * ADH needs a DH group on the server; a client that lists no
		 * FFDHE group (OpenSSL) would otherwise find no suite.
		 */
		dh = wc_Dh_ffdhe2048_Get();
		if (cfg->role == KTLS_SERVER &&
		    (!dh || wolfSSL_CTX_SetTmpDH(ctx->wctx, dh->p, dh->p_len,
						 dh->g, dh->g_len)
		     != WOLFSSL_SUCCESS))
			return perr(ctx, -EOPNOTSUPP,
				    "cannot set the ffdhe2048 group for ADH");
	}
	ret = __ktls_load_crl(ctx, cfg);
	return ret;
}
