// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench handshake mode: TLS 1.3 and 1.2 handshakes per second, their
 * latency over loopback and the CPU each costs either side, for libktls
 * in-process (handshake, then the keys to the kernel), ktlsd (the server
 * hands each accepted socket to the daemon; the client is libktls) and
 * OpenSSL (user space, no kTLS), with an ECDSA P-256 or an RSA-2048
 * certificate, full or resumed with a ticket, with each side's own key
 * exchange preference or one group on both.
 *
 * A latency is one connection's, from connect() to the end of the
 * client's handshake, kTLS switch included.
 *
 * --no-kernel measures the handshakes alone, on any kernel: no side moves
 * keys to the kernel; after its handshake the server sends close_notify
 * (libktls, OpenSSL) and closes, the client reads to the end. ktlsd cannot
 * be told to skip the kernel (it never reports success for a socket the
 * kernel does not carry): it runs where setsockopt(TCP_ULP, "tls") fails
 * as on a kernel without kTLS (hs_ktlsd.c), finishes each handshake and
 * answers "no kernel TLS"; exactly that answer counts as a handshake.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "bench.h"
#include "hs.h"
#include "ossl.h"

static const char *const impl_names[] = { "libktls", "ktlsd", "openssl" };
static const char *const cert_kinds[] = { "ecdsa-p256", "rsa2048" };

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The handshake alone, on a blocking socket (--no-kernel). */
static int handshake_only(struct ktls_session *s)
{
	struct pollfd pfd = { .fd = ktls_session_fd(s) };
	int ret, want;

	while ((ret = ktls_handshake_step(s, &want)) == -EAGAIN) {
		pfd.events = want == KTLS_WANT_WRITE ? POLLOUT : POLLIN;
		if (poll(&pfd, 1, 120000) <= 0)
			return -ETIMEDOUT;
	}
	return ret;
}

static void hs_fail(struct hs_run *r, const char *fmt, const char *what)
{
	pthread_mutex_lock(&r->lock);
	if (!r->err[0])
		snprintf(r->err, sizeof(r->err), fmt, what);
	r->stop = true;
	pthread_mutex_unlock(&r->lock);
}

/* ---- server side ---- */

/* Both directions in the kernel: the handshake included the switch. */
static bool in_kernel(const struct ktls_session *s)
{
	struct ktls_info info;

	return !ktls_get_info(s, &info) && info.tx != KTLS_CARRIER_USER &&
	       info.rx != KTLS_CARRIER_USER;
}

/*
 * After its handshake the server waits for the client's one byte before it
 * closes: the client's switch to kTLS comes after its last handshake
 * message, and the kernel refuses it on a socket the peer already closed.
 */
static void server_one(struct hs_run *r, int fd)
{
	static const unsigned char close_notify[2] = {
		KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY
	};
	bool nk = r->o->no_kernel;
	unsigned char type;
	char done;
	size_t n;
	struct ktls_daemon_result dres;
	struct ktls_session *s;
	SSL *ssl;

	switch (r->impl) {
	case HS_LIBKTLS:
		if (ktls_session_new(r->srv_kctx, fd, &s))
			break;
		if (nk ? handshake_only(s) : ktls_accept(s)) {
			if (!r->stop)
				hs_fail(r, "libktls server: %s",
					ktls_reason_text(s));
		} else if (nk) {
			ktls_close_notify(s);
		} else if (!in_kernel(s)) {
			hs_fail(r, "%s", "libktls server: kTLS was not set up");
		} else if (ktls_recv(s, &done, 1) == 1) {
			/* a clean end keeps the client's ticket usable */
			ktls_close_notify(s);
		}
		ktls_session_free(s);
		break;
	case HS_KTLSD: {
		struct ktls_daemon_request rq = {
			.socket_path = r->ktlsd_sock, .role = KTLS_SERVER,
			.profile = r->profile,
		};

		if (ktls_daemon_handshake(fd, &rq, &dres)) {
			/* the one answer --no-kernel expects: see the top */
			if (!r->stop && !(nk &&
					  dres.reason == KTLS_R_NO_KERNEL_TLS))
				hs_fail(r, "ktlsd: %.200s", dres.text);
		} else if (nk) {
			hs_fail(r, "%s", "ktlsd: it installed keys although --no-kernel kept TCP_ULP from it");
		} else if (dres.info.tx == KTLS_CARRIER_USER ||
			   dres.info.rx == KTLS_CARRIER_USER) {
			hs_fail(r, "%s", "ktlsd: kTLS was not set up");
		} else if (ktls_fd_recv_record(fd, &done, 1, &type, 0) == 1) {
			ktls_fd_send_record(fd, KTLS_CT_ALERT, close_notify,
					    sizeof(close_notify), 0);
		}
		break;
	}
	case HS_OPENSSL:
		ssl = SSL_new(r->srv_ossl);
		if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1) {
			if (!r->stop)
				hs_fail(r, "%s",
					"OpenSSL server: handshake failed");
		} else if (nk || SSL_read_ex(ssl, &done, 1, &n) == 1) {
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		break;
	}
	close(fd);
}

