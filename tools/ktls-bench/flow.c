// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: flows. A client connects, says in a plaintext request which
 * path, cipher, version and sizes it wants (so one server serves any case,
 * also on another host), both run that path's handshake, and once every
 * flow of the case is ready the client sends one byte: the server then
 * streams the pattern and the client checks every byte it receives.
 * Only that data phase is timed; each flow thread measures its own CPU
 * time with RUSAGE_THREAD, so handshakes stay out of the per-GiB figures.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"

#define RECV_BUF	(256 * 1024)
#define MAX_BLOCK	(1ull << 30)

static void set_timeouts(int fd, unsigned int sec)
{
	struct timeval tv = { .tv_sec = sec };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * bench_listen() - a listening TCP socket
 * @addr: address to bind, or NULL for any
 * @port: port, "0" for an ephemeral one
 *
 * Return: the socket or a negative errno.
 */
int bench_listen(const char *addr, const char *port)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	struct addrinfo *ai;
	int fd, one = 1, ret;

	ret = getaddrinfo(addr, port, &hints, &ai);
	if (ret)
		return -EADDRNOTAVAIL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
		ret = -errno;
		close(fd);
		goto out;
	}
	ret = fd;
out:
	freeaddrinfo(ai);
	return ret;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai, *a;
	int fd = -ECONNREFUSED;

	if (getaddrinfo(host, port, &hints, &ai))
		return -EHOSTUNREACH;
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		close(fd);
		fd = -errno;
	}
	freeaddrinfo(ai);
	return fd;
}

/* ---- server ---- */

struct server_state {
	const struct bench_opts *o;
	struct side_result *res;
	pthread_mutex_t lock;
};

struct server_flow {
	struct server_state *st;
	int fd;
};

static int check_req(const struct bench_req *rq, struct bench_case *bc)
{
	if (rq->magic != BENCH_REQ_MAGIC || rq->path >= P_MAX ||
	    rq->cipher >= C_MAX || (rq->tls != 2 && rq->tls != 3) ||
	    !rq->size || rq->size > MAX_BLOCK || !rq->bytes)
		return -EBADMSG;
	memset(bc, 0, sizeof(*bc));
	bc->path = rq->path;
	bc->cipher = rq->cipher;
	bc->tls = rq->tls == 3 ? KTLS_TLS_1_3 : KTLS_TLS_1_2;
	bc->size = rq->size;
	bc->bytes = rq->bytes;
	return 0;
}

static void record_error(struct server_state *st, const char *msg, int err)
{
	pthread_mutex_lock(&st->lock);
	if (st->res && !st->res->err) {
		st->res->err = err ? err : -EIO;
		snprintf(st->res->msg, sizeof(st->res->msg), "server: %s", msg);
	}
	pthread_mutex_unlock(&st->lock);
	if (!st->res || !strcmp(st->o->mode, "server"))
		fprintf(stderr, "ktls-bench: server: %s\n", msg);
}

static int serve_flow(struct server_flow *f, char *err, size_t errlen,
		      double *cpu)
{
	const struct bench_opts *o = f->st->o;
	struct bench_conn c = { .fd = f->fd };
	struct bench_tls t = { .cert = o->cert, .key = o->key };
	char file[512] = "", go;
	struct bench_case bc;
	struct bench_req rq;
	double cpu0;
	int ret;

	ret = read_full(f->fd, &rq, sizeof(rq));
	if (!ret)
		ret = check_req(&rq, &bc);
	if (ret) {
		snprintf(err, errlen, "bad or missing request: %s",
			 strerror(-ret));
		close(f->fd);
		return ret;
	}
	c.path = bc.path;
	t.cipher = bc.cipher;
	t.tls = bc.tls;
	if ((bc.path == P_KTLS_SENDFILE || bc.path == P_KTLS_SPLICE)) {
		const unsigned char *block = bench_pattern_get(bc.size);

		ret = block ? bench_pattern_file(block, o->tmpdir, file,
						 sizeof(file), bc.size) :
			      -ENOMEM;
		if (ret) {
			snprintf(err, errlen, "writing the %s file: %s",
				 bench_path_name(bc.path), strerror(-ret));
			close(f->fd);
			return ret;
		}
	}
	ret = bench_conn_handshake(&c, &t, true, err, errlen);
	if (!ret) {
		ssize_t n = bench_conn_recv(&c, &go, 1);

		if (n != 1) {
			ret = n < 0 ? n : -ECONNRESET;
			snprintf(err, errlen, "no start byte: %s",
				 strerror(-ret));
		}
	}
	if (!ret) {
		cpu0 = bench_thread_cpu();
		ret = bench_send_data(&c, &bc, file, err, errlen);
		bench_conn_close(&c, !ret);
		*cpu = bench_thread_cpu() - cpu0;
	} else {
		bench_conn_close(&c, false);
	}
	if (file[0])
		unlink(file);
	return ret;
}

