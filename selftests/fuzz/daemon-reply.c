// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The library's side of the ktlsd protocol (userspace/lib/daemon_client.c):
 * ktls_daemon_submit() reaches a Unix socket this target listens on, and
 * the fuzzed bytes are what "ktlsd" answers, written in pieces of fuzzed
 * sizes between calls of ktls_daemon_complete(), with the connection
 * closed early when the input says so.
 *
 * Promises: complete() ends once the daemon's side is closed; it returns
 * the status it reports (0 or a negative errno, never a positive one);
 * every string of the result is NUL-terminated and its reason has a name.
 *
 * ktls_daemon_stats() reads its reply to the end itself, blocking: for it
 * a thread plays the daemon, answers with the fuzzed bytes and closes.
 *
 * Input: a mode byte; odd: the rest is the reply to ktls_daemon_stats(),
 * whose text must come back NUL-terminated inside the buffer. Even: a
 * script of one-byte operations: 0 send bytes (two-byte count), 1
 * complete(), 2 half-close, 3 close.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ktls/ktls.h>
#include <ktls/ktlsd.h>
#include "fuzz.h"

static char dir[32];
static char path[64];
static int lfd = -1, nullfd = -1;

/* The thread that answers ktls_daemon_stats(). */
static struct {
	sem_t go;
	const uint8_t *p;
	size_t n;
} stats_reply;

static void *stats_daemon(void *arg)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	char req[64];
	int c;

	for (;;) {
		sem_wait(&stats_reply.go);
		poll(&pfd, 1, -1);
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			abort();
		/* the request is a bare header; read it, then answer */
		if (recv(c, req, sizeof(req), 0) < 0)
			abort();
		if (stats_reply.n)
			send(c, stats_reply.p, stats_reply.n, MSG_NOSIGNAL);
		close(c);
	}
	return NULL;
}

static void stats(struct fz *f)
{
	char text[512];
	size_t cap = fz_u8(f) % sizeof(text) + 1;
	int ret;

	memset(text, 'x', sizeof(text));
	stats_reply.p = f->p;
	stats_reply.n = f->n;
	sem_post(&stats_reply.go);
	ret = ktls_daemon_stats(path, text, cap);
	FZ_ASSERT(ret <= 0);
	FZ_ASSERT(memchr(text, 0, cap));
	FZ_ASSERT(text[cap] == 'x' || cap == sizeof(text));
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(dir, sizeof(dir), "/tmp/ktlskit-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/ktlsd.sock", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(lfd, 16))
		abort();
	atexit(cleanup);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0 || sem_init(&stats_reply.go, 0, 0) ||
	    pthread_create(&(pthread_t){ 0 }, NULL, stats_daemon, NULL))
		abort();
	return 0;
}

static void check(int ret, const struct ktls_daemon_result *res)
{
	FZ_ASSERT(ret <= 0 && ret == res->status);
	FZ_ASSERT(memchr(res->text, 0, sizeof(res->text)));
	FZ_ASSERT(memchr(res->peer, 0, sizeof(res->peer)));
	FZ_ASSERT(memchr(res->info.cipher, 0, sizeof(res->info.cipher)));
	FZ_ASSERT(memchr(res->info.alpn, 0, sizeof(res->info.alpn)));
	FZ_ASSERT(memchr(res->info.server_name, 0,
			 sizeof(res->info.server_name)));
	FZ_ASSERT(ktls_daemon_reason_name(res->reason));
}

/* Read what the library asked, so that the socket never fills up. */
static void drain(int srv)
{
	char buf[256];

	while (srv >= 0 && recv(srv, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktls_daemon_request req = {
		.socket_path = path,
		.role = KTLS_CLIENT,
		.profile = "web",
		.server_name = "example.test",
	};
	struct ktls_daemon_result res;
	struct ktls_daemon_op *op;
	struct fz f = { data, size };
	int srv, ret = -EAGAIN, calls;

	if (fz_u8(&f) & 1) {
		stats(&f);
		return 0;
	}
	if (ktls_daemon_submit(nullfd, &req, &op))
		abort();
	srv = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (srv < 0)
		abort();
	while (f.n && ret == -EAGAIN) {
		const uint8_t *p;
		size_t n;

		drain(srv);
		switch (fz_u8(&f) % 4) {
		case 0:
			p = fz_bytes(&f, KTLSD_MAX_MSG + 64, &n);
			if (srv >= 0 && n)
				send(srv, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			break;
		case 1:
			ret = ktls_daemon_complete(op, &res);
			break;
		case 2:
			if (srv >= 0)
				shutdown(srv, SHUT_WR);
			break;
		default:
			if (srv >= 0)
				close(srv);
			srv = -1;
			break;
		}
	}
	/* the daemon goes away: the request must end now */
	if (srv >= 0)
		close(srv);
	for (calls = 0; ret == -EAGAIN; calls++) {
		FZ_ASSERT(calls < 2);
		ret = ktls_daemon_complete(op, &res);
	}
	check(ret, &res);
	return 0;
}
