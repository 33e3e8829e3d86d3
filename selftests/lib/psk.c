// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 external PSK sessions (as NVMe/TCP uses them) handed to kernel
 * TLS, against OpenSSL, in both roles and with both PSK hashes:
 *
 *   libktls client --(kTLS)--> openssl s_server -psk ... -rev (echo)
 *   libktls server <--(kTLS)-- openssl s_client -psk ...
 *
 * Data goes both ways through the kernel; the server sends no ticket, so
 * the first record the client reads is ours. The failures (unknown
 * identity, other key) are host tests: unit/ktls-consumers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ossl_peer.h"
#include "pair.h"

#define ID	"NVMe0R0%d nqn.2014-08.org.nvmexpress:uuid:host nqn.test:sub"
#define KEY	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f" \
		"202122232425262728292a2b2c2d2e2f"

FIXTURE(psk) {
	char dir[64];
	char id[128];
	char session[128];
	char hex[65];
	unsigned char key[48];
	const char *peer_args[8];
	struct ktls_config cfg;
	struct ktls_ctx *ctx;
	struct ktls_session *s;
	struct peer peer;
	int fd;
};

FIXTURE_VARIANT(psk) {
	size_t key_len;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(psk, sha256) {
	.key_len = 32,
	.cipher = "TLS_AES_128_GCM_SHA256",
};

FIXTURE_VARIANT_ADD(psk, sha384) {
	.key_len = 48,
	.cipher = "TLS_AES_256_GCM_SHA384",
};

FIXTURE_SETUP(psk)
{
	int n = 0;

	memset(self, 0, sizeof(*self));
	self->fd = -1;
	if (!pair_kernel_has_tls())
		SKIP(return, "no kernel TLS");
	snprintf(self->dir, sizeof(self->dir), "/tmp/ktls-psk.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	peer_dir = self->dir;
	snprintf(self->id, sizeof(self->id), ID,
		 variant->key_len == 32 ? 1 : 2);
	peer_hex(KEY, self->key, variant->key_len);
	self->peer_args[n++] = "-psk_identity";
	self->peer_args[n++] = self->id;
	if (variant->key_len == 32) {
		snprintf(self->hex, sizeof(self->hex), "%.64s", KEY);
		self->peer_args[n++] = "-psk";
		self->peer_args[n++] = self->hex;
	} else {
		/* s_client/s_server -psk is for SHA-256 suites only */
		snprintf(self->session, sizeof(self->session), "%s/psk.pem",
			 self->dir);
		ASSERT_EQ(0, peer_psk_session(self->session, self->key));
		self->peer_args[n++] = "-psk_session";
		self->peer_args[n++] = self->session;
	}
}

FIXTURE_TEARDOWN(psk)
{
	char cmd[128];

	ktls_session_free(self->s);
	ktls_ctx_free(self->ctx);
	if (self->fd >= 0)
		close(self->fd);
	peer_stop(&self->peer);
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			TH_LOG("cannot remove %s", self->dir);
	}
}

/* the negotiated suite, and both directions in the kernel */
static void check_info(struct __test_metadata *_metadata,
		       struct ktls_session *s, const char *cipher)
{
	struct ktls_info info;

	ASSERT_EQ(0, ktls_get_info(s, &info));
	EXPECT_EQ(KTLS_TLS_1_3, (int)info.version);
	EXPECT_STREQ(cipher, info.cipher);
	EXPECT_EQ(KTLS_CARRIER_KERNEL_SW, (int)info.tx);
	EXPECT_EQ(KTLS_CARRIER_KERNEL_SW, (int)info.rx);
}

static int lookup(void *arg, const char *identity, unsigned char *key,
		  size_t cap)
{
	struct _test_data_psk *self = arg;
	size_t n = strlen(identity) > 8 && identity[7] == '2' ? 48 : 32;

	if (strcmp(identity, self->id) || cap < n)
		return -ENOKEY;
	memcpy(key, self->key, n);
	return n;
}

TEST_F(psk, client)
{
	const char *args[12] = { "-nocert", "-rev" };
	char buf[64], id[160];
	ssize_t n;
	int i, port;

	if (!self->id[0])
		return;		/* skipped in the setup (this harness goes on) */
	for (i = 0; self->peer_args[i]; i++)
		args[2 + i] = self->peer_args[i];
	port = peer_server(&self->peer, args);
	ASSERT_LT(0, port);
	self->fd = peer_tcp_connect(port);
	ASSERT_LE(0, self->fd);
	self->cfg.role = KTLS_CLIENT;
	self->cfg.flags = KTLS_F_PSK;
	ASSERT_EQ(0, ktls_ctx_new(&self->cfg, &self->ctx));
	ASSERT_EQ(0, ktls_session_new(self->ctx, self->fd, &self->s));
	ASSERT_EQ(0, ktls_session_set_psk(self->s, self->id, self->key,
					  variant->key_len));
	ASSERT_EQ(0, peer_handshake(self->s));
	ASSERT_EQ(0, ktls_offload(self->s));
	check_info(_metadata, self->s, variant->cipher);
	ASSERT_EQ(0, ktls_peer_identity(self->s, id, sizeof(id)));
	EXPECT_EQ(0, strncmp(id, "psk:", 4));
	EXPECT_STREQ(self->id, id + 4);
	/* s_server -rev answers each line reversed */
	ASSERT_EQ(16, ktls_write_all(self->s, "kernel-tls-psk!\n", 16));
	n = pair_recv_all(self->s, (unsigned char *)buf, 16);
	ASSERT_EQ(16, n);
	buf[n] = '\0';
	EXPECT_STREQ("!ksp-slt-lenrek\n", buf);
}

TEST_F(psk, server)
{
	const char *args[12] = { "-quiet" };
	char buf[64], id[160];
	ssize_t n;
	int i;

	if (!self->id[0])
		return;
	for (i = 0; self->peer_args[i]; i++)
		args[1 + i] = self->peer_args[i];
	self->fd = peer_client(&self->peer, args);
	ASSERT_LE(0, self->fd);
	self->cfg.role = KTLS_SERVER;
	self->cfg.flags = KTLS_F_PSK | KTLS_F_NO_TICKETS;
	ASSERT_EQ(0, ktls_ctx_new(&self->cfg, &self->ctx));
	ASSERT_EQ(0, ktls_session_new(self->ctx, self->fd, &self->s));
	ASSERT_EQ(0, ktls_session_set_psk_lookup(self->s, lookup, self));
	ASSERT_EQ(0, peer_handshake(self->s));
	ASSERT_EQ(0, ktls_offload(self->s));
	check_info(_metadata, self->s, variant->cipher);
	ASSERT_EQ(0, ktls_peer_identity(self->s, id, sizeof(id)));
	EXPECT_STREQ(self->id, id + 4);
	/* s_client sends its stdin, prints what it gets */
	ASSERT_EQ(14, write(self->peer.in, "from-s_client\n", 14));
	n = pair_recv_all(self->s, (unsigned char *)buf, 14);
	ASSERT_EQ(14, n);
	EXPECT_EQ(0, memcmp(buf, "from-s_client", 13));
	ASSERT_EQ(11, ktls_write_all(self->s, "to-s_client", 11));
	EXPECT_NE(NULL, peer_wait(&self->peer, "to-s_client"));
}

TEST_HARNESS_MAIN
