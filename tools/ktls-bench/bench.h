/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktls-bench: encrypted throughput and handshake rate, one path at a time,
 * so kernel TLS can be compared with plain TCP and user-space TLS on the
 * same machine in the same run.
 */
#ifndef KTLS_BENCH_H
#define KTLS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <ktls/ktls.h>

#include "json.h"		/* tools/common */

#define BENCH_VERSION	"0.1"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BENCH_MAX_CASES	512
#define BENCH_MAX_FLOWS	256
#define BENCH_MAX_REPS	100
#define BENCH_MAX_STATS	32

enum bench_path {
	P_TCP, P_WOLFSSL, P_OPENSSL, P_KTLS_WRITE, P_KTLS_SENDFILE,
	P_KTLS_SPLICE, P_KTLS_URING, P_KTLS_URING_ZC, P_DEVICE_TX,
	P_DEVICE_RX, P_MAX,
};

enum bench_cipher { C_AES128, C_AES256, C_CHACHA, C_MAX };

/* One line of the matrix: what both ends agree on before the handshake. */
struct bench_case {
	enum bench_path path;
	enum bench_cipher cipher;
	unsigned int tls;		/* KTLS_TLS_1_2 or KTLS_TLS_1_3 */
	uint64_t size;
	uint64_t bytes;			/* per flow */
	unsigned int flows;
};

/* /proc/net/tls_stat, or its difference between two readings */
struct tls_stat {
	unsigned int n;
	char name[BENCH_MAX_STATS][32];
	long long val[BENCH_MAX_STATS];
};

struct host_info {
	char kernel[128];
	char cpu[128];
	int cpus;
	bool emulated;
	char note[256];
};

/* What one side measured in one repetition (sent over a pipe in run mode). */
struct side_result {
	int err;
	char msg[240];
	double cpu_sec;			/* flow threads, data phase only */
	double elapsed;			/* client: data phase wall time */
	double sys_cpu_sec;		/* client: busy time of all CPUs */
	uint64_t bytes;			/* client: verified bytes received */
	bool have_stat;
	struct tls_stat st;		/* delta in this side's namespace */
};

/* One finished case: every repetition's numbers and the verdict. */
struct case_result {
	struct bench_case c;
	unsigned int reps;
	double bps[BENCH_MAX_REPS];
	double cpu[3][BENCH_MAX_REPS];	/* server, client, system per GiB */
	bool cpu_known[3];
	struct tls_stat delta;		/* summed over repetitions */
	bool verified;
	bool unsupported;		/* the kernel cannot do this path */
	char error[512];
};

struct hs_result {
	const char *impl;
	const char *cert;
	const char *group;		/* the one both sides offer, or "default" */
	unsigned int tls;		/* KTLS_TLS_1_2 or KTLS_TLS_1_3 */
	bool resumed;
	unsigned int count;
	unsigned int fallbacks;		/* resumed rows: full handshakes instead */
	double per_sec;
	double p50, p90, p99, max;	/* microseconds */
	double srv_cpu_us, cli_cpu_us;	/* CPU per handshake; < 0: unknown */
	char error[256];
};

/* Command line: everything the modes share. */
struct bench_opts {
	const char *mode;		/* run, server, client, handshake */
	const char *target;		/* client: HOST[:PORT] */
	const char *listen;		/* server: ADDR:PORT */
	const char *addr;		/* run: address the client connects to */
	const char *server_ns, *client_ns;
	const char *cert, *key;
	unsigned int paths;		/* bit per enum bench_path */
	unsigned int ciphers;		/* bit per enum bench_cipher */
	unsigned int versions;		/* bit 0: 1.2, bit 1: 1.3 */
	uint64_t size, bytes;
	unsigned int flows, reps, timeout;
	bool json;
	/* handshake mode */
	unsigned int impls, certs;
	bool resume;
	bool no_kernel;			/* handshakes only, no keys to the kernel */
	unsigned int count, duration, concurrency;
	const char *groups;		/* comma list: one row set per group */
	int pin_server, pin_client;	/* CPU to pin each side to, or -1 */
	const char *ktlsd_socket, *ktlsd_bin;
	const char *tmpdir;		/* certificates made at run time */
};

