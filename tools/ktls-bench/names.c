// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: names of paths and ciphers as the command line and the JSON
 * spell them, and the TLS suite each cipher means for each library.
 */
#include <string.h>

#include "bench.h"

static const char *const path_names[P_MAX] = {
	[P_TCP] = "tcp", [P_WOLFSSL] = "wolfssl", [P_OPENSSL] = "openssl",
	[P_KTLS_WRITE] = "ktls-write", [P_KTLS_SENDFILE] = "ktls-sendfile",
	[P_KTLS_SPLICE] = "ktls-splice", [P_KTLS_URING] = "ktls-uring",
	[P_KTLS_URING_ZC] = "ktls-uring-zc", [P_DEVICE_TX] = "device-tx",
	[P_DEVICE_RX] = "device-rx",
};

static const char *const cipher_names[C_MAX] = {
	[C_AES128] = "aes128gcm", [C_AES256] = "aes256gcm",
	[C_CHACHA] = "chacha20",
};

/*
 * Suites as wolfSSL and OpenSSL name them. TLS 1.2 uses ECDHE-ECDSA, as
 * the certificates made at run time are ECDSA P-256.
 */
static const char *const wolf_suites[2][C_MAX] = {
	{ "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
	  "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ "TLS13-AES128-GCM-SHA256", "TLS13-AES256-GCM-SHA384",
	  "TLS13-CHACHA20-POLY1305-SHA256" },
};

static const char *const ossl_suites[2][C_MAX] = {
	{ "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
	  "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
	  "TLS_CHACHA20_POLY1305_SHA256" },
};

const char *bench_path_name(enum bench_path p)
{
	return p < P_MAX ? path_names[p] : "?";
}

const char *bench_cipher_name(enum bench_cipher c)
{
	return c < C_MAX ? cipher_names[c] : "?";
}

int bench_parse_path(const char *s)
{
	int i;

	for (i = 0; i < P_MAX; i++)
		if (!strcmp(s, path_names[i]))
			return i;
	return -1;
}

int bench_parse_cipher(const char *s)
{
	int i;

	for (i = 0; i < C_MAX; i++)
		if (!strcmp(s, cipher_names[i]))
			return i;
	return -1;
}

/**
 * bench_path_is_ktls() - does this path hand the keys to the kernel?
 * @p: path
 *
 * Return: true for the ktls-* and device-* paths.
 */
bool bench_path_is_ktls(enum bench_path p)
{
	return p >= P_KTLS_WRITE;
}

const char *bench_wolfssl_suite(enum bench_cipher c, unsigned int tls)
{
	return wolf_suites[tls == KTLS_TLS_1_3][c];
}

const char *bench_openssl_suite(enum bench_cipher c, unsigned int tls)
{
	return ossl_suites[tls == KTLS_TLS_1_3][c];
}
