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
	unsigned int tls;		/* KTLS_TLS_1_2 or KTLS_TLS_1_3 */
	const char *group;		/* what both sides offer, or NULL */
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
	bool timing;			/* the timed phase runs */
	double srv_cpu, cli_cpu;	/* seconds, timed phase */
	pid_t ktlsd_pid;		/* its CPU counts as the server's */
	char err[256];
	char groups[80];		/* group's storage */
};

/* A ktlsd of our own, with a profile per certificate, mode, version, group. */
struct hs_ktlsd {
	pid_t pid;
	char conf[512];
	char sock[512];
	char log[512];
};

int bench_ktlsd_start(const struct bench_opts *o, struct hs_ktlsd *d,
		      char cert[2][512], char key[2][512]);
void bench_ktlsd_stop(struct hs_ktlsd *d);
void bench_ktlsd_profile(char *buf, size_t len, unsigned int cert,
			 bool resumed, unsigned int tls, const char *group);
const char *bench_group_list(char *buf, size_t len, unsigned int tls,
			     const char *group);
double bench_proc_cpu(pid_t pid);
int bench_pin(int cpu);

/* The suites of the handshake rows: the same for every implementation. */
#define HS_SUITES_12	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"

#endif /* KTLS_BENCH_HS_H */
