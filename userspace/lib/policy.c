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
#include <wolfssl/wolfcrypt/ecc.h>

#define KTLS_ANON_SUITE "ADH-AES256-GCM-SHA384"

/*
 * Key exchange groups by the names OpenSSL and the RFCs use. Our own table
 * because wolfSSL's list parser (5.5.4) knows no X25519. @ecc: wolfCrypt's
 * curve, asked at run time whether this build has it; @built: the other
 * groups, known from options.h.
 */
struct group_name {
	const char *name, *alias, *alias2;
	int id;
	int ecc;
	bool built;
};

#ifdef HAVE_CURVE25519
#define HAS_X25519 true
#else
#define HAS_X25519 false
#endif
#ifdef HAVE_CURVE448
#define HAS_X448 true
#else
#define HAS_X448 false
#endif
#ifdef HAVE_FFDHE_2048
#define HAS_FFDHE2048 true
#else
#define HAS_FFDHE2048 false
#endif
#ifdef HAVE_FFDHE_3072
#define HAS_FFDHE3072 true
#else
#define HAS_FFDHE3072 false
#endif
#ifdef HAVE_FFDHE_4096
#define HAS_FFDHE4096 true
#else
#define HAS_FFDHE4096 false
#endif
#ifdef HAVE_FFDHE_6144
#define HAS_FFDHE6144 true
#else
#define HAS_FFDHE6144 false
#endif
#ifdef HAVE_FFDHE_8192
#define HAS_FFDHE8192 true
#else
#define HAS_FFDHE8192 false
#endif

/*
 * In the default order: X25519 first (the client sends its key share for
 * the first group only, and X25519 is the cheapest and what most peers
 * send), then P-256, then the rest at 128-bit strength or more. P-224,
 * secp224k1 and secp256k1, which wolfSSL would also offer, are left out of
 * the default (no mainstream peer offers them) but can be named.
 */
static const struct group_name group_names[] = {
	{ "X25519", NULL, NULL, WOLFSSL_ECC_X25519, 0, HAS_X25519 },
	{ "P-256", "prime256v1", "secp256r1", WOLFSSL_ECC_SECP256R1,
	  ECC_SECP256R1, false },
	{ "P-384", "secp384r1", NULL, WOLFSSL_ECC_SECP384R1, ECC_SECP384R1,
	  false },
	{ "P-521", "secp521r1", NULL, WOLFSSL_ECC_SECP521R1, ECC_SECP521R1,
	  false },
	{ "X448", NULL, NULL, WOLFSSL_ECC_X448, 0, HAS_X448 },
	{ "ffdhe2048", NULL, NULL, WOLFSSL_FFDHE_2048, 0, HAS_FFDHE2048 },
	{ "ffdhe3072", NULL, NULL, WOLFSSL_FFDHE_3072, 0, HAS_FFDHE3072 },
	{ "ffdhe4096", NULL, NULL, WOLFSSL_FFDHE_4096, 0, HAS_FFDHE4096 },
	{ "ffdhe6144", NULL, NULL, WOLFSSL_FFDHE_6144, 0, HAS_FFDHE6144 },
	{ "ffdhe8192", NULL, NULL, WOLFSSL_FFDHE_8192, 0, HAS_FFDHE8192 },
	{ "brainpoolP256r1", NULL, NULL, WOLFSSL_ECC_BRAINPOOLP256R1,
	  ECC_BRAINPOOLP256R1, false },
	{ "brainpoolP384r1", NULL, NULL, WOLFSSL_ECC_BRAINPOOLP384R1,
	  ECC_BRAINPOOLP384R1, false },
	{ "brainpoolP512r1", NULL, NULL, WOLFSSL_ECC_BRAINPOOLP512R1,
	  ECC_BRAINPOOLP512R1, false },
	/* named only, never by default */
	{ "secp256k1", NULL, NULL, WOLFSSL_ECC_SECP256K1, ECC_SECP256K1,
	  false },
	{ "P-224", "secp224r1", NULL, WOLFSSL_ECC_SECP224R1, ECC_SECP224R1,
	  false },
};

#define DEFAULT_GROUPS	13	/* the first entries above */

static bool group_built(const struct group_name *g)
{
	return g->ecc ? wc_ecc_get_curve_idx(g->ecc) >= 0 : g->built;
}

