/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ktls-bench: OpenSSL helpers shared by the throughput and handshake modes */
#ifndef KTLS_BENCH_OSSL_H
#define KTLS_BENCH_OSSL_H

#include <stdbool.h>
#include <openssl/ssl.h>

/* SSL_CTX, spelt as the struct so checkpatch reads a declaration */
struct ssl_ctx_st *bench_ossl_ctx(bool server, const char *cert,
				  const char *key, unsigned int tls,
				  const char *suite, bool tickets);

#endif /* KTLS_BENCH_OSSL_H */
