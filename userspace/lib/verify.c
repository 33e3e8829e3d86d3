// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Peer certificate verification: wolfSSL checks the chain, dates and CRLs;
 * this callback records what was wrong so the handshake failure can name
 * the certificate and the date, and runs our own policy on every verified
 * certificate (verify_policy.c) and the host check on the leaf
 * (verify_host.c). Debian's wolfSSL calls it for every certificate
 * (WOLFSSL_ALWAYS_VERIFY_CB), from the top of the chain down to the leaf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

static void cert_subject(WOLFSSL_X509 *x, char *buf, size_t len)
{
	WOLFSSL_X509_NAME *name;
	char cn[128];

	buf[0] = '\0';
	if (!x)
		return;
	name = wolfSSL_X509_get_subject_name(x);
	if (!name)
		return;
	if (wolfSSL_X509_NAME_get_text_by_NID(name, NID_commonName, cn,
					      sizeof(cn)) > 0)
		snprintf(buf, len, "CN=%s", cn);
	else
		wolfSSL_X509_NAME_oneline(name, buf, len);
}

static void cert_date(const WOLFSSL_ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	buf[0] = '\0';
	if (!t)
		return;
	memset(&tm, 0, sizeof(tm));
	if (wolfSSL_ASN1_TIME_to_tm(t, &tm) == WOLFSSL_SUCCESS)
		strftime(buf, len, "%Y-%m-%d", &tm);
}

/* Both wolfSSL's own codes and the OpenSSL-style ones may appear. */
static int norm_error(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
		return ASN_AFTER_DATE_E;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
		return ASN_BEFORE_DATE_E;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return ASN_NO_SIGNER_E;
	case X509_V_ERR_CERT_REVOKED:
		return CRL_CERT_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return CRL_MISSING;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return CRL_CERT_DATE_ERR;
	}
	return err;
}

static bool self_signed(WOLFSSL_X509 *x)
{
	WOLFSSL_X509_NAME *sub = wolfSSL_X509_get_subject_name(x);
	WOLFSSL_X509_NAME *iss = wolfSSL_X509_get_issuer_name(x);

	return sub && iss && !wolfSSL_X509_NAME_cmp(sub, iss);
}

/* Record wolfSSL's verdict on @x. */
static void record_error(struct ktls_session *s, WOLFSSL_X509_STORE_CTX *st,
			 WOLFSSL_X509 *x, int err)
{
	struct ktls_certerr *c = &s->certerr;
	WOLFSSL_X509_NAME *iss;

	c->error = err ? err : VERIFY_CERT_ERROR;
	c->depth = st->error_depth;
	c->chain_len = st->totalCerts;
	cert_subject(x, c->subject, sizeof(c->subject));
	if (x && err == ASN_AFTER_DATE_E)
		cert_date(wolfSSL_X509_get_notAfter(x), c->date,
			  sizeof(c->date));
	else if (x && err == ASN_BEFORE_DATE_E)
		cert_date(wolfSSL_X509_get_notBefore(x), c->date,
			  sizeof(c->date));
	if (x && (err == ASN_NO_SIGNER_E || err == CRL_MISSING)) {
		iss = wolfSSL_X509_get_issuer_name(x);
		if (iss)
			wolfSSL_X509_NAME_oneline(iss, c->detail,
						  sizeof(c->detail));
	}
}

/* Problems the configuration may allow: a missing or stale CRL. */
static bool allowed(struct ktls_session *s, int err)
{
	if (!(s->ctx->cfg.policy & KTLS_P_CRL_OPTIONAL))
		return false;
	return err == CRL_MISSING || err == CRL_CERT_DATE_ERR;
}

/**
 * __ktls_verify_cb() - wolfSSL verify callback: record, then add policy
 * @preverify: wolfSSL's verdict on the current certificate
 * @store: chain being checked
 *
 * Return: 1 to go on, 0 to fail the handshake. A failure of wolfSSL's is
 * never overridden, except for a missing or stale CRL when the policy
 * allows that. wolfSSL checks no host name (session.c): we do, on the
 * leaf, once its chain verified.
 */
int __ktls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct ktls_session *s = store->userCtx;
	WOLFSSL_X509 *x = store->current_cert;
	struct ktls_certerr *c;
	int err, depth;

	if (!s)
		return preverify;
	c = &s->certerr;
	if (c->error)
		return 0;
	/* TLS 1.3 with a PSK has no certificate: the server took no PSK */
	if (s->ctx->cfg.role == KTLS_CLIENT && __ktls_psk_session(s))
		return __ktls_psk_cert_seen(s);
	err = norm_error(store->error);
	depth = store->error_depth;
	if (!preverify && allowed(s, err))
		preverify = 1;
	if (!preverify) {
		record_error(s, store, x, err);
		return 0;
	}
	/*
	 * An empty Certificate message that wolfSSL let pass: a client
	 * that sent none where one is only asked for. No policy applies.
	 */
	if (!x || !store->totalCerts)
		return 1;
	if (__ktls_cert_policy(s, x, depth, self_signed(x)) ||
	    (depth == 0 && s->ctx->cfg.role == KTLS_CLIENT &&
	     __ktls_host_check(s, x))) {
		c->error = VERIFY_CERT_ERROR;
		c->depth = depth;
		cert_subject(x, c->subject, sizeof(c->subject));
		return 0;
	}
	return 1;
}

