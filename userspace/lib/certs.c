// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our own certificate and key (PEM, DER or PKCS#12), the refusal of a key
 * file others can read, and the CRLs used to check the peer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include <wolfssl/openssl/pkcs12.h>

/* PEM if the file starts with a "-----BEGIN" line, else DER. */
static int file_type(const char *path)
{
	char head[64];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strstr(head, "-----BEGIN") ? WOLFSSL_FILETYPE_PEM :
					    WOLFSSL_FILETYPE_ASN1;
}

/* A private key readable by group or others is a key already leaked. */
static int check_key_mode(struct ktls_ctx *ctx, const struct ktls_config *cfg,
			  const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return __ktls_ctx_err(ctx, -errno, "cannot read private key %s: %s",
				      path, strerror(errno));
	if (!(st.st_mode & 0077) ||
	    (cfg->policy & KTLS_P_ALLOW_READABLE_KEY))
		return 0;
	return __ktls_ctx_err(ctx, -EACCES,
			      "private key %s is readable by group or others (mode %04o): run chmod 600 %s, or allow it explicitly",
			      path, (unsigned int)(st.st_mode & 07777), path);
}

static int add_chain(struct ktls_ctx *ctx, const char *path)
{
	WOLFSSL_X509 *x;
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return __ktls_ctx_err(ctx, -errno, "cannot open chain %s: %s", path,
				      strerror(errno));
	while ((x = wolfSSL_PEM_read_X509(f, NULL, NULL, NULL))) {
		if (wolfSSL_CTX_add_extra_chain_cert(ctx->wctx, x)
		    != WOLFSSL_SUCCESS) {
			wolfSSL_X509_free(x);
			fclose(f);
			return __ktls_ctx_err(ctx, -EINVAL,
					      "cannot add a certificate of %s to our chain",
					      path);
		}
		n++;
	}
	fclose(f);
	if (!n)
		return __ktls_ctx_err(ctx, -EINVAL, "chain %s holds no PEM certificate",
				      path);
	return 0;
}

/* The password comes from a file or the environment, never argv. */
static int p12_password(struct ktls_ctx *ctx, const struct ktls_config *cfg,
			char *pw, size_t len)
{
	const char *env;
	FILE *f;

	pw[0] = '\0';
	if (cfg->p12_pass_file) {
		f = fopen(cfg->p12_pass_file, "r");
		if (!f)
			return __ktls_ctx_err(ctx, -errno,
					      "cannot read PKCS#12 password file %s: %s",
					      cfg->p12_pass_file, strerror(errno));
		if (!fgets(pw, len, f))
			pw[0] = '\0';
		fclose(f);
		pw[strcspn(pw, "\r\n")] = '\0';
		return 0;
	}
	if (cfg->p12_pass_env) {
		env = getenv(cfg->p12_pass_env);
		if (!env)
			return __ktls_ctx_err(ctx, -ENOENT,
					      "PKCS#12 password variable %s is not set",
					      cfg->p12_pass_env);
		if (strlen(env) >= len)
			return __ktls_ctx_err(ctx, -E2BIG, "PKCS#12 password too long");
		memcpy(pw, env, strlen(env) + 1);
	}
	return 0;
}

static int load_p12(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	WOLFSSL_STACK *ca = NULL;
	WOLFSSL_EVP_PKEY *pkey = NULL;
	WOLFSSL_X509 *cert = NULL, *x;
	WC_PKCS12 *p12;
	char pw[512];
	int ret;
	FILE *f;

	ret = check_key_mode(ctx, cfg, cfg->p12_file);
	if (ret)
		return ret;
	ret = p12_password(ctx, cfg, pw, sizeof(pw));
	if (ret)
		goto out;
	f = fopen(cfg->p12_file, "rb");
	if (!f) {
		ret = __ktls_ctx_err(ctx, -errno, "cannot open PKCS#12 file %s: %s",
				     cfg->p12_file, strerror(errno));
		goto out;
	}
	p12 = wolfSSL_d2i_PKCS12_fp(f, NULL);
	fclose(f);
	if (!p12) {
		ret = __ktls_ctx_err(ctx, -EINVAL, "%s is not a PKCS#12 file",
				     cfg->p12_file);
		goto out;
	}
	if (wolfSSL_PKCS12_parse(p12, pw, &pkey, &cert, &ca)
	    != WOLFSSL_SUCCESS || !pkey || !cert) {
		ret = __ktls_ctx_err(ctx, -EKEYREJECTED,
				     "cannot open PKCS#12 file %s: wrong password, or an encryption wolfSSL lacks",
				     cfg->p12_file);
		goto out_p12;
	}
	ret = -EINVAL;
	if (wolfSSL_CTX_use_certificate(ctx->wctx, cert) != WOLFSSL_SUCCESS) {
		__ktls_ctx_err(ctx, ret, "cannot use the certificate in %s",
			       cfg->p12_file);
		goto out_p12;
	}
	if (wolfSSL_CTX_use_PrivateKey(ctx->wctx, pkey) != WOLFSSL_SUCCESS) {
		__ktls_ctx_err(ctx, ret, "cannot use the private key in %s",
			       cfg->p12_file);
		goto out_p12;
	}
	while (ca && (x = wolfSSL_sk_X509_pop(ca))) {
		if (wolfSSL_CTX_add_extra_chain_cert(ctx->wctx, x)
		    != WOLFSSL_SUCCESS) {
			wolfSSL_X509_free(x);
			__ktls_ctx_err(ctx, ret, "cannot use the chain in %s",
				       cfg->p12_file);
			goto out_p12;
		}
	}
	ret = 0;
out_p12:
	if (ca)
		wolfSSL_sk_X509_pop_free(ca, NULL);
	wolfSSL_X509_free(cert);
	wolfSSL_EVP_PKEY_free(pkey);
	wc_PKCS12_free(p12);
out:
	explicit_bzero(pw, sizeof(pw));
	return ret;
}