static const struct group_name *group_find(const char *name)
{
	const struct group_name *g;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(group_names); i++) {
		g = &group_names[i];
		if (!strcasecmp(name, g->name) ||
		    (g->alias && !strcasecmp(name, g->alias)) ||
		    (g->alias2 && !strcasecmp(name, g->alias2)))
			return g;
	}
	return NULL;
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
		return __ktls_ctx_err(ctx, -EINVAL,
				      "key logging needs a file to write to");
	if (cfg->keylog_file && !(cfg->policy & KTLS_P_KEYLOG))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "a key log file is written only with key logging enabled explicitly");
	if (cfg->policy & ~(KTLS_P_REQUIRE_OCSP * 2 - 1))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "unknown policy bits are set");
	if (cfg->min_rsa_bits && cfg->min_rsa_bits < 2048)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "the minimum RSA key size can only be raised above 2048 bits");
	if (cfg->min_ecc_bits && cfg->min_ecc_bits < 256)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "the minimum EC key size can only be raised above 256 bits");
	if (!anon && cfg->ciphers &&
	    (strcasestr(cfg->ciphers, "ADH") || strcasestr(cfg->ciphers, "anon")))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "anonymous cipher suites authenticate nobody: they need the insecure anonymous mode, set explicitly");
	if (!anon)
		return 0;
	if (cfg->min_version == KTLS_TLS_1_3 ||
	    (cfg->max_version && cfg->max_version != KTLS_TLS_1_2))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "insecure anonymous mode is TLS 1.2 only (ADH-AES256-GCM-SHA384): set the maximum version to 1.2");
	if (cfg->ciphers && strcmp(cfg->ciphers, KTLS_ANON_SUITE))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "insecure anonymous mode uses ADH-AES256-GCM-SHA384 only, the one anonymous suite kernel TLS can carry");
	return 0;
}

/* The groups of @list, in its order, into @ids. */
static int parse_groups(struct ktls_ctx *ctx, const char *list, int *ids,
			int *n)
{
	char buf[256], *save = NULL, *w;
	const struct group_name *g;
	int i;

	if (strlen(list) >= sizeof(buf))
		return __ktls_ctx_err(ctx, -EINVAL,
				      "the key exchange group list is too long");
	snprintf(buf, sizeof(buf), "%s", list);
	*n = 0;
	for (w = strtok_r(buf, ":,", &save); w; w = strtok_r(NULL, ":,", &save)) {
		g = group_find(w);
		if (!g || !group_built(g)) {
			return __ktls_ctx_err(ctx, -EINVAL,
					      "unknown key exchange group \"%.60s\"%s: use names such as X25519:P-256:P-384",
					      w, g ? " (not in this wolfSSL)" : "");
		}
		for (i = 0; i < *n && ids[i] != g->id; i++)
			;
		if (i < *n)
			continue;
		if (*n == WOLFSSL_MAX_GROUP_COUNT) {
			return __ktls_ctx_err(ctx, -EINVAL,
					      "too many key exchange groups: this wolfSSL takes at most %d",
					      WOLFSSL_MAX_GROUP_COUNT);
		}
		ids[(*n)++] = g->id;
	}
	if (!*n)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "the key exchange group list is empty");
	return 0;
}

/*
 * Preference order of the key exchange groups: the caller's, else ours
 * (X25519, P-256, then the rest). A TLS 1.3 client sends its key share
 * for the first; a TLS 1.3 server takes the client's share it ranks best
 * and asks for another (HelloRetryRequest) only when none is acceptable. A
 * TLS 1.2 client offers them in this order; a TLS 1.2 server (wolfSSL)
 * takes the first 256-bit curve in the client's list.
 */
static int set_groups(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	int ids[WOLFSSL_MAX_GROUP_COUNT], n = 0, i, ret;

	if (cfg->groups) {
		ret = parse_groups(ctx, cfg->groups, ids, &n);
		if (ret)
			return ret;
	} else {
		for (i = 0; i < DEFAULT_GROUPS && n < WOLFSSL_MAX_GROUP_COUNT;
		     i++)
			if (group_built(&group_names[i]))
				ids[n++] = group_names[i].id;
	}
	/* wolfSSL ranks groups only in a context that can do TLS 1.3 */
	if (cfg->max_version != KTLS_TLS_1_2) {
		if (wolfSSL_CTX_set_groups(ctx->wctx, ids, n) != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "wolfSSL refused the key exchange group list");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (wolfSSL_CTX_UseSupportedCurve(ctx->wctx, ids[i]) !=
		    WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "wolfSSL refused the key exchange group list");
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
	int ret;

	if ((cfg->policy & KTLS_P_SYSTEM_CA) &&
	    wolfSSL_CTX_load_system_CA_certs(ctx->wctx) != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -ENOENT,
				      "cannot load the system trust store (/etc/ssl/certs)");
	ret = set_groups(ctx, cfg);
	if (ret)
		return ret;
	if (cfg->sigalgs &&
	    wolfSSL_CTX_set1_sigalgs_list(ctx->wctx, cfg->sigalgs)
	    != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "unknown signature algorithm in the list: use names such as ECDSA+SHA256:RSA-PSS+SHA256");
	if (cfg->flags & KTLS_F_NO_TICKETS)
		wolfSSL_CTX_NoTicketTLSv12(ctx->wctx);
	if (cfg->policy & KTLS_P_INSECURE_ANONYMOUS) {
		if (wolfSSL_CTX_allow_anon_cipher(ctx->wctx) != WOLFSSL_SUCCESS ||
		    wolfSSL_CTX_set_cipher_list(ctx->wctx, KTLS_ANON_SUITE)
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EOPNOTSUPP,
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
			return __ktls_ctx_err(ctx, -EOPNOTSUPP,
					      "cannot set the ffdhe2048 group for ADH");
	}
	ret = __ktls_load_crl(ctx, cfg);
	return ret;
}
