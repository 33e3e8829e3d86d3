// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon client on the host, against a fake ktlsd on a Unix socket in
 * a private folder: the one reply reader refuses a reply of another
 * protocol version whichever call reads it (ktls_daemon_stats() once read
 * its own and took any version), the sized daemon request follows the
 * openat2 rules, and a daemon session reports a daemon it cannot reach
 * from ktls_handshake_step() with the reason and sentence.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include <ktls/ktls.h>
#include <ktls/ktlsd.h>

/* The fake daemon: answers one request with a reply of @version. */
struct fake {
	char dir[64];
	char path[96];
	int lfd;
	__u16 version;
	pthread_t thread;
};

static void *answer(void *arg)
{
	struct fake *f = arg;
	unsigned char req[KTLSD_MAX_MSG], msg[256];
	unsigned char *a = msg + sizeof(struct ktlsd_hdr);
	struct ktlsd_hdr h = { .magic = KTLSD_MAGIC, .type = KTLSD_MSG_REPLY };
	size_t off = 0;
	int c;

	c = accept(f->lfd, NULL, NULL);
	if (c < 0)
		return NULL;
	if (recv(c, req, sizeof(req), 0) < 0)
		goto out;
	ktlsd_attr_put_u32(a, sizeof(msg) - sizeof(h), &off, KTLSD_A_STATUS,
			   0);
	ktlsd_attr_put_str(a, sizeof(msg) - sizeof(h), &off, KTLSD_A_TEXT,
			   "ktlsd_up 1\n");
	h.version = f->version;
	h.len = off;
	memcpy(msg, &h, sizeof(h));
	/* then close, as ktlsd does: the reply stays readable */
	send(c, msg, sizeof(h) + off, MSG_NOSIGNAL);
out:
	close(c);
	return NULL;
}

static int fake_start(struct fake *f, __u16 version)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(f->dir, sizeof(f->dir), "/tmp/ktls-daemon-unit.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ktlsd.sock", f->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	f->version = version;
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(f->lfd, 4))
		return -1;
	return pthread_create(&f->thread, NULL, answer, f) ? -1 : 0;
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

TEST(stats_right_version_read)
{
	struct fake f;
	char text[64];

	ASSERT_EQ(0, fake_start(&f, KTLSD_PROTO_VERSION));
	EXPECT_EQ(0, ktls_daemon_stats(f.path, text, sizeof(text)));
	EXPECT_STREQ("ktlsd_up 1\n", text);
	fake_stop(&f);
}

TEST(stats_wrong_version_refused)
{
	struct fake f;
	char text[64];

	ASSERT_EQ(0, fake_start(&f, KTLSD_PROTO_VERSION + 1));
	EXPECT_EQ(-EBADMSG, ktls_daemon_stats(f.path, text, sizeof(text)));
	EXPECT_STREQ("", text);
	fake_stop(&f);
}

TEST(handshake_wrong_version_refused)
{
	struct ktls_daemon_request req = { .role = KTLS_SERVER,
					   .profile = "server" };
	struct ktls_daemon_result res;
	struct fake f;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, fake_start(&f, KTLSD_PROTO_VERSION + 1));
	req.socket_path = f.path;
	EXPECT_EQ(-EBADMSG, ktls_daemon_handshake(sv[0], &req, &res));
	EXPECT_NE(NULL, strstr(res.text, "protocol version"));
	fake_stop(&f);
	close(sv[0]);
	close(sv[1]);
}

TEST(request_sizes)
{
	struct {
		struct ktls_daemon_request req;
		unsigned long long later;
	} big = { .req = { .role = KTLS_CLIENT, .profile = "client" } };
	struct ktls_ctx *ctx;

	EXPECT_EQ(-EINVAL, ktls_ctx_new_daemon_sized(&big.req,
			KTLS_DAEMON_REQUEST_SIZE_VER0 - 1, &ctx));
	ktls_ctx_free(ctx);
	/* an older caller: no rekey_records, whatever lies beyond */
	big.req.rekey_records = 99;
	EXPECT_EQ(0, ktls_ctx_new_daemon_sized(&big.req,
			KTLS_DAEMON_REQUEST_SIZE_VER0, &ctx));
	ktls_ctx_free(ctx);
	/* a newer caller: unknown fields must be zero */
	EXPECT_EQ(0, ktls_ctx_new_daemon_sized(&big.req, sizeof(big), &ctx));
	ktls_ctx_free(ctx);
	big.later = 1;
	EXPECT_EQ(-E2BIG, ktls_ctx_new_daemon_sized(&big.req, sizeof(big),
						    &ctx));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(ctx), "does not know"));
	ktls_ctx_free(ctx);
	big.req.profile = NULL;
	EXPECT_EQ(-EINVAL, ktls_ctx_new_daemon(&big.req, &ctx));
	ktls_ctx_free(ctx);
}

TEST(session_daemon_not_running)
{
	struct ktls_daemon_request req = {
		.socket_path = "/nonexistent/ktlsd.sock",
		.role = KTLS_CLIENT,
		.profile = "client",
	};
	struct ktls_session *s;
	struct ktls_ctx *ctx;
	int sv[2], want = -1;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, ktls_ctx_new_daemon(&req, &ctx));
	ASSERT_EQ(0, ktls_session_new(ctx, sv[0], &s));
	/* before the request goes out, the session's own socket */
	EXPECT_EQ(sv[0], ktls_session_wait_fd(s));
	EXPECT_EQ(0, ktls_session_set_server_name(s, "host.test"));
	EXPECT_EQ(-ENOENT, ktls_handshake_step(s, &want));
	EXPECT_NE(NULL, strstr(ktls_reason_text(s), "ktlsd is not running"));
	EXPECT_EQ(-EPROTO, ktls_handshake_step(s, &want));
	ktls_session_free(s);
	ktls_ctx_free(ctx);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
