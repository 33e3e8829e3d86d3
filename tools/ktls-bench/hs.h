/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ktls-bench handshake mode: state shared by hs.c and hs_ktlsd.c */
#ifndef KTLS_BENCH_HS_H
#define KTLS_BENCH_HS_H

#include <pthread.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "bench.h"

enum { HS_LIBKTLS, HS_KTLSD, HS_OPENSSL };

/* One measurement's servers and clients. */
struct hs_run {
	const struct bench_opts *o;
	int impl;
	const char *cert, *key;
	bool resumed;
	unsigned int duration;
	const char *ktlsd_sock;
	char profile[64];
	int lfd;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct ktls_ctx *srv_kctx;
	SSL_CTX *srv_ossl;
	pthread_mutex_t lock;
	pthread_barrier_t ready;
	double deadline;
	unsigned int started, cap, n;
	unsigned int fallbacks;		/* resumed mode: full instead */
	double *lat;			/* microseconds */
	bool stop;
	char err[256];
};

/* A ktlsd of our own, with a profile per certificate and mode. */
struct hs_ktlsd {
	pid_t pid;
	char conf[512];
	char sock[512];
	char log[512];
};

int bench_ktlsd_start(const struct bench_opts *o, struct hs_ktlsd *d,
		      char cert[2][512], char key[2][512]);
void bench_ktlsd_stop(struct hs_ktlsd *d);

#endif /* KTLS_BENCH_HS_H */
