// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls key handoff, record-aware receive, alerts and rekey, with
 * libktls on both ends of a TCP loopback connection, for every TLS version
 * x cipher the kernel can carry. Interop with other stacks is in the
 * openssl.sh and gnutls.sh scripts next to this file.
 *
 * ktlskit-timeout: 600
 */
#include <errno.h>
#include <linux/tls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

FIXTURE(handoff) {
	struct pair p;
};

FIXTURE_VARIANT(handoff) {
	unsigned int version;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(handoff, tls13_aes128gcm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(handoff, tls13_aes256gcm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES256-GCM-SHA384",
};

FIXTURE_VARIANT_ADD(handoff, tls13_chacha) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-CHACHA20-POLY1305-SHA256",
};

FIXTURE_VARIANT_ADD(handoff, tls13_aes128ccm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-CCM-SHA256",
};

FIXTURE_VARIANT_ADD(handoff, tls12_aes128gcm) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(handoff, tls12_aes256gcm) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES256-GCM-SHA384",
};

FIXTURE_VARIANT_ADD(handoff, tls12_chacha) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-CHACHA20-POLY1305",
};

FIXTURE_VARIANT_ADD(handoff, tls12_aes128ccm) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES128-CCM",
};

FIXTURE_SETUP(handoff)
{
	struct pair_opts o = {
		.version = variant->version,
		.cipher = variant->cipher,
		.offload = true,
	};
	int ret;

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ret = pair_open(&self->p, &o);
	if (ret && self->p.ss && ktls_reason(self->p.ss) == KTLS_R_KERNEL_CIPHER)
		SKIP(return, "%s", ktls_reason_text(self->p.ss));
	ASSERT_EQ(0, ret) {
		TH_LOG("server: %s / client: %s",
		       self->p.ss ? ktls_reason_text(self->p.ss) : "",
		       self->p.cs ? ktls_reason_text(self->p.cs) : "");
	}
}

FIXTURE_TEARDOWN(handoff)
{
	pair_close(&self->p);
}

struct sender {
	struct ktls_session *s;
	const unsigned char *buf;
	size_t len;
	ssize_t ret;
};

static void *send_main(void *arg)
{
	struct sender *sd = arg;

	sd->ret = ktls_write_all(sd->s, sd->buf, sd->len);
	return NULL;
}

/* Send @len bytes from @from to @to and compare. */
static int transfer(struct ktls_session *from, struct ktls_session *to,
		    size_t len, unsigned int seed)
{
	unsigned char *a = malloc(len + 1), *b = malloc(len + 1);
	struct sender sd = { .s = from, .buf = a, .len = len };
	pthread_t th;
	ssize_t n;
	int ret = 0;

	pair_fill(a, len, seed);
	pthread_create(&th, NULL, send_main, &sd);
	n = pair_recv_all(to, b, len);
	pthread_join(th, NULL);
	if (sd.ret != (ssize_t)len || n != (ssize_t)len || memcmp(a, b, len))
		ret = -1;
	free(a);
	free(b);
	return ret;
}

TEST_F_TIMEOUT(handoff, info, 240)
{
	struct ktls_info ci, si;

	ASSERT_EQ(0, ktls_get_info(self->p.cs, &ci));
	ASSERT_EQ(0, ktls_get_info(self->p.ss, &si));
	EXPECT_EQ(variant->version, ci.version);
	EXPECT_EQ((int)KTLS_CARRIER_KERNEL_SW, (int)ci.tx);
	EXPECT_EQ((int)KTLS_CARRIER_KERNEL_SW, (int)ci.rx);
	EXPECT_EQ((int)KTLS_CARRIER_KERNEL_SW, (int)si.tx);
	EXPECT_EQ((int)KTLS_CARRIER_KERNEL_SW, (int)si.rx);
	EXPECT_STREQ(ci.cipher, si.cipher);
}

TEST_F_TIMEOUT(handoff, sizes_both_ways, 240)
{
	static const size_t sizes[] = { 1, 16383, 16384, 16385, 1 << 20 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(0, transfer(self->p.cs, self->p.ss, sizes[i], i));
		EXPECT_EQ(0, transfer(self->p.ss, self->p.cs, sizes[i], i + 7));
	}
}

