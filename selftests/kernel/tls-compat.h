/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forced in front of the kernel's own tools/testing/selftests/net/tls.c
 * when we build it from Debian's linux-source packages.
 *
 * Debian's 6.1 and 6.12 source trees carry the TLS 1.3 rekey tests
 * backported from 6.14, which call tls_crypto_info_init() with a fourth
 * argument (the key generation) that the helper in the same file does not
 * take, so the file does not compile as shipped. Dropping that argument
 * keeps every other test intact; the rekey tests then run and fail on
 * these kernels, which cannot rekey, and selftests/kernel/known-failures
 * names them.
 */
#define tls_crypto_info_init(version, cipher, keys, ...) \
	tls_crypto_info_init_compat(version, cipher, keys)
