// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which negotiated suites the kernel can take over, and how they map to the
 * kernel's TLS_CIPHER_* numbers.
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>

#include "internal.h"

/*
 * Only AEAD suites with a 16-byte tag and a kernel cipher: no CCM-8, no
 * AES-256-CCM, none of wolfSSL's pre-RFC "-OLD" ChaCha suites.
 */
static const char default_ciphers[] =
	"TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
	"TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-CCM-SHA256:"
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
	"ECDHE-ECDSA-AES128-CCM:"
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
	"DHE-RSA-CHACHA20-POLY1305";

const char *__ktls_default_ciphers(void)
{
	return default_ciphers;
}

/**
 * __ktls_kernel_cipher() - kernel cipher for the suite @ssl negotiated
 * @ssl: session after the handshake
 * @kcipher: set to a TLS_CIPHER_* value
 *
 * Return: 0, or -EOPNOTSUPP when the kernel cannot carry the suite.
 */
int __ktls_kernel_cipher(WOLFSSL *ssl, unsigned int *kcipher)
{
	int bulk = wolfSSL_GetBulkCipher(ssl);
	int keysz = wolfSSL_GetKeySize(ssl);
	int tag = wolfSSL_GetAeadMacSize(ssl);
	const char *name = wolfSSL_get_cipher_name(ssl);

	if (tag != 16)
		return -EOPNOTSUPP;
	switch (bulk) {
	case wolfssl_aes_gcm:
		if (keysz == 16)
			*kcipher = TLS_CIPHER_AES_GCM_128;
		else if (keysz == 32)
			*kcipher = TLS_CIPHER_AES_GCM_256;
		else
			return -EOPNOTSUPP;
		return 0;
	case wolfssl_aes_ccm:
		if (keysz != 16)
			return -EOPNOTSUPP;
		*kcipher = TLS_CIPHER_AES_CCM_128;
		return 0;
	case wolfssl_chacha:
		/* the pre-RFC draft suites use another nonce layout */
		if (name && strstr(name, "-OLD"))
			return -EOPNOTSUPP;
		*kcipher = TLS_CIPHER_CHACHA20_POLY1305;
		return 0;
	}
	return -EOPNOTSUPP;
}

const char *__ktls_kernel_cipher_name(unsigned int kcipher)
{
	switch (kcipher) {
	case TLS_CIPHER_AES_GCM_128:
		return "AES-128-GCM";
	case TLS_CIPHER_AES_GCM_256:
		return "AES-256-GCM";
	case TLS_CIPHER_AES_CCM_128:
		return "AES-128-CCM";
	case TLS_CIPHER_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	}
	return "unknown";
}
