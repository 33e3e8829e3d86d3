// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Basic peer certificate checks: chain to the configured trust anchors,
 * host name, validity dates. The verify callback only records what was
 * wrong so the handshake failure can name the certificate and the date.
 * The full policy (CRL, EKU, ...) lives in other verify*.c files.
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
	}
	return err;
}

/**
 * __ktls_verify_cb() - wolfSSL verify callback recording the failure
 * @preverify: wolfSSL's verdict
 * @store: chain being checked
 *
 * Return: @preverify; this callback never overrides a verdict.
 */
int __ktls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct ktls_session *s = store->userCtx;
	WOLFSSL_X509 *x = store->current_cert;
	int err;

	if (preverify || !s || s->certerr.error)
		return preverify;
	err = norm_error(store->error);
	s->certerr.error = err ? err : VERIFY_CERT_ERROR;
	cert_subject(x, s->certerr.subject, sizeof(s->certerr.subject));
	if (x && err == ASN_AFTER_DATE_E)
		cert_date(wolfSSL_X509_get_notAfter(x), s->certerr.date,
			  sizeof(s->certerr.date));
	else if (x && err == ASN_BEFORE_DATE_E)
		cert_date(wolfSSL_X509_get_notBefore(x), s->certerr.date,
			  sizeof(s->certerr.date));
	return preverify;
}

void __ktls_verify_setup(struct ktls_session *s)
{
	wolfSSL_SetCertCbCtx(s->ssl, s);
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

	switch (c->error) {
	case ASN_AFTER_DATE_E:
		return __ktls_fail(s, KTLS_R_CERT_EXPIRED, -EKEYEXPIRED,
				   "peer certificate expired on %s (subject %s)",
				   c->date[0] ? c->date : "an unknown date",
				   subj);
	case ASN_BEFORE_DATE_E:
		return __ktls_fail(s, KTLS_R_CERT_NOT_YET_VALID, -EKEYREJECTED,
				   "peer certificate is not valid before %s (subject %s): check the clocks",
				   c->date[0] ? c->date : "an unknown date",
				   subj);
	case DOMAIN_NAME_MISMATCH:
		return __ktls_fail(s, KTLS_R_HOSTNAME_MISMATCH, -EKEYREJECTED,
				   "peer certificate (subject %s) is not valid for %s",
				   subj, s->ctx->cfg.server_name ?
				   s->ctx->cfg.server_name : "this name");
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		return __ktls_fail(s, KTLS_R_CERT_UNTRUSTED, -EKEYREJECTED,
				   "peer certificate (subject %s) is not signed by a trusted CA: give its CA with --ca",
				   subj);
	}
	return __ktls_fail(s, KTLS_R_CERT_UNTRUSTED, -EKEYREJECTED,
			   "peer certificate (subject %s) failed verification (error %d)",
			   subj, c->error);
}
