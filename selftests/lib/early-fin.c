// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls_offload() when the peer's FIN came before kernel TLS could attach
 * (the socket is in CLOSE_WAIT and the kernel refuses the tls ULP): by
 * default it fails with KTLS_R_PEER_CLOSED_EARLY and shuts the socket
 * down, so nothing can leave in the clear; with KTLS_F_ALLOW_USERSPACE the
 * caller said it goes on with user-space TLS, and wolfSSL carries the
 * session. ktls_fd_check_kernel() tells the three kinds of socket apart.
 * The end-to-end cases with OpenSSL peers, ktlsd and ktls-serve are
 * ktlsd/early-fin and serve/early-fin.
 *
 *   client (libktls, handshake only) --FIN--> server: ktls_offload()
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

FIXTURE(early_fin) {
	struct pair p;
};

FIXTURE_VARIANT(early_fin) {
	unsigned int version;
	const char *cipher;
	unsigned int flags;
};

FIXTURE_VARIANT_ADD(early_fin, tls13) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(early_fin, tls12) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(early_fin, tls13_allow_userspace) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
	.flags = KTLS_F_ALLOW_USERSPACE,
};

FIXTURE_VARIANT_ADD(early_fin, tls12_allow_userspace) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES128-GCM-SHA256",
	.flags = KTLS_F_ALLOW_USERSPACE,
};

FIXTURE_SETUP(early_fin)
{
	struct pair_opts o = {
		.version = variant->version,
		.cipher = variant->cipher,
		.flags = variant->flags,
	};

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ASSERT_EQ(0, pair_open(&self->p, &o));
}

FIXTURE_TEARDOWN(early_fin)
{
	pair_close(&self->p);
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

/* The client half-closes; wait (event, bounded) until the server saw it. */
static int peer_fin(struct pair *p)
{
	int i;

	if (shutdown(p->cfd, SHUT_WR))
		return -errno;
	for (i = 0; i < 20000; i++) {
		if (tcp_state(p->sfd) == TCP_CLOSE_WAIT)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

TEST_F_TIMEOUT(early_fin, offload_after_fin, 240)
{
	struct ktls_info info;
	unsigned char buf[64];
	ssize_t n;

	ASSERT_EQ(0, peer_fin(&self->p));
	if (!(variant->flags & KTLS_F_ALLOW_USERSPACE)) {
		EXPECT_EQ(-ENOTCONN, ktls_offload(self->p.ss));
		EXPECT_EQ((int)KTLS_R_PEER_CLOSED_EARLY,
			  (int)ktls_reason(self->p.ss));
		EXPECT_STREQ("peer-closed-early",
			     ktls_reason_name(ktls_reason(self->p.ss)));
		EXPECT_NE(NULL, strstr(ktls_reason_text(self->p.ss),
				       "nothing is sent in the clear"));
		/* shut down: not one byte can leave, in clear or not */
		EXPECT_EQ(-1, send(self->p.sfd, "x", 1, MSG_NOSIGNAL));
		EXPECT_EQ(EPIPE, errno);
		EXPECT_EQ(-ENOPROTOOPT, ktls_fd_check_kernel(self->p.sfd));
		return;
	}
	/* allowed: wolfSSL carries the session, and says so */
	ASSERT_EQ(0, ktls_offload(self->p.ss));
	ASSERT_EQ(0, ktls_get_info(self->p.ss, &info));
	EXPECT_EQ((int)KTLS_CARRIER_USER, (int)info.tx);
	EXPECT_EQ((int)KTLS_CARRIER_USER, (int)info.rx);
	EXPECT_EQ(-ENOPROTOOPT, ktls_fd_check_kernel(self->p.sfd));
	EXPECT_EQ(5, ktls_send(self->p.ss, "hello", 5));
	n = pair_recv_all(self->p.cs, buf, 5);
	EXPECT_EQ(5, n);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

/* The positive control: both directions in the kernel, and a plain socket. */
TEST_F_TIMEOUT(early_fin, check_kernel, 240)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_EQ(0, ktls_offload(self->p.ss));
	EXPECT_EQ(0, ktls_fd_check_kernel(self->p.sfd));
	EXPECT_EQ(-ENOPROTOOPT, ktls_fd_check_kernel(self->p.cfd));
	EXPECT_EQ(-ENOPROTOOPT, ktls_fd_check_kernel(fd));
	close(fd);
}

TEST_HARNESS_MAIN