/* names.c */
const char *bench_path_name(enum bench_path p);
const char *bench_cipher_name(enum bench_cipher c);
int bench_parse_path(const char *s);
int bench_parse_cipher(const char *s);
bool bench_path_is_ktls(enum bench_path p);
const char *bench_wolfssl_suite(enum bench_cipher c, unsigned int tls);
const char *bench_openssl_suite(enum bench_cipher c, unsigned int tls);

/* host.c */
void bench_host_info(struct host_info *h);
int bench_read_tls_stat(struct tls_stat *st);
void bench_stat_delta(struct tls_stat *d, const struct tls_stat *a,
		      const struct tls_stat *b);
void bench_stat_add(struct tls_stat *sum, const struct tls_stat *d);
long long bench_stat_get(const struct tls_stat *st, const char *name);
double bench_proc_stat_busy(void);
double bench_thread_cpu(void);
double bench_now(void);
int bench_enter_netns(const char *ns);

/* pattern.c */
const unsigned char *bench_pattern_get(uint64_t size);
int bench_pattern_check(const unsigned char *block, uint64_t pos,
			const unsigned char *buf, size_t n, uint64_t size);
int bench_pattern_file(const unsigned char *block, const char *dir,
		       char *path, size_t len, uint64_t size);

/* certs.c */
int bench_make_cert(const char *dir, const char *kind, char *cert,
		    char *key, size_t len);

/* conn.c: one connection, whatever carries it */
struct bench_conn {
	int fd;
	enum bench_path path;
	struct ktls_ctx *kctx;
	struct ktls_session *ks;
	void *ossl_ctx;			/* SSL_CTX */
	void *ssl;			/* SSL */
	struct io_uring *ring;
};

struct bench_tls {
	const char *cert, *key;
	enum bench_cipher cipher;
	unsigned int tls;
};

int bench_conn_handshake(struct bench_conn *c, const struct bench_tls *t,
			 bool server, char *err, size_t errlen);
ssize_t bench_conn_recv(struct bench_conn *c, void *buf, size_t len);
ssize_t bench_conn_send(struct bench_conn *c, const void *buf, size_t len);
void bench_conn_close(struct bench_conn *c, bool notify);

/* ossl.c */
int bench_ossl_new(struct bench_conn *c, const struct bench_tls *t,
		   bool server, char *err, size_t errlen);
ssize_t bench_ossl_recv(struct bench_conn *c, void *buf, size_t len);
ssize_t bench_ossl_send(struct bench_conn *c, const void *buf, size_t len);
void bench_ossl_free(struct bench_conn *c, bool notify);

/* flow.c: the data phase of one connection */
struct bench_req {
	uint32_t magic;
	uint8_t path, cipher, tls, pad;
	uint64_t size;
	uint64_t bytes;
	uint32_t flow, pad2;
};

#define BENCH_REQ_MAGIC	0x6b746c62	/* "ktlb" */

int bench_server_loop(int lfd, const struct bench_opts *o, unsigned int max,
		      struct side_result *res);
int bench_client_rep(const char *host, const char *port,
		     const struct bench_case *c, const struct bench_opts *o,
		     struct side_result *res);
int bench_listen(const char *addr, const char *port);
int bench_send_data(struct bench_conn *c, const struct bench_case *bc,
		    const char *file, char *err, size_t errlen);

/* run.c */
int bench_run(const struct bench_opts *o);
int bench_client(const struct bench_opts *o);
int bench_server(const struct bench_opts *o);

/* report.c */
void bench_report_throughput(const struct bench_opts *o,
			     const struct host_info *h,
			     const struct case_result *r, unsigned int n);
void bench_report_handshake(const struct bench_opts *o,
			    const struct host_info *h,
			    const struct hs_result *r, unsigned int n);

/* hs.c */
int bench_handshake(const struct bench_opts *o);

#endif /* KTLS_BENCH_H */
