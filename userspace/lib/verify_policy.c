// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy checks on each certificate of the peer's chain that wolfSSL has
 * already verified: signature digest, key size and, on the leaf, purpose.
 * wolfSSL has no setting for any of these, so the verify callback (which
 * Debian's build calls for every certificate, WOLFSSL_ALWAYS_VERIFY_CB)
 * runs them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include <wolfssl/openssl/evp.h>
#include <wolfssl/openssl/x509v3.h>

static const char *weak_digest(int nid)
{
	switch (nid) {
	case NID_md2WithRSAEncryption:
		return "MD2";
	case NID_md5WithRSAEncryption:
		return "MD5";
	case NID_sha1WithRSAEncryption:
	case NID_ecdsa_with_SHA1:
	case NID_dsaWithSHA1:
		return "SHA-1";
	}
	/*
	 * md4WithRSAEncryption has no NID in wolfSSL, which cannot verify
	 * such a signature at all: those chains fail as untrusted.
	 */
	return NULL;
}

static int fail(struct ktls_session *s, enum ktls_reason r, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

static int fail(struct ktls_session *s, enum ktls_reason r, const char *fmt,
		...)
{
	va_list ap;

	s->certerr.reason = r;
	va_start(ap, fmt);
	vsnprintf(s->certerr.detail, sizeof(s->certerr.detail), fmt, ap);
	va_end(ap);
	return -1;
}

static int check_key(struct ktls_session *s, WOLFSSL_X509 *x,
		     const char *subj)
{
	const struct ktls_config *cfg = &s->ctx->cfg;
	unsigned long min_rsa = cfg->min_rsa_bits ? cfg->min_rsa_bits : 2048;
	unsigned long min_ecc = cfg->min_ecc_bits ? cfg->min_ecc_bits : 256;
	WOLFSSL_EVP_PKEY *k = wolfSSL_X509_get_pubkey(x);
	int type, bits, ret = 0;

	if (!k)
		return fail(s, KTLS_R_WEAK_KEY,
			    "certificate %s has a public key libktls cannot read",
			    subj);
	type = wolfSSL_EVP_PKEY_base_id(k);
	bits = wolfSSL_EVP_PKEY_bits(k);
	if (type == EVP_PKEY_RSA && (unsigned long)bits < min_rsa)
		ret = fail(s, KTLS_R_WEAK_KEY,
			   "certificate %s has a %d-bit RSA key; at least %lu bits are required",
			   subj, bits, min_rsa);
	else if (type == EVP_PKEY_EC && (unsigned long)bits < min_ecc)
		ret = fail(s, KTLS_R_WEAK_KEY,
			   "certificate %s has a %d-bit EC key; at least %lu bits are required",
			   subj, bits, min_ecc);
	else if (type == EVP_PKEY_DSA)
		ret = fail(s, KTLS_R_WEAK_KEY,
			   "certificate %s has a DSA key, which TLS 1.2/1.3 with kTLS does not accept",
			   subj);
	wolfSSL_EVP_PKEY_free(k);
	return ret;
}

/* Netscape certificate type, 2.16.840.1.113730.1.1 */
static const unsigned char oid_nscerttype[] = {
	0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01,
};

#define KTLS_NS_CLIENT	0x80
#define KTLS_NS_SERVER	0x40

static int check_purpose(struct ktls_session *s, WOLFSSL_X509 *x,
			 const char *subj)
{
	bool peer_server = s->ctx->cfg.role == KTLS_CLIENT;
	const char *want = peer_server ? "serverAuth" : "clientAuth";
	unsigned int eku = wolfSSL_X509_get_extended_key_usage(x);
	unsigned int ku = wolfSSL_X509_get_key_usage(x);
	unsigned int need = peer_server ? XKU_SSL_SERVER : XKU_SSL_CLIENT;
	const unsigned char *v;
	size_t len;

	/* OpenSSL-style XKU_* bits; 0 or all ones: no EKU extension */
	if (eku && eku != ~0u && !(eku & (need | XKU_ANYEKU)))
		return fail(s, KTLS_R_WRONG_PURPOSE,
			    "certificate %s is not for a TLS %s: its extended key usage lacks %s%s",
			    subj, peer_server ? "server" : "client", want,
			    eku & (XKU_SSL_SERVER | XKU_SSL_CLIENT) ?
			    (peer_server ? " (it has clientAuth: a client certificate)" :
			     " (it has serverAuth: a server certificate)") : "");
	/* wolfSSL reports 0 when there is no keyUsage extension */
	if (ku && !(ku & (KEYUSE_DIGITAL_SIG | KEYUSE_KEY_ENCIPHER |
			  KEYUSE_KEY_AGREE)))
		return fail(s, KTLS_R_WRONG_PURPOSE,
			    "certificate %s has a key usage without digitalSignature, keyEncipherment or keyAgreement: it cannot authenticate a TLS %s",
			    subj, peer_server ? "server" : "client");
	if (__ktls_cert_ext(x, oid_nscerttype, sizeof(oid_nscerttype), &v,
			    &len) == 1 && len >= 3 && v[0] == 0x03) {
		/* BIT STRING: length, unused bits, then the bits */
		unsigned int bits = len >= 4 ? v[3] : 0;
		unsigned int mine = peer_server ? KTLS_NS_SERVER : KTLS_NS_CLIENT;

		if (!(bits & mine))
			return fail(s, KTLS_R_WRONG_PURPOSE,
				    "certificate %s has a Netscape certificate type without \"SSL %s\"%s: refused as a TLS %s",
				    subj, peer_server ? "Server" : "Client",
				    bits & (KTLS_NS_CLIENT | KTLS_NS_SERVER) ?
				    (peer_server ? " (it says SSL Client)" :
				     " (it says SSL Server)") : "",
				    peer_server ? "server" : "client");
	}
	return 0;
}

/**
 * __ktls_cert_policy() - policy checks on one verified chain certificate
 * @s: session
 * @x: the certificate
 * @depth: 0 for the peer's leaf
 * @self_signed: @x is a trust anchor's own self-signed certificate
 *
 * Return: 0, or -1 with the reason and sentence in s->certerr.
 */
int __ktls_cert_policy(struct ktls_session *s, WOLFSSL_X509 *x, int depth,
		       bool self_signed)
{
	char subj[200] = "";
	const char *weak;
	WOLFSSL_X509_NAME *name = wolfSSL_X509_get_subject_name(x);

	if (name)
		wolfSSL_X509_NAME_oneline(name, subj, sizeof(subj));
	/* an anchor is trusted as a key, not because of its signature */
	weak = self_signed ? NULL :
	       weak_digest(wolfSSL_X509_get_signature_nid(x));
	if (weak)
		return fail(s, KTLS_R_WEAK_SIGNATURE,
			    "certificate %s (chain depth %d) is signed with %s, which is refused: reissue it with SHA-256 or better",
			    subj, depth, weak);
	if (check_key(s, x, subj))
		return -1;
	if (depth == 0)
		return check_purpose(s, x, subj);
	return 0;
}