static void *server_flow_main(void *arg)
{
	struct server_flow *f = arg;
	struct server_state *st = f->st;
	double cpu = 0;
	char err[200];
	int ret;

	ret = serve_flow(f, err, sizeof(err), &cpu);
	if (ret)
		record_error(st, err, ret);
	pthread_mutex_lock(&st->lock);
	if (st->res)
		st->res->cpu_sec += cpu;
	pthread_mutex_unlock(&st->lock);
	free(f);
	return NULL;
}

/**
 * bench_server_loop() - accept flows and serve each in its own thread
 * @lfd: listening socket
 * @o: options (certificate, key, scratch folder, timeout)
 * @max: flows to serve before returning; 0 serves forever
 * @res: collects CPU time and the first error (may be NULL)
 *
 * Return: 0, or a negative errno when accept fails.
 */
int bench_server_loop(int lfd, const struct bench_opts *o, unsigned int max,
		      struct side_result *res)
{
	struct server_state st = { .o = o, .res = res };
	pthread_t th[BENCH_MAX_FLOWS];
	unsigned int n = 0, i;
	int ret = 0;

	pthread_mutex_init(&st.lock, NULL);
	while (!max || n < max) {
		struct server_flow *f;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pthread_t t;

		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0) {
			ret = -errno;
			break;
		}
		set_timeouts(fd, o->timeout);
		f = calloc(1, sizeof(*f));
		if (!f) {
			close(fd);
			continue;
		}
		f->st = &st;
		f->fd = fd;
		if (pthread_create(&t, NULL, server_flow_main, f)) {
			close(fd);
			free(f);
			continue;
		}
		if (max)
			th[n++] = t;
		else
			pthread_detach(t);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&st.lock);
	return ret;
}

/* ---- client ---- */

struct client_rep {
	const struct bench_case *bc;
	const struct bench_opts *o;
	const char *host, *port;
	const unsigned char *block;
	pthread_barrier_t ready;
	pthread_mutex_t lock;
	struct side_result *res;
	bool started;
	double t0, busy0, t_end;
};

static int client_data(struct client_rep *cr, struct bench_conn *c,
		       unsigned char *buf, char *err, size_t errlen)
{
	const struct bench_case *bc = cr->bc;
	uint64_t got = 0;
	int ret;

	if (bench_conn_send(c, "g", 1) != 1) {
		snprintf(err, errlen, "sending the start byte failed");
		return -EIO;
	}
	while (got < bc->bytes) {
		ssize_t n = bench_conn_recv(c, buf, RECV_BUF);

		if (n <= 0) {
			ret = n ? n : -EPIPE;
			snprintf(err, errlen,
				 "stream ended after %llu of %llu bytes: %s",
				 (unsigned long long)got,
				 (unsigned long long)bc->bytes,
				 n ? strerror(-n) : "closed early");
			return ret;
		}
		if ((uint64_t)n > bc->bytes - got ||
		    bench_pattern_check(cr->block, got, buf, n, bc->size)) {
			snprintf(err, errlen,
				 "received bytes differ from those sent (at stream offset %llu)",
				 (unsigned long long)got);
			return -EBADMSG;
		}
		got += n;
	}
	return 0;
}

