// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: the throughput matrix. In "run" mode every repetition forks
 * a server and a client process (each may enter its own network
 * namespace, e.g. the two ends of a tlsdevsim pair); they report back over
 * pipes. "client" runs the same matrix against a "server" elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "bench.h"

#define GIB	(1024.0 * 1024 * 1024)

static struct case_result results[BENCH_MAX_CASES];

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

static void side_fail(struct side_result *r, int err, const char *what,
		      const char *ns)
{
	r->err = err;
	snprintf(r->msg, sizeof(r->msg), "%s %s: %s", what, ns ? ns : "",
		 strerror(-err));
}

static void stat_begin(struct tls_stat *st)
{
	bench_read_tls_stat(st);
}

static void stat_end(struct side_result *r, const struct tls_stat *before)
{
	struct tls_stat after;

	bench_read_tls_stat(&after);
	bench_stat_delta(&r->st, before, &after);
	r->have_stat = true;
}

static void server_child(const struct bench_opts *o,
			 const struct bench_case *c, int wfd)
{
	struct side_result r = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct tls_stat before;
	uint16_t port = 0;
	int lfd, ret;

	alarm(o->timeout + 60);
	ret = bench_enter_netns(o->server_ns);
	if (ret) {
		side_fail(&r, ret, "server: entering netns", o->server_ns);
		goto out;
	}
	stat_begin(&before);
	lfd = bench_listen(NULL, "0");
	if (lfd < 0) {
		side_fail(&r, lfd, "server: listen", NULL);
		goto out;
	}
	getsockname(lfd, (struct sockaddr *)&ss, &sl);
	port = ntohs(ss.ss_family == AF_INET6 ?
		     ((struct sockaddr_in6 *)&ss)->sin6_port :
		     ((struct sockaddr_in *)&ss)->sin_port);
	write_all(wfd, &port, sizeof(port));
	bench_server_loop(lfd, o, c->flows, &r);
	close(lfd);
	stat_end(&r, &before);
out:
	if (!port)
		write_all(wfd, &port, sizeof(port));
	write_all(wfd, &r, sizeof(r));
	_exit(0);
}

static void client_child(const struct bench_opts *o,
			 const struct bench_case *c, const char *addr,
			 uint16_t port, int wfd)
{
	struct side_result r = { 0 };
	struct tls_stat before;
	char ps[8];
	int ret;

	alarm(o->timeout + 60);
	ret = bench_enter_netns(o->client_ns);
	if (ret) {
		side_fail(&r, ret, "client: entering netns", o->client_ns);
		goto out;
	}
	snprintf(ps, sizeof(ps), "%u", port);
	stat_begin(&before);
	bench_client_rep(addr, ps, c, o, &r);
	stat_end(&r, &before);
out:
	write_all(wfd, &r, sizeof(r));
	_exit(0);
}