/**
 * __ktls_verify_setup() - per-session verification state
 * @s: new session
 *
 * Also the one place every handshake passes through before it starts, so
 * the insecure anonymous mode is announced here, once per handshake.
 */
void __ktls_verify_setup(struct ktls_session *s)
{
	wolfSSL_SetCertCbCtx(s->ssl, s);
	if (s->ctx->cfg.policy & KTLS_P_INSECURE_ANONYMOUS)
		fprintf(stderr,
			"libktls: WARNING: insecure anonymous TLS (ADH): this connection authenticates nobody and anyone in the path can read and change it\n");
}

/**
 * __ktls_verify_set_host() - the name a server certificate must match
 * @s: client session
 * @name: host name or IP address literal
 */
void __ktls_verify_set_host(struct ktls_session *s, const char *name)
{
	snprintf(s->certerr.host, sizeof(s->certerr.host), "%s",
		 name ? name : "");
}

static int untrusted(struct ktls_session *s, const char *subj)
{
	const struct ktls_certerr *c = &s->certerr;
	const char *iss = c->detail[0] ? c->detail : "an unknown issuer";

	/*
	 * A lone leaf whose issuer we do not know is most often a server
	 * that does not send its intermediate CA, but it cannot be told
	 * apart from a leaf issued straight by an untrusted root.
	 */
	if (c->chain_len == 1 && c->depth == 0)
		return __ktls_fail(s, KTLS_R_CERT_UNTRUSTED, -EKEYREJECTED,
				   "peer certificate (subject %s) is not signed by a trusted CA: its issuer %s is not a trust anchor and the peer sent no intermediate; if that issuer is an intermediate CA the peer must send it, else give its CA with --ca",
				   subj, iss);
	return __ktls_fail(s, KTLS_R_CERT_UNTRUSTED, -EKEYREJECTED,
			   "peer certificate (subject %s) is not signed by a trusted CA (issuer %s): give its CA with --ca",
			   subj, iss);
}

/**
 * __ktls_cert_fail() - turn the recorded certificate problem into a reason
 * @s: session whose verify callback saw a failure
 *
 * Return: negative errno.
 */
int __ktls_cert_fail(struct ktls_session *s)
{
	const struct ktls_certerr *c = &s->certerr;
	const char *subj = c->subject[0] ? c->subject : "unknown subject";

	if (c->reason)
		return __ktls_fail(s, c->reason, -EKEYREJECTED, "%s",
				   c->detail);
	switch (c->error) {
	case ASN_AFTER_DATE_E:
		return __ktls_fail(s, KTLS_R_CERT_EXPIRED, -EKEYEXPIRED,
				   "peer certificate expired on %s (subject %s)",
				   c->date[0] ? c->date : "an unknown date", subj);
	case ASN_BEFORE_DATE_E:
		return __ktls_fail(s, KTLS_R_CERT_NOT_YET_VALID, -EKEYREJECTED,
				   "peer certificate is not valid before %s (subject %s): check the clocks",
				   c->date[0] ? c->date : "an unknown date", subj);
	case DOMAIN_NAME_MISMATCH:
		return __ktls_fail(s, KTLS_R_HOSTNAME_MISMATCH, -EKEYREJECTED,
				   "peer certificate (subject %s) is not valid for %s",
				   subj, c->host[0] ? c->host : "this name");
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		return untrusted(s, subj);
	case EXTKEYUSE_AUTH_E:
		return __ktls_fail(s, KTLS_R_WRONG_PURPOSE, -EKEYREJECTED,
				   "peer certificate (subject %s) is not for a TLS %s: its extended key usage lacks %s",
				   subj, s->ctx->cfg.role == KTLS_CLIENT ?
				   "server" : "client",
				   s->ctx->cfg.role == KTLS_CLIENT ?
				   "serverAuth" : "clientAuth");
	case CRL_CERT_REVOKED:
		return __ktls_fail(s, KTLS_R_REVOKED, -EKEYREVOKED,
				   "peer certificate (subject %s, chain depth %d) is revoked by its issuer's CRL",
				   subj, c->depth);
	case CRL_MISSING:
		if (s->ctx->stale_crl[0] && !strcmp(s->ctx->stale_crl, c->detail))
			return __ktls_fail(s, KTLS_R_CRL_STALE, -EKEYREJECTED,
					   "the CRL of %s, issuer of %s, was due for renewal on %s and is stale: fetch a current CRL, or allow stale CRLs",
					   c->detail, subj, s->ctx->stale_date);
		return __ktls_fail(s, KTLS_R_CRL_MISSING, -EKEYREJECTED,
				   "no CRL is loaded for the issuer of %s (chain depth %d): add its CA's CRL with --crl, or allow missing CRLs",
				   subj, c->depth);
	case CRL_CERT_DATE_ERR:
		return __ktls_fail(s, KTLS_R_CRL_STALE, -EKEYREJECTED,
				   "the CRL for the issuer of %s is past its next update: fetch a current CRL, or allow stale CRLs",
				   subj);
	}
	return __ktls_fail(s, KTLS_R_CERT_UNTRUSTED, -EKEYREJECTED,
			   "peer certificate (subject %s) failed verification (wolfSSL error %d)",
			   subj, c->error);
}