/* A TLS 1.3 wolfSSL server sends a ticket the client meets after the switch. */
TEST_F_TIMEOUT(handoff, ticket_consumed, 240)
{
	if (variant->version != KTLS_TLS_1_3)
		SKIP(return, "no post-handshake ticket in TLS 1.2");
	EXPECT_EQ(0, transfer(self->p.ss, self->p.cs, 100, 3));
	EXPECT_EQ(1, ktls_tickets_received(self->p.cs));
	EXPECT_EQ(1, ktls_ctx_has_session(self->p.cctx));
}

TEST_F_TIMEOUT(handoff, close_notify_both_ways, 240)
{
	unsigned char c;

	EXPECT_EQ(-ENOENT, ktls_peer_alert(self->p.ss));
	ASSERT_EQ(0, ktls_close_notify(self->p.cs));
	EXPECT_EQ(0, ktls_recv(self->p.ss, &c, 1));
	EXPECT_EQ(KTLS_ALERT_CLOSE_NOTIFY, ktls_peer_alert(self->p.ss));
	ASSERT_EQ(0, ktls_close_notify(self->p.ss));
	EXPECT_EQ(0, ktls_recv(self->p.cs, &c, 1));
}

TEST_F_TIMEOUT(handoff, fatal_alert_named, 240)
{
	unsigned char c;

	ASSERT_EQ(0, ktls_send_alert(self->p.cs, KTLS_ALERT_LEVEL_FATAL,
				     KTLS_ALERT_HANDSHAKE_FAILURE));
	EXPECT_EQ(-ECONNABORTED, ktls_recv(self->p.ss, &c, 1));
	EXPECT_EQ(KTLS_ALERT_HANDSHAKE_FAILURE, ktls_peer_alert(self->p.ss));
	EXPECT_NE(NULL, strstr(ktls_reason_text(self->p.ss),
			       "handshake_failure"));
}

TEST_F_TIMEOUT(handoff, peer_reset_is_error, 240)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned char c[16];
	ssize_t n;

	setsockopt(self->p.cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(self->p.cfd);
	self->p.cfd = -1;
	n = ktls_recv(self->p.ss, c, sizeof(c));
	EXPECT_GT(0, n);
}

TEST_F_TIMEOUT(handoff, tcp_fin_without_close_notify, 240)
{
	unsigned char c[16];

	shutdown(self->p.cfd, SHUT_WR);
	EXPECT_EQ(-EPIPE, ktls_recv(self->p.ss, c, sizeof(c)));
}

TEST_F_TIMEOUT(handoff, keyupdate, 240)
{
	if (variant->version != KTLS_TLS_1_3) {
		EXPECT_EQ(-EOPNOTSUPP, ktls_rekey(self->p.cs, 1));
		return;
	}
	EXPECT_EQ(0, transfer(self->p.cs, self->p.ss, 5000, 1));
	if (!pair_kernel_at_least(6, 14)) {
		EXPECT_EQ(-EKEYEXPIRED, ktls_rekey(self->p.cs, 0));
		EXPECT_NE(NULL, strstr(ktls_reason_text(self->p.cs), "6.14"));
		return;
	}
	/* ours, asking the peer to follow; data must flow both ways after */
	ASSERT_EQ(0, ktls_rekey(self->p.cs, 1));
	EXPECT_EQ(0, transfer(self->p.cs, self->p.ss, 70000, 2));
	EXPECT_EQ(1, ktls_keyupdates_received(self->p.ss));
	EXPECT_EQ(0, transfer(self->p.ss, self->p.cs, 70000, 3));
	EXPECT_EQ(1, ktls_keyupdates_received(self->p.cs));
	/* the peer's, not requesting ours */
	ASSERT_EQ(0, ktls_rekey(self->p.ss, 0));
	EXPECT_EQ(0, transfer(self->p.ss, self->p.cs, 20000, 4));
	EXPECT_EQ(0, transfer(self->p.cs, self->p.ss, 20000, 5));
}

