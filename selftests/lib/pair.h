/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: a TCP loopback connection with libktls on both ends,
 * handshaken in two threads and offloaded to kernel TLS.
 */
#ifndef KTLS_TEST_PAIR_H
#define KTLS_TEST_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <ktls/ktls.h>

struct pair {
	int cfd, sfd;
	struct ktls_ctx *cctx, *sctx;
	struct ktls_session *cs, *ss;
	int cret, sret;
};

struct pair_opts {
	unsigned int version;
	const char *cipher;
	bool offload;			/* false: stop after the handshake */
	uint64_t rekey_records;
	unsigned int flags;		/* KTLS_F_* for both contexts */
};

const char *pair_pki(void);
int pair_tcp(int *cfd, int *sfd);
int pair_open(struct pair *p, const struct pair_opts *o);
void pair_close(struct pair *p);
int pair_kernel_has_tls(void);
int pair_kernel_at_least(int major, int minor);
void pair_fill(unsigned char *buf, size_t len, unsigned int seed);
ssize_t pair_recv_all(struct ktls_session *s, unsigned char *buf, size_t len);

#endif /* KTLS_TEST_PAIR_H */