/**
 * __ktls_load_identity() - our certificate, chain and private key
 * @ctx: context being built
 * @cfg: configuration
 *
 * PEM or DER (told apart by content), or PKCS#12. A key file that group
 * or others may read is refused unless KTLS_P_ALLOW_READABLE_KEY.
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_load_identity(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	int type, ret;

	if (cfg->p12_file) {
		ret = load_p12(ctx, cfg);
	} else {
		if (!cfg->cert_file)
			return 0;
		if (!cfg->key_file)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "certificate %s given without a key",
					      cfg->cert_file);
		type = file_type(cfg->cert_file);
		if (type < 0)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "cannot load certificate %s: %s",
					      cfg->cert_file, strerror(-type));
		if ((type == WOLFSSL_FILETYPE_PEM ?
		     wolfSSL_CTX_use_certificate_chain_file(ctx->wctx,
							    cfg->cert_file) :
		     wolfSSL_CTX_use_certificate_file(ctx->wctx,
						      cfg->cert_file, type))
		    != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "cannot load certificate %s: not a PEM or DER certificate",
					      cfg->cert_file);
		ret = check_key_mode(ctx, cfg, cfg->key_file);
		if (ret)
			return ret;
		type = file_type(cfg->key_file);
		if (type < 0 ||
		    wolfSSL_CTX_use_PrivateKey_file(ctx->wctx, cfg->key_file,
						    type) != WOLFSSL_SUCCESS)
			return __ktls_ctx_err(ctx, -EINVAL,
					      "cannot load private key %s: not a PEM or DER key (or an encrypted one)",
					      cfg->key_file);
	}
	if (ret)
		return ret;
	if (cfg->chain_file) {
		ret = add_chain(ctx, cfg->chain_file);
		if (ret)
			return ret;
	}
	if (wolfSSL_CTX_check_private_key(ctx->wctx) != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EKEYREJECTED,
				      "private key %s does not belong to certificate %s",
				      cfg->p12_file ? cfg->p12_file : cfg->key_file,
				      cfg->p12_file ? cfg->p12_file : cfg->cert_file);
	return 0;
}

/*
 * wolfSSL refuses to load a CRL past its next update, which would turn a
 * stale CRL into a "missing" one. Note its issuer instead, so the
 * handshake can fail with the right reason and the date.
 */
static bool crl_stale(struct ktls_ctx *ctx, const char *path, int type)
{
	WOLFSSL_X509_CRL *crl;
	WOLFSSL_X509_NAME *iss;
	const WOLFSSL_ASN1_TIME *next;
	struct tm tm;
	bool stale = false;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	crl = type == WOLFSSL_FILETYPE_PEM ?
	      wolfSSL_PEM_read_X509_CRL(f, NULL, NULL, NULL) :
	      wolfSSL_d2i_X509_CRL_fp(f, NULL);
	fclose(f);
	if (!crl)
		return false;
	next = wolfSSL_X509_CRL_get_nextUpdate(crl);
	memset(&tm, 0, sizeof(tm));
	if (next && wolfSSL_ASN1_TIME_to_tm(next, &tm) == WOLFSSL_SUCCESS &&
	    timegm(&tm) < time(NULL)) {
		stale = true;
		iss = wolfSSL_X509_CRL_get_issuer_name(crl);
		if (iss)
			wolfSSL_X509_NAME_oneline(iss, ctx->stale_crl,
						  sizeof(ctx->stale_crl));
		strftime(ctx->stale_date, sizeof(ctx->stale_date), "%Y-%m-%d",
			 &tm);
	}
	wolfSSL_X509_CRL_free(crl);
	return stale;
}

static int load_crl_file(struct ktls_ctx *ctx, const char *path)
{
	int type = file_type(path);

	if (type < 0)
		return __ktls_ctx_err(ctx, type, "cannot read CRL %s: %s", path,
				      strerror(-type));
	if (crl_stale(ctx, path, type))
		return 0;
	if (wolfSSL_CTX_LoadCRLFile(ctx->wctx, path, type) != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EINVAL,
				      "cannot load CRL %s: not a PEM or DER CRL, or its issuer is not loaded as a CA (wolfSSL verifies a CRL when it loads it: add the issuing CA, e.g. the intermediate, with --ca)",
				      path);
	return 0;
}