/* The AEAD usage limit: rekey (TLS 1.3, 6.14+) or close, never exceed. */
static void limit_case(struct __test_metadata *_metadata, unsigned int ver,
		       const char *cipher)
{
	struct pair_opts o = {
		.version = ver, .cipher = cipher, .offload = true,
		.rekey_records = 8,
	};
	unsigned char buf[1000], got[20 * 1000];
	bool rekeys = ver == KTLS_TLS_1_3 && pair_kernel_at_least(6, 14);
	struct pair p;
	int i;

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ASSERT_EQ(0, pair_open(&p, &o));
	pair_fill(buf, sizeof(buf), 9);
	for (i = 0; i < 8; i++)
		ASSERT_EQ((ssize_t)sizeof(buf),
			  ktls_send(p.cs, buf, sizeof(buf)));
	if (!rekeys) {
		EXPECT_EQ(-EKEYEXPIRED, ktls_send(p.cs, buf, sizeof(buf)));
		/* TLS 1.3 tried a KeyUpdate first: that names the kernel */
		EXPECT_NE(NULL, strstr(ktls_reason_text(p.cs),
				       ver == KTLS_TLS_1_2 ? "usage limit" :
							     "6.14"));
		if (ver == KTLS_TLS_1_2) {
			EXPECT_EQ(8000, pair_recv_all(p.ss, got, sizeof(got)));
			EXPECT_EQ(KTLS_ALERT_CLOSE_NOTIFY,
				  ktls_peer_alert(p.ss));
		}
		pair_close(&p);
		return;
	}
	for (; i < 20; i++)
		ASSERT_EQ((ssize_t)sizeof(buf),
			  ktls_send(p.cs, buf, sizeof(buf)));
	EXPECT_EQ(20000, pair_recv_all(p.ss, got, sizeof(got)));
	EXPECT_LE(2, ktls_keyupdates_received(p.ss));
	pair_close(&p);
}

TEST(aead_limit_tls12_closes)
{
	limit_case(_metadata, KTLS_TLS_1_2, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST(aead_limit_tls13)
{
	limit_case(_metadata, KTLS_TLS_1_3, "TLS13-AES256-GCM-SHA384");
}

/*
 * Nothing lost at the switch: each side writes application data with
 * wolfSSL right behind its last handshake flight, before the other side
 * moved to kTLS; the kernel must pick it up at the exact sequence.
 */
static void same_flight(struct __test_metadata *_metadata, unsigned int ver,
			const char *cipher)
{
	struct pair_opts o = { .version = ver, .cipher = cipher };
	unsigned char got[64];
	struct pair p;

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ASSERT_EQ(0, pair_open(&p, &o));
	ASSERT_EQ(6, ktls_send(p.cs, "early!", 6));
	ASSERT_EQ(5, ktls_send(p.ss, "first", 5));
	ASSERT_EQ(0, ktls_offload(p.cs));
	ASSERT_EQ(0, ktls_offload(p.ss));
	EXPECT_EQ(6, pair_recv_all(p.ss, got, 6));
	EXPECT_EQ(0, memcmp(got, "early!", 6));
	EXPECT_EQ(5, pair_recv_all(p.cs, got, 5));
	EXPECT_EQ(0, memcmp(got, "first", 5));
	/* and the kernel carries on from there, both ways */
	EXPECT_EQ(4, ktls_send(p.cs, "more", 4));
	EXPECT_EQ(4, pair_recv_all(p.ss, got, 4));
	EXPECT_EQ(4, ktls_send(p.ss, "back", 4));
	EXPECT_EQ(4, pair_recv_all(p.cs, got, 4));
	EXPECT_EQ(0, memcmp(got, "back", 4));
	pair_close(&p);
}

TEST(same_flight_tls13)
{
	same_flight(_metadata, KTLS_TLS_1_3, "TLS13-CHACHA20-POLY1305-SHA256");
}

TEST(same_flight_tls12)
{
	same_flight(_metadata, KTLS_TLS_1_2, "ECDHE-ECDSA-AES128-CCM");
}

TEST_HARNESS_MAIN