static pid_t fork_side(int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		*rfd = p[1];
		return 0;
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void reap(pid_t pid, struct side_result *r, int got, const char *who,
		 bool killed)
{
	int status = 0;

	waitpid(pid, &status, 0);
	if (got && !r->err && !killed) {
		r->err = -EIO;
		if (WIFSIGNALED(status))
			snprintf(r->msg, sizeof(r->msg),
				 "%s process killed by signal %d%s", who,
				 WTERMSIG(status),
				 WTERMSIG(status) == SIGALRM ?
				 " (timed out: --timeout)" : "");
		else
			snprintf(r->msg, sizeof(r->msg),
				 "%s process exited without a result", who);
	}
}

/* One repetition in two processes; @srv and @cli get their results. */
static void rep_local(const struct bench_opts *o, const struct bench_case *c,
		      struct side_result *srv, struct side_result *cli)
{
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	bool killed = false;
	pid_t spid, cpid;
	uint16_t port = 0;
	int sfd, cfd, got;

	memset(srv, 0, sizeof(*srv));
	memset(cli, 0, sizeof(*cli));
	spid = fork_side(&sfd);
	if (spid == 0)
		server_child(o, c, sfd);
	if (spid < 0) {
		side_fail(srv, spid, "fork", NULL);
		return;
	}
	if (read_all(sfd, &port, sizeof(port)) || !port) {
		got = read_all(sfd, srv, sizeof(*srv));
		reap(spid, srv, got, "server", false);
		if (!srv->err)
			side_fail(srv, -EIO, "server did not start", NULL);
		close(sfd);
		return;
	}
	cpid = fork_side(&cfd);
	if (cpid == 0)
		client_child(o, c, addr, port, cfd);
	if (cpid < 0) {
		side_fail(cli, cpid, "fork", NULL);
		kill(spid, SIGTERM);
		killed = true;
	} else {
		got = read_all(cfd, cli, sizeof(*cli));
		reap(cpid, cli, got, "client", false);
		close(cfd);
		/*
		 * A client that failed may leave the server waiting for flows;
		 * the server's own error, if it wrote one, still comes first.
		 */
		if (cli->err) {
			usleep(100000);
			kill(spid, SIGTERM);
			killed = true;
		}
	}
	got = read_all(sfd, srv, sizeof(*srv));
	reap(spid, srv, got, "server", killed);
	close(sfd);
}

static bool same_netns(const struct bench_opts *o)
{
	if (!o->server_ns || !o->client_ns)
		return o->server_ns == o->client_ns;
	return !strcmp(o->server_ns, o->client_ns);
}

/* The kernel's counters must show the path the case asked for. */
static bool verify_path(struct case_result *r)
{
	const struct tls_stat *d = &r->delta;
	long long need = (long long)r->c.flows * r->reps;
	long long txs = bench_stat_get(d, "TlsTxSw");
	long long rxs = bench_stat_get(d, "TlsRxSw");
	long long txd = bench_stat_get(d, "TlsTxDevice");
	long long rxd = bench_stat_get(d, "TlsRxDevice");

	if (!r->reps)
		return false;
	switch (r->c.path) {
	case P_TCP:
	case P_WOLFSSL:
	case P_OPENSSL:
		return !txs && !rxs && !txd && !rxd;
	case P_DEVICE_TX:
		return txd >= need;
	case P_DEVICE_RX:
		return rxd >= need;
	default:
		return txs >= need && rxs >= need && !txd && !rxd;
	}
}

static const char *case_refused(const struct bench_case *c)
{
	if ((c->path == P_DEVICE_TX || c->path == P_DEVICE_RX) &&
	    (c->tls != KTLS_TLS_1_2 || c->cipher == C_CHACHA))
		return "device offload takes TLS 1.2 with AES-GCM only";
	return NULL;
}

static void run_case(const struct bench_opts *o, struct case_result *r,
		     bool local, const char *host, const char *port)
{
	const struct bench_case *c = &r->c;
	double gib = (double)c->bytes * c->flows / GIB;
	struct side_result srv, cli;
	struct tls_stat a, b, d;
	const char *why;
	unsigned int i;

	why = case_refused(c);
	if (why) {
		r->unsupported = true;
		snprintf(r->error, sizeof(r->error), "%s", why);
		return;
	}
	r->cpu_known[0] = local;
	r->cpu_known[1] = r->cpu_known[2] = true;
	for (i = 0; i < o->reps; i++) {
		bench_read_tls_stat(&a);
		if (local) {
			rep_local(o, c, &srv, &cli);
		} else {
			memset(&srv, 0, sizeof(srv));
			bench_client_rep(host, port, c, o, &cli);
		}
		bench_read_tls_stat(&b);
		if (srv.err == -EOPNOTSUPP) {
			/* the client's broken stream is only the consequence */
			r->unsupported = true;
			snprintf(r->error, sizeof(r->error), "%s", srv.msg);
			break;
		}
		if (cli.err || srv.err) {
			snprintf(r->error, sizeof(r->error), "%s%s%s",
				 cli.err ? cli.msg : "",
				 cli.err && srv.err ? "; " : "",
				 srv.err ? srv.msg : "");
			break;
		}
		if (!local || same_netns(o)) {
			bench_stat_delta(&d, &a, &b);
			bench_stat_add(&r->delta, &d);
		} else {
			bench_stat_add(&r->delta, &srv.st);
			bench_stat_add(&r->delta, &cli.st);
		}
		r->bps[i] = cli.elapsed > 0 ? cli.bytes / cli.elapsed : 0;
		r->cpu[0][i] = srv.cpu_sec / gib;
		r->cpu[1][i] = cli.cpu_sec / gib;
		r->cpu[2][i] = cli.sys_cpu_sec / gib;
		if (cli.sys_cpu_sec < 0)
			r->cpu_known[2] = false;
		r->reps = i + 1;
	}
	r->verified = verify_path(r);
	if (!r->error[0] && !r->verified &&
	    (c->path == P_DEVICE_TX || c->path == P_DEVICE_RX))
		snprintf(r->error, sizeof(r->error),
			 "no device offload: /proc/net/tls_stat shows no %s (run each side in a namespace behind a tlsdevsim pair: --server-netns/--client-netns/--addr)",
			 c->path == P_DEVICE_TX ? "TlsTxDevice" : "TlsRxDevice");
}

/* The matrix, in the order of enum bench_path, cipher, version. */
static unsigned int build_cases(const struct bench_opts *o)
{
	unsigned int n = 0, p, ci, v;

	for (p = 0; p < P_MAX; p++) {
		if (!(o->paths & (1u << p)))
			continue;
		for (ci = 0; ci < C_MAX; ci++) {
			if (!(o->ciphers & (1u << ci)))
				continue;
			for (v = 0; v < 2; v++) {
				struct bench_case *c;

				if (!(o->versions & (1u << v)) ||
				    n == BENCH_MAX_CASES)
					continue;
				c = &results[n++].c;
				c->path = p;
				c->cipher = ci;
				c->tls = v ? KTLS_TLS_1_3 : KTLS_TLS_1_2;
				c->size = o->size;
				c->bytes = o->bytes;
				c->flows = o->flows;
				if (p == P_TCP)
					goto next_path;
			}
		}
next_path:
		;
	}
	return n;
}

static int finish(const struct bench_opts *o, unsigned int n)
{
	struct host_info h;
	unsigned int i;
	int ret = 0;

	bench_host_info(&h);
	bench_report_throughput(o, &h, results, n);
	for (i = 0; i < n; i++)
		if (!results[i].unsupported &&
		    (results[i].error[0] || !results[i].verified))
			ret = 1;
	return ret;
}

/**
 * bench_run() - the matrix with both ends on this machine
 * @o: options
 *
 * Return: exit status: 0 when every case ran and its path was verified,
 * or the kernel cannot do it (reported as unsupported).
 */
int bench_run(const struct bench_opts *o)
{
	unsigned int n = build_cases(o), i;

	for (i = 0; i < n; i++)
		run_case(o, &results[i], true, NULL, NULL);
	return finish(o, n);
}

/**
 * bench_client() - the matrix against a "ktls-bench server"
 * @o: options (@o->target is HOST[:PORT])
 *
 * Only this machine's CPU and tls_stat are seen; the server's CPU time is
 * reported as null.
 *
 * Return: exit status as bench_run().
 */
int bench_client(const struct bench_opts *o)
{
	char host[256], *colon;
	const char *port = "4430";
	unsigned int n = build_cases(o), i;

	snprintf(host, sizeof(host), "%s", o->target);
	colon = strrchr(host, ':');
	if (colon && (host[0] == '[' || !strchr(host, ':') ||
		      colon == strchr(host, ':'))) {
		*colon = 0;
		port = colon + 1;
	}
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = 0;
	}
	for (i = 0; i < n; i++)
		run_case(o, &results[i], false, host, port);
	return finish(o, n);
}

/**
 * bench_server() - serve flows for clients until killed
 * @o: options (@o->listen is [ADDR:]PORT)
 *
 * Return: exit status.
 */
int bench_server(const struct bench_opts *o)
{
	char addr[256], *colon;
	const char *port = addr, *host = NULL;
	int lfd;

	snprintf(addr, sizeof(addr), "%s", o->listen);
	colon = strrchr(addr, ':');
	if (colon) {
		*colon = 0;
		host = addr[0] == '[' ? addr + 1 : addr;
		if (addr[0] == '[')
			addr[strcspn(addr, "]")] = 0;
		port = colon + 1;
	}
	lfd = bench_listen(host && *host ? host : NULL, port);
	if (lfd < 0) {
		fprintf(stderr, "ktls-bench: cannot listen on %s: %s\n",
			o->listen, strerror(-lfd));
		return 1;
	}
	fprintf(stderr, "ktls-bench: serving on %s\n", o->listen);
	bench_server_loop(lfd, o, 0, NULL);
	close(lfd);
	return 1;
}
