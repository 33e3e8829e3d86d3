// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls's thread-safety contract (ktls.h), under ThreadSanitizer: a
 * context is shared by threads, so one thread may keep a client's ticket
 * in it (ktls_save_session(), also called from ktls_recv() when a TLS 1.3
 * ticket arrives) while others make sessions from it, which offer that
 * ticket. Built with -fsanitize=thread: a race is reported and fails the
 * test (TSan's exit status).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include <ktls/ktls.h>

#define ROUNDS	200

static char pki[64];

static const char *in_pki(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", pki, name);
	return buf;
}

/* a private test PKI: parallel runs must not share a folder */
static int make_pki(void)
{
	const char *repo = getenv("KTLSKIT_REPO");
	char cmd[512];

	snprintf(pki, sizeof(pki), "/tmp/ktls-threads-XXXXXX");
	if (!mkdtemp(pki))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/tools/pki/mkpki --test %s/pki >/dev/null",
		 repo ? repo : ".", pki);
	strcat(pki, "/pki");
	return system(cmd) ? -1 : 0;
}

static void drop_pki(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %.*s", (int)(strlen(pki) - 4), pki);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", pki);
}

/* Both ends of a handshake from one thread, over non-blocking sockets. */
static int handshake(struct ktls_session *c, struct ktls_session *s)
{
	int rc = -EAGAIN, rs = -EAGAIN, want, i;

	for (i = 0; i < 100000 && (rc == -EAGAIN || rs == -EAGAIN); i++) {
		if (rc == -EAGAIN)
			rc = ktls_handshake_step(c, &want);
		if (rs == -EAGAIN)
			rs = ktls_handshake_step(s, &want);
	}
	return rc ? rc : rs;
}

struct shared {
	struct ktls_ctx *ctx;
	struct ktls_session *holder;	/* a session that holds a ticket */
	int spare_fd;
	int ret;
};

static void *keep_tickets(void *arg)
{
	struct shared *sh = arg;
	int i;

	for (i = 0; i < ROUNDS && !sh->ret; i++)
		sh->ret = ktls_save_session(sh->holder);
	return NULL;
}

static void *make_sessions(void *arg)
{
	struct shared *sh = arg;
	struct ktls_session *s;
	int i, ret = 0;

	for (i = 0; i < ROUNDS && !ret; i++) {
		ret = ktls_session_new(sh->ctx, sh->spare_fd, &s);
		if (!ret)
			ktls_session_free(s);
		ktls_ctx_has_session(sh->ctx);
	}
	return (void *)(long)ret;
}

TEST(save_session_while_sessions_are_made)
{
	char ca[128], cert[128], key[128];
	struct ktls_config ccfg = {
		.role = KTLS_CLIENT,
		.server_name = "server.test",
		.max_version = KTLS_TLS_1_2,
	};
	struct ktls_config scfg = { .role = KTLS_SERVER };
	struct ktls_ctx *sctx = NULL;
	struct ktls_session *c = NULL, *s = NULL;
	struct shared sh = { 0 };
	pthread_t a, b;
	void *bret;
	int fd[2], spare[2];

	ASSERT_EQ(0, make_pki());
	ccfg.ca_file = in_pki(ca, sizeof(ca), "root.crt");
	scfg.cert_file = in_pki(cert, sizeof(cert), "server-ec.chain.pem");
	scfg.key_file = in_pki(key, sizeof(key), "server-ec.key");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, fd));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, spare));
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	ASSERT_EQ(0, ktls_ctx_new(&ccfg, &sh.ctx));
	ASSERT_EQ(0, ktls_ctx_new(&scfg, &sctx));
	ASSERT_EQ(0, ktls_session_new(sh.ctx, fd[0], &c));
	ASSERT_EQ(0, ktls_session_new(sctx, fd[1], &s));
	ASSERT_EQ(0, handshake(c, s));
	/* TLS 1.2: the ticket came with the handshake */
	ASSERT_EQ(0, ktls_save_session(c));
	ASSERT_EQ(1, ktls_ctx_has_session(sh.ctx));

	sh.holder = c;
	sh.spare_fd = spare[0];
	pthread_create(&a, NULL, keep_tickets, &sh);
	pthread_create(&b, NULL, make_sessions, &sh);
	pthread_join(a, NULL);
	pthread_join(b, &bret);
	EXPECT_EQ(0, sh.ret);
	EXPECT_EQ(0, (int)(long)bret);

	ktls_session_free(c);
	ktls_session_free(s);
	ktls_ctx_free(sh.ctx);
	ktls_ctx_free(sctx);
	close(fd[0]);
	close(fd[1]);
	close(spare[0]);
	close(spare[1]);
	drop_pki();
}

TEST_HARNESS_MAIN
