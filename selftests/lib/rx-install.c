// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls_offload() when the kernel takes the TX key and then refuses the RX
 * key: wolfSSL cannot take TX back and nobody could read RX, so the
 * socket must not stay half carried. ktls_offload() fails, names the
 * reason, and shuts the socket down: the peer sees the end of the stream
 * at once.
 *
 * The kernel has no way to refuse only RX on demand, so this program puts
 * its own setsockopt() in front of libc's (the static libktls calls it),
 * failing SOL_TLS/TLS_RX with ENOMEM on one chosen socket.
 *
 *   client (libktls, kTLS) <--TCP--> server: TLS_TX ok, TLS_RX ENOMEM
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static int refuse_rx_fd = -1;

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);

	if (fd == refuse_rx_fd && level == SOL_TLS && name == TLS_RX) {
		errno = ENOMEM;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))
		       dlsym(RTLD_NEXT, "setsockopt");
	return real(fd, level, name, val, len);
}

FIXTURE(rx_install) {
	struct pair p;
};

FIXTURE_VARIANT(rx_install) {
	unsigned int version;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(rx_install, tls13) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(rx_install, tls12) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES128-GCM-SHA256",
};

FIXTURE_SETUP(rx_install)
{
	struct pair_opts o = {
		.version = variant->version,
		.cipher = variant->cipher,
	};

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	/* handshake only; each side offloads below */
	ASSERT_EQ(0, pair_open(&self->p, &o));
}

FIXTURE_TEARDOWN(rx_install)
{
	refuse_rx_fd = -1;
	pair_close(&self->p);
}

TEST_F(rx_install, half_offload_is_shut_down)
{
	struct timeval tv = { .tv_sec = 10 };
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	unsigned char buf[256];
	ssize_t n;
	int ret;

	ASSERT_EQ(0, ktls_offload(self->p.cs));
	refuse_rx_fd = self->p.sfd;
	ret = ktls_offload(self->p.ss);
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_EQ((int)KTLS_R_KERNEL_CIPHER, (int)ktls_reason(self->p.ss));
	TH_LOG("ktls_offload: %s (%s)", ktls_reason_text(self->p.ss),
	       ktls_reason_name(ktls_reason(self->p.ss)));
	/* our side is closing (a send would not fail: kernel TLS takes it) */
	ASSERT_EQ(0, getsockopt(self->p.sfd, SOL_TCP, TCP_INFO, &ti, &tl));
	EXPECT_NE(TCP_ESTABLISHED, ti.tcpi_state);
	/*
	 * The peer: the end of the stream (after any TLS 1.3 tickets), not
	 * a connection that stays open: a read waits 10 s at most.
	 */
	ASSERT_EQ(0, setsockopt(self->p.cfd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	n = ktls_recv(self->p.cs, buf, sizeof(buf));
	EXPECT_EQ(-EPIPE, n) {
		TH_LOG("the peer's read: %zd (%s)", n, strerror(-n));
	}
}

TEST_HARNESS_MAIN
