// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: a throwaway self-signed server certificate made at run
 * time (OpenSSL), so a benchmark needs no PKI. Clients do not verify it:
 * the benchmark measures the handshake's cost, not its trust decisions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bench.h"

static EVP_PKEY *make_key(const char *kind)
{
	if (!strcmp(kind, "rsa2048"))
		return EVP_RSA_gen(2048);
	return EVP_EC_gen("P-256");
}

static X509 *make_x509(EVP_PKEY *pk)
{
	X509 *x = X509_new();
	X509_NAME *n;

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 7 * 86400);
	X509_set_pubkey(x, pk);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)"ktls-bench", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	if (!X509_sign(x, pk, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int write_pem(const char *path, EVP_PKEY *pk, X509 *x)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;
	int ok;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	ok = pk ? PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) :
		  PEM_write_X509(f, x);
	if (fclose(f) || !ok)
		return -EIO;
	return 0;
}

/**
 * bench_make_cert() - make a key and a self-signed certificate
 * @dir: folder to write them to
 * @kind: "ecdsa-p256" or "rsa2048"
 * @cert: set to the certificate's path
 * @key: set to the key's path (mode 0600)
 * @len: size of @cert and @key
 *
 * Return: 0 or a negative errno.
 */
int bench_make_cert(const char *dir, const char *kind, char *cert,
		    char *key, size_t len)
{
	EVP_PKEY *pk = make_key(kind);
	X509 *x = pk ? make_x509(pk) : NULL;
	int ret = -ENOMEM;

	if (!x)
		goto out;
	snprintf(cert, len, "%s/%s.crt", dir, kind);
	snprintf(key, len, "%s/%s.key", dir, kind);
	ret = write_pem(key, pk, NULL);
	if (!ret)
		ret = write_pem(cert, NULL, x);
out:
	X509_free(x);
	EVP_PKEY_free(pk);
	return ret;
}