/**
 * __ktls_load_crl() - turn on revocation checks with the configured CRLs
 * @ctx: context whose trust anchors are loaded
 * @cfg: configuration; @cfg->crl is a file or a folder
 *
 * A single file is one issuer's CRL and is used for the leaf only
 * (WOLFSSL_CRL_CHECK); with a folder every certificate of the chain needs
 * its issuer's CRL (WOLFSSL_CRL_CHECKALL). A
 * folder is read here file by file, PEM or DER, because wolfSSL's own
 * folder loader takes only "*.pem" names of one type and hashed names
 * such as 1a2b3c4d.r0 are the usual layout.
 *
 * Return: 0 or a negative errno with ctx->error set.
 */
int __ktls_load_crl(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	char path[4096];
	struct dirent *d;
	struct stat st;
	int n = 0, ret = 0;
	DIR *dir;

	if (!cfg->crl)
		return 0;
	if (stat(cfg->crl, &st))
		return __ktls_ctx_err(ctx, -errno, "cannot read CRL %s: %s", cfg->crl,
				      strerror(errno));
	/* one file is one issuer's CRL: the leaf; a folder: every level */
	if (wolfSSL_CTX_EnableCRL(ctx->wctx, S_ISDIR(st.st_mode) ?
				  WOLFSSL_CRL_CHECKALL : WOLFSSL_CRL_CHECK)
	    != WOLFSSL_SUCCESS)
		return __ktls_ctx_err(ctx, -EOPNOTSUPP, "wolfSSL cannot check CRLs");
	if (!S_ISDIR(st.st_mode))
		return load_crl_file(ctx, cfg->crl);
	dir = opendir(cfg->crl);
	if (!dir)
		return __ktls_ctx_err(ctx, -errno, "cannot read CRL folder %s: %s",
				      cfg->crl, strerror(errno));
	while (!ret && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", cfg->crl, d->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		ret = load_crl_file(ctx, path);
		n++;
	}
	closedir(dir);
	if (!ret && !n)
		ret = __ktls_ctx_err(ctx, -ENOENT, "CRL folder %s is empty", cfg->crl);
	return ret;
}

/**
 * ktls_session_use_cert_der() - this session's own certificate and key
 * @s: session, before the handshake
 * @cert: one X.509 certificate, DER; no chain is sent with it, but for
 *	the intermediates of the context's own @chain_file if it has one
 * @cert_len: its length
 * @key: its private key, DER: PKCS#8 or traditional RSA or EC, unencrypted
 * @key_len: its length
 *
 * Replaces the context's certificate and key for this session only, as
 * the kernel's handshake upcall hands them over by key serial; the
 * context may have none of its own (a server context with KTLS_F_PSK).
 * wolfSSL keeps its own copy; the caller wipes @key.
 *
 * Return: 0; -EINVAL when either does not parse, or an argument is
 * missing (reason KTLS_R_CONFIG); -EKEYREJECTED when the key does not
 * belong to the certificate (reason KTLS_R_KEY_MISMATCH). After a failure
 * the session cannot do a handshake: free it.
 */
KTLS_EXPORT int ktls_session_use_cert_der(struct ktls_session *s,
					  const unsigned char *cert,
					  size_t cert_len,
					  const unsigned char *key,
					  size_t key_len)
{
	if (!cert || !cert_len || !key || !key_len || s->done ||
	    cert_len > INT_MAX || key_len > INT_MAX)
		return __ktls_fail(s, KTLS_R_CONFIG, -EINVAL,
				   "a session's own certificate needs a DER certificate and a DER key, before the handshake");
	/*
	 * Not wolfSSL_certs_clear(): in 5.5.4 it leaves the key's device id
	 * at 0, not INVALID_DEVID, and the key no longer works.
	 */
	if (wolfSSL_use_certificate_buffer(s->ssl, cert, cert_len,
					   WOLFSSL_FILETYPE_ASN1)
	    != WOLFSSL_SUCCESS)
		return __ktls_fail(s, KTLS_R_CONFIG, -EINVAL,
				   "the session's certificate (%zu bytes) is not one DER X.509 certificate",
				   cert_len);
	if (wolfSSL_use_PrivateKey_buffer(s->ssl, key, key_len,
					  WOLFSSL_FILETYPE_ASN1)
	    != WOLFSSL_SUCCESS)
		return __ktls_fail(s, KTLS_R_CONFIG, -EINVAL,
				   "the session's private key (%zu bytes) is not an unencrypted DER key (PKCS#8, or traditional RSA or EC)",
				   key_len);
	if (wolfSSL_check_private_key(s->ssl) != WOLFSSL_SUCCESS)
		return __ktls_fail(s, KTLS_R_KEY_MISMATCH, -EKEYREJECTED,
				   "the session's private key does not belong to its certificate: hand over the key made with that certificate");
	/* a new key makes wolfSSL rebuild the session's suites */
	if (__ktls_session_suites(s, NULL))
		return __ktls_fail(s, KTLS_R_CONFIG, -EINVAL,
				   "cannot set the cipher suites again after the session's key");
	return 0;
}