static void *client_flow_main(void *arg)
{
	struct client_rep *cr = arg;
	const struct bench_case *bc = cr->bc;
	struct bench_tls t = { .cipher = bc->cipher, .tls = bc->tls };
	struct bench_conn c = { .path = bc->path };
	struct bench_req rq = {
		.magic = BENCH_REQ_MAGIC, .path = bc->path,
		.cipher = bc->cipher, .tls = bc->tls == KTLS_TLS_1_3 ? 3 : 2,
		.size = bc->size, .bytes = bc->bytes,
	};
	unsigned char *buf = malloc(RECV_BUF);
	double cpu0, cpu, end;
	char err[200] = "";
	int ret;

	c.fd = connect_to(cr->host, cr->port);
	ret = c.fd < 0 ? c.fd : buf ? 0 : -ENOMEM;
	if (ret)
		snprintf(err, sizeof(err), "connect to %s:%s: %s", cr->host,
			 cr->port, strerror(-ret));
	if (!ret) {
		set_timeouts(c.fd, cr->o->timeout);
		if (send(c.fd, &rq, sizeof(rq), MSG_NOSIGNAL) != sizeof(rq)) {
			ret = -errno;
			snprintf(err, sizeof(err), "sending the request: %s",
				 strerror(errno));
		}
	}
	if (!ret)
		ret = bench_conn_handshake(&c, &t, false, err, sizeof(err));
	/* every flow waits here, failed or not, so none is left behind */
	pthread_barrier_wait(&cr->ready);
	/*
	 * The first flow out starts the clock: on a loaded machine the main
	 * thread may run again only after the data has all arrived.
	 */
	pthread_mutex_lock(&cr->lock);
	if (!cr->started) {
		cr->started = true;
		cr->t0 = bench_now();
		cr->busy0 = bench_proc_stat_busy();
	}
	pthread_mutex_unlock(&cr->lock);
	cpu0 = bench_thread_cpu();
	if (!ret)
		ret = client_data(cr, &c, buf, err, sizeof(err));
	end = bench_now();
	cpu = bench_thread_cpu() - cpu0;
	bench_conn_close(&c, false);
	free(buf);
	pthread_mutex_lock(&cr->lock);
	if (ret && !cr->res->err) {
		cr->res->err = ret;
		snprintf(cr->res->msg, sizeof(cr->res->msg), "client: %s",
			 err);
	}
	if (!ret)
		cr->res->bytes += bc->bytes;
	cr->res->cpu_sec += cpu;
	if (end > cr->t_end)
		cr->t_end = end;
	pthread_mutex_unlock(&cr->lock);
	return NULL;
}

/**
 * bench_client_rep() - one repetition of a case: connect every flow, then
 *	receive and check all data
 * @host: server address
 * @port: server port
 * @c: the case
 * @o: options
 * @res: filled in (bytes, elapsed, CPU of the flow threads, all CPUs' busy
 *	time over the data phase, first error)
 *
 * Return: 0 or the first flow's negative errno.
 */
int bench_client_rep(const char *host, const char *port,
		     const struct bench_case *c, const struct bench_opts *o,
		     struct side_result *res)
{
	struct client_rep cr = {
		.bc = c, .o = o, .host = host, .port = port, .res = res,
	};
	pthread_t th[BENCH_MAX_FLOWS];
	double busy1;
	unsigned int i;

	memset(res, 0, sizeof(*res));
	cr.block = bench_pattern_get(c->size);
	if (!cr.block) {
		res->err = -ENOMEM;
		snprintf(res->msg, sizeof(res->msg), "client: no memory");
		return res->err;
	}
	pthread_mutex_init(&cr.lock, NULL);
	pthread_barrier_init(&cr.ready, NULL, c->flows + 1);
	for (i = 0; i < c->flows; i++) {
		/* the others wait at the barrier: no way back from here */
		if (pthread_create(&th[i], NULL, client_flow_main, &cr)) {
			fprintf(stderr, "ktls-bench: cannot start flow thread %u\n",
				i);
			exit(1);
		}
	}
	pthread_barrier_wait(&cr.ready);
	for (i = 0; i < c->flows; i++)
		pthread_join(th[i], NULL);
	busy1 = bench_proc_stat_busy();
	res->elapsed = cr.t_end - cr.t0;
	res->sys_cpu_sec = cr.busy0 >= 0 && busy1 >= 0 ? busy1 - cr.busy0 :
			   -1;
	pthread_barrier_destroy(&cr.ready);
	pthread_mutex_destroy(&cr.lock);
	return res->err;
}
