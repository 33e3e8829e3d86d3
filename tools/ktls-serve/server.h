/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktls-serve: the running server (TLS back ends, connections, workers,
 * logging). serve.h holds the options and the pure HTTP helpers.
 */
#ifndef KTLS_SERVE_SERVER_H
#define KTLS_SERVE_SERVER_H

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <liburing.h>
#include <ktls/ktls.h>

#include "serve.h"

/* tls.c: one connection's TLS, whoever runs the handshake */
struct tls_conn {
	struct ktls_session *s;		/* in process or run by ktlsd */
	int fd;
	struct ktls_info info;
	bool kernel;			/* TX and RX in the kernel */
	bool ready;			/* handshake done, data may flow */
	bool quiet_fail;		/* peer just went away: not worth a line */
	char error[256];
};

int tls_init(struct serve_opts *o);
void tls_exit(void);
const char *tls_mode_name(void);
int tls_start(struct tls_conn *t, int fd);
int tls_wait_fd(const struct tls_conn *t);
int tls_step(struct tls_conn *t, int *want);
void tls_free(struct tls_conn *t);
ssize_t tls_recv(struct tls_conn *t, void *buf, size_t len);
ssize_t tls_send(struct tls_conn *t, const void *buf, size_t len,
		 int flags);
ssize_t tls_sendfile(struct tls_conn *t, int in_fd, off_t *off,
		     size_t count);
ssize_t tls_uring_splice(struct tls_conn *t, struct io_uring *ring,
			 int in_fd, off_t *off, size_t count);
void tls_close_notify(struct tls_conn *t);
const char *tls_version_name(unsigned int v);

/* fcache.c: per-worker open-file cache */
struct fentry {
	struct fentry *hnext;		/* hash chain */
	struct fentry *lru_prev, *lru_next;
	unsigned int refs;		/* the cache's, and one per answer */
	int fd;
	struct stat st;
	uint32_t hash;
	char etag[64];
	char lm[40];			/* Last-Modified */
	const char *mime;
	size_t rel_len;
	char rel[];
};

struct fcache {
	struct fentry **table;
	unsigned int mask;
	unsigned int count, max;
	struct fentry lru;		/* list head: most recent next */
};

int fcache_init(struct fcache *fc, unsigned int max);
void fcache_exit(struct fcache *fc);
void fcache_flush(struct fcache *fc);
struct fentry *fcache_get(struct fcache *fc, int rootfd, const char *rel);
struct fentry *fcache_add(struct fcache *fc, const char *rel, int fd,
			  const struct stat *st);
void fcache_put(struct fentry *fe);

/* conn.c */
enum conn_state {
	CONN_HANDSHAKE,
	CONN_READ,
	CONN_WRITE,
	CONN_LINGER,
};

struct worker;

struct conn {
	struct worker *w;
	struct conn *prev, *next;	/* the worker's list */
	int fd;
	enum conn_state state;
	int evfd;			/* in epoll: fd, or ktlsd's reply */
	unsigned int events;		/* what epoll watches now */
	struct tls_conn tls;
	char peer[64];
	long long deadline;		/* monotonic ms */

	/* the request being read; freed while idle */
	char *rbuf;
	size_t rlen, scanned;
	struct http_req req;
	bool have_req;
	unsigned long long discard;	/* body bytes still to read and drop */

	/* the response being written */
	int status;
	char head[1536];
	size_t head_len, head_off;
	char *body;			/* generated body (listings) */
	size_t body_len, body_off;
	int file;			/* fe's fd while a body is due */
	struct fentry *fe;		/* the file answered from, held */
	off_t off, end;			/* file bytes [off, end) still to send */
	unsigned long long sent;	/* body bytes sent */
	bool keep_alive;
	bool aborted;
	struct timespec start;
	char method[16];
	char path[256];
	unsigned int requests;
};

void conn_accept(struct worker *w, int fd, const struct sockaddr *sa,
		 socklen_t salen);
void conn_event(struct conn *c, unsigned int events);
void conn_timeout(struct conn *c);
void conn_close(struct conn *c);
void conn_stop(struct conn *c);

/* worker.c */
struct worker {
	int id;
	struct serve_opts *o;
	pthread_t thread;
	int epfd;
	int lfd;
	int rootfd;
	int wakefd;
	bool ring_ok;
	struct io_uring ring;
	struct conn *head;		/* all connections */
	unsigned int nconns;
	bool stopping;
	long long stop_at;
	char *scratch;			/* SCRATCH bytes for --io write */
	struct fcache fc;
	char date[40];			/* Date header, cached per second */
	time_t date_at;
};

#define SCRATCH (256 * 1024)

long long now_ms(void);
void worker_watch(struct conn *c, unsigned int events);
int worker_start(struct worker *w);
void worker_stop(struct worker *w);
int serve_listen_socket(const char *addr, int *fdp, char *err, size_t errlen);

/* log.c */
int log_open(const char *path);
void log_access(struct conn *c);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KTLS_SERVE_SERVER_H */