static void *server_main(void *arg)
{
	struct hs_run *r = arg;
	char cpu[16];
	double c0;

	snprintf(cpu, sizeof(cpu), "%d", r->o->pin_server);
	if (bench_pin(r->o->pin_server))
		hs_fail(r, "cannot pin the server to CPU %s", cpu);
	for (;;) {
		int fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			return NULL;	/* listener shut down: done */
		c0 = thread_cpu();
		server_one(r, fd);
		if (r->timing) {
			pthread_mutex_lock(&r->lock);
			r->srv_cpu += thread_cpu() - c0;
			pthread_mutex_unlock(&r->lock);
		}
	}
}

/* ---- client side ---- */

static bool take_slot(struct hs_run *r)
{
	bool ok;

	pthread_mutex_lock(&r->lock);
	if (r->duration)
		ok = !r->stop && bench_now() < r->deadline &&
		     r->started < r->cap;
	else
		ok = !r->stop && r->started < r->o->count;
	if (ok)
		r->started++;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

static void record(struct hs_run *r, double us)
{
	pthread_mutex_lock(&r->lock);
	if (r->n < r->cap)
		r->lat[r->n++] = us;
	pthread_mutex_unlock(&r->lock);
}

static int connect_local(struct hs_run *r)
{
	int fd = socket(r->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&r->ss, r->sl)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Read to the end of the stream: the server then has finished its side
 * (kTLS cannot be set up on a socket the peer already closed), and a
 * TLS 1.3 ticket sent after the handshake is taken in; keep it for the
 * next connection when resuming.
 */
static void drain_ktls(struct ktls_session *s, bool keep, bool user)
{
	char buf[256];

	while (ktls_recv(s, buf, sizeof(buf)) > 0)
		;
	/* without the kernel wolfSSL took the ticket in, uncounted */
	if (keep && (ktls_tickets_received(s) || user))
		ktls_save_session(s);
}

static void drain_ossl(SSL *ssl, SSL_SESSION **sess, bool keep)
{
	char buf[256];
	size_t n;

	while (SSL_read_ex(ssl, buf, sizeof(buf), &n) == 1)
		;
	if (keep && SSL_SESSION_is_resumable(SSL_get0_session(ssl))) {
		SSL_SESSION_free(*sess);
		*sess = SSL_get1_session(ssl);
	}
}

struct client_state {
	struct ktls_ctx *kctx;
	SSL_CTX *octx;
	SSL_SESSION *sess;
};

/* One connection; @timed: count it. Return: 0 or a negative errno. */
static int client_one(struct hs_run *r, struct client_state *cs, bool timed)
{
	double t0 = bench_now(), t1;
	bool nk = r->o->no_kernel;
	struct ktls_session *s = NULL;
	struct ktls_info info;
	bool resumed = false;
	SSL *ssl = NULL;
	int fd, ret;

	fd = connect_local(r);
	if (fd < 0) {
		hs_fail(r, "connect: %s", strerror(-fd));
		return fd;
	}
	if (r->impl == HS_OPENSSL) {
		ssl = SSL_new(cs->octx);
		ret = ssl && SSL_set_fd(ssl, fd) ? 0 : -ENOMEM;
		if (!ret && cs->sess)
			SSL_set_session(ssl, cs->sess);
		if (!ret && SSL_connect(ssl) != 1) {
			ret = -EPROTO;
			hs_fail(r, "%s", "OpenSSL client: handshake failed");
		}
		t1 = bench_now();
		resumed = !ret && SSL_session_reused(ssl);
	} else {
		ret = ktls_session_new(cs->kctx, fd, &s);
		if (!ret) {
			ret = nk ? handshake_only(s) : ktls_connect(s);
			if (ret)
				hs_fail(r, "libktls client: %s",
					ktls_reason_text(s));
		}
		t1 = bench_now();
		if (!ret && !nk && !in_kernel(s)) {
			ret = -EPROTO;
			hs_fail(r, "%s", "libktls client: kTLS was not set up");
		}
		resumed = !ret && !ktls_get_info(s, &info) && info.resumed;
	}
	/*
	 * A server may refuse a ticket and fall back to a full handshake
	 * (wolfSSL does when the ticket's age looks off by more than its
	 * tolerance, which a loaded, emulated machine can reach): such a
	 * handshake is counted apart, not mixed into the resumed latencies.
	 */
	if (!ret && timed && r->resumed && !resumed) {
		pthread_mutex_lock(&r->lock);
		r->fallbacks++;
		pthread_mutex_unlock(&r->lock);
		timed = false;
	}
	if (!ret) {
		size_t n;

		/* "done": the server may close now (see server_one()) */
		if (ssl) {
			if (!nk)
				SSL_write_ex(ssl, "d", 1, &n);
			drain_ossl(ssl, &cs->sess, r->resumed);
		} else {
			if (!nk)
				ktls_send(s, "d", 1);
			drain_ktls(s, r->resumed, nk);
		}
	}
	if (!ret && timed)
		record(r, (t1 - t0) * 1e6);
	/*
	 * SSL_free() without our close_notify would take the session out of
	 * the cache and mark it, our ticket included, not resumable.
	 */
	if (ssl && !ret)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	if (s)
		ktls_session_free(s);
	close(fd);
	return ret;
}

/* A client that will not run still passes both barriers. */
static void go_wait(struct hs_run *r)
{
	pthread_barrier_wait(&r->ready);
	pthread_barrier_wait(&r->ready);
}

/* OpenSSL's side of a row: its version, suites and group. */
static SSL_CTX *ossl_ctx(struct hs_run *r, bool server)
{
	SSL_CTX *ctx = bench_ossl_ctx(server, server ? r->cert : NULL,
				      server ? r->key : NULL, r->tls,
				      r->tls == KTLS_TLS_1_2 ? HS_SUITES_12 :
				      NULL, !server || r->resumed);

	if (ctx && r->group && SSL_CTX_set1_groups_list(ctx, r->group) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void *client_main(void *arg)
{
	struct hs_run *r = arg;
	struct ktls_config cfg = {
		.role = KTLS_CLIENT, .flags = KTLS_F_NO_VERIFY,
		.min_version = r->tls, .max_version = r->tls,
		.ciphers = r->tls == KTLS_TLS_1_2 ? HS_SUITES_12 : NULL,
		.groups = r->group,
		.handshake_timeout_ms = 120000,
	};
	struct client_state cs = { 0 };
	char cpu[16];
	double c0;

	if (bench_pin(r->o->pin_client)) {
		snprintf(cpu, sizeof(cpu), "%d", r->o->pin_client);
		hs_fail(r, "cannot pin the client to CPU %s", cpu);
		go_wait(r);
		return NULL;
	}
	if (r->impl == HS_OPENSSL) {
		cs.octx = ossl_ctx(r, false);
		if (!cs.octx) {
			hs_fail(r, "%s", "OpenSSL client context");
			go_wait(r);
			return NULL;
		}
	} else if (ktls_ctx_new(&cfg, &cs.kctx)) {
		hs_fail(r, "libktls client: %s", ktls_ctx_error(cs.kctx));
		ktls_ctx_free(cs.kctx);
		go_wait(r);
		return NULL;
	}
	/* an untimed first connection fetches the ticket to resume with */
	if (!r->resumed || !client_one(r, &cs, false)) {
		/* ready, then go: the deadline is set in between */
		pthread_barrier_wait(&r->ready);
		pthread_barrier_wait(&r->ready);
		c0 = thread_cpu();
		while (take_slot(r) && !client_one(r, &cs, true))
			;
		c0 = thread_cpu() - c0;
		pthread_mutex_lock(&r->lock);
		r->cli_cpu += c0;
		pthread_mutex_unlock(&r->lock);
	} else {
		go_wait(r);
	}
	SSL_SESSION_free(cs.sess);
	SSL_CTX_free(cs.octx);
	ktls_ctx_free(cs.kctx);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, unsigned int n, double q)
{
	unsigned int i = (unsigned int)ceil(q * n);

	return v[i ? (i > n ? n : i) - 1 : 0];
}

static void summarize(struct hs_run *r, struct hs_result *res, double wall)
{
	res->srv_cpu_us = res->cli_cpu_us = -1;
	res->count = r->n;
	res->fallbacks = r->fallbacks;
	snprintf(res->error, sizeof(res->error), "%s", r->err);
	if (!res->error[0] && r->fallbacks > r->n)
		snprintf(res->error, sizeof(res->error),
			 "the server refused the ticket in %u of %u handshakes",
			 r->fallbacks, r->fallbacks + r->n);
	/* a row without numbers must say so, never look like a result */
	if (!r->n && !res->error[0])
		snprintf(res->error, sizeof(res->error),
			 "no handshake completed (%u started, %u refused a ticket)",
			 r->started, r->fallbacks);
	if (!r->n)
		return;
	qsort(r->lat, r->n, sizeof(*r->lat), cmp_double);
	res->per_sec = wall > 0 ? r->n / wall : 0;
	/* every timed connection, refused tickets included, cost CPU */
	res->srv_cpu_us = r->srv_cpu * 1e6 / (r->n + r->fallbacks);
	res->cli_cpu_us = r->cli_cpu * 1e6 / (r->n + r->fallbacks);
	res->p50 = pct(r->lat, r->n, 0.50);
	res->p90 = pct(r->lat, r->n, 0.90);
	res->p99 = pct(r->lat, r->n, 0.99);
	res->max = r->lat[r->n - 1];
}

static int server_setup(struct hs_run *r)
{
	struct ktls_config cfg = {
		.role = KTLS_SERVER, .cert_file = r->cert, .key_file = r->key,
		.min_version = r->tls, .max_version = r->tls,
		.ciphers = r->tls == KTLS_TLS_1_2 ? HS_SUITES_12 : NULL,
		.groups = r->group,
		.flags = r->resumed ? 0 : KTLS_F_NO_TICKETS,
		.policy = KTLS_P_ALLOW_READABLE_KEY,
		.handshake_timeout_ms = 120000,
	};

	if (r->impl == HS_OPENSSL) {
		r->srv_ossl = ossl_ctx(r, true);
		if (!r->srv_ossl) {
			hs_fail(r, "%s", "OpenSSL server context");
			return -EINVAL;
		}
	} else if (r->impl == HS_LIBKTLS && ktls_ctx_new(&cfg, &r->srv_kctx)) {
		hs_fail(r, "libktls server: %s", ktls_ctx_error(r->srv_kctx));
		return -EINVAL;
	}
	r->lfd = bench_listen("127.0.0.1", "0");
	if (r->lfd < 0) {
		hs_fail(r, "listen: %s", strerror(-r->lfd));
		return r->lfd;
	}
	r->sl = sizeof(r->ss);
	getsockname(r->lfd, (struct sockaddr *)&r->ss, &r->sl);
	return 0;
}

/* One measurement: one implementation, certificate and mode. */
static void measure(struct hs_run *r, struct hs_result *res)
{
	unsigned int conc = r->o->concurrency, i;
	pthread_t srv[BENCH_MAX_FLOWS], cli[BENCH_MAX_FLOWS];
	double t0, wall, dcpu;

	r->cap = r->duration ? 1000000 : r->o->count;
	r->lat = calloc(r->cap, sizeof(*r->lat));
	pthread_mutex_init(&r->lock, NULL);
	pthread_barrier_init(&r->ready, NULL, conc + 1);
	if (!r->lat || server_setup(r)) {
		summarize(r, res, 0);
		goto out;
	}
	for (i = 0; i < conc; i++)
		pthread_create(&srv[i], NULL, server_main, r);
	for (i = 0; i < conc; i++)
		pthread_create(&cli[i], NULL, client_main, r);
	pthread_barrier_wait(&r->ready);
	r->timing = true;
	dcpu = r->ktlsd_pid > 0 ? bench_proc_cpu(r->ktlsd_pid) : 0;
	t0 = bench_now();
	r->deadline = t0 + r->duration;
	pthread_barrier_wait(&r->ready);
	for (i = 0; i < conc; i++)
		pthread_join(cli[i], NULL);
	wall = bench_now() - t0;
	/* each client read to the end: the servers are done with them */
	if (r->ktlsd_pid > 0)
		r->srv_cpu += bench_proc_cpu(r->ktlsd_pid) - dcpu;
	/* wakes every accept() with an error: the servers end */
	shutdown(r->lfd, SHUT_RDWR);
	for (i = 0; i < conc; i++)
		pthread_join(srv[i], NULL);
	summarize(r, res, wall);
out:
	if (r->lfd >= 0)
		close(r->lfd);
	ktls_ctx_free(r->srv_kctx);
	SSL_CTX_free(r->srv_ossl);
	pthread_barrier_destroy(&r->ready);
	pthread_mutex_destroy(&r->lock);
	free(r->lat);
}

#define HS_MAX_GROUPS	8
#define HS_MAX_ROWS	(3 * 2 * 2 * 2 * HS_MAX_GROUPS)

/* --group's list; none: one pass with each side's own preference. */
static unsigned int split_groups(const struct bench_opts *o, char *buf,
				 size_t len, const char **g)
{
	char *save = NULL, *w;
	unsigned int n = 0;

	g[0] = NULL;
	if (!o->groups)
		return 1;
	snprintf(buf, len, "%s", o->groups);
	for (w = strtok_r(buf, ",", &save); w && n < HS_MAX_GROUPS;
	     w = strtok_r(NULL, ",", &save))
		g[n++] = w;
	return n ? n : 1;
}

static void run_row(const struct bench_opts *o, struct hs_result *res,
		    struct hs_run *r, const struct hs_ktlsd *d,
		    unsigned int k)
{
	bench_ktlsd_profile(r->profile, sizeof(r->profile), k, r->resumed,
			    r->tls, r->group);
	res->impl = impl_names[r->impl];
	res->cert = cert_kinds[k];
	res->group = r->group ? r->group : "default";
	if (r->group)
		r->group = bench_group_list(r->groups, sizeof(r->groups),
					    r->tls, r->group);
	res->tls = r->tls;
	res->resumed = r->resumed;
	if (r->impl == HS_KTLSD)
		r->ktlsd_pid = d->pid;
	measure(r, res);
}

/**
 * bench_handshake() - the handshake matrix: --impl x --tls x --cert x
 *	--group x (full, resumed)
 * @o: options
 *
 * Return: exit status: 0 when every measurement ran.
 */
int bench_handshake(const struct bench_opts *o)
{
	static struct hs_result res[HS_MAX_ROWS];
	static const unsigned int vers[2] = { KTLS_TLS_1_2, KTLS_TLS_1_3 };
	char cert[2][512], key[2][512], gbuf[256];
	const char *groups[HS_MAX_GROUPS];
	unsigned int n = 0, row, i, v, k, m, g, ngroups;
	struct hs_ktlsd d = { 0 };
	struct host_info h;
	int ret = 0;

	ngroups = split_groups(o, gbuf, sizeof(gbuf), groups);
	for (k = 0; k < 2; k++) {
		if (!(o->certs & (1u << k)))
			continue;
		ret = bench_make_cert(o->tmpdir, cert_kinds[k], cert[k],
				      key[k], sizeof(cert[k]));
		if (ret) {
			fprintf(stderr, "ktls-bench: making a %s certificate: %s\n",
				cert_kinds[k], strerror(-ret));
			return 1;
		}
	}
	if (o->impls & (1u << HS_KTLSD)) {
		ret = bench_ktlsd_start(o, &d, cert, key);
		if (ret)
			return 1;
	}
	ret = 0;
	/* impl, then version, certificate, group, full/resumed */
	for (row = 0; row < 3 * 2 * 2 * ngroups * 2; row++) {
		struct hs_run r = {
			.o = o, .duration = o->duration, .lfd = -1,
			.ktlsd_sock = d.sock,
		};

		m = row % 2;
		g = row / 2 % ngroups;
		k = row / 2 / ngroups % 2;
		v = row / 2 / ngroups / 2 % 2;
		i = row / 2 / ngroups / 4;
		if (!(o->impls & (1u << i)) || !(o->versions & (1u << v)) ||
		    !(o->certs & (1u << k)) || (m && !o->resume))
			continue;
		r.impl = i;
		r.cert = cert[k];
		r.key = key[k];
		r.tls = vers[v];
		r.group = groups[g];
		r.resumed = m;
		run_row(o, &res[n], &r, &d, k);
		if (res[n].error[0] || !res[n].count)
			ret = 1;
		n++;
	}
	if (o->impls & (1u << HS_KTLSD))
		bench_ktlsd_stop(&d);
	bench_host_info(&h);
	bench_report_handshake(o, &h, res, n);
	return ret;
}
