// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Handshake messages that must not arrive after the handshake are refused
 * with the alert the RFCs name (RFC 8446 4.6 and 4.6.3, RFC 5246 7.4.1.1),
 * not ignored: a HelloRequest to a server (or to any TLS 1.3 endpoint), a
 * NewSessionTicket to a server, a KeyUpdate in TLS 1.2, a second Finished,
 * a malformed KeyUpdate. The peer is libktls's other end, sending crafted
 * handshake records through kernel TLS (no real stack sends these); the
 * endpoint under test must deliver the data sent before, return -EPROTO
 * with a sentence naming the message, and send the fatal alert, which the
 * peer reads. A TLS 1.2 client may ignore a HelloRequest, and does.
 *
 * ktlskit-timeout: 600
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pair.h"

FIXTURE(posths) {
	struct pair p;
};

FIXTURE_VARIANT(posths) {
	unsigned int version;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(posths, tls13_aes128gcm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(posths, tls13_chacha) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-CHACHA20-POLY1305-SHA256",
};

FIXTURE_VARIANT_ADD(posths, tls12_aes256gcm) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES256-GCM-SHA384",
};

FIXTURE_SETUP(posths)
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

FIXTURE_TEARDOWN(posths)
{
	pair_close(&self->p);
}

#define BEFORE "sent before the bad message"

/*
 * @from sends data, then the handshake message @msg; @to must deliver the
 * data, then refuse: -EPROTO, a reason naming @words, and @alert on the
 * wire (0: the message is ignored, and data sent after it arrives).
 */
static int refused(struct __test_metadata *_metadata,
		   struct ktls_session *from, struct ktls_session *to,
		   const unsigned char *msg, size_t len, int alert,
		   const char *words)
{
	unsigned char buf[256];
	ssize_t n;

	ASSERT_EQ((ssize_t)strlen(BEFORE),
		  ktls_send_record(from, KTLS_CT_APPLICATION_DATA, BEFORE,
				   strlen(BEFORE)))
		return -1;
	ASSERT_EQ((ssize_t)len, ktls_send_record(from, KTLS_CT_HANDSHAKE, msg,
						  len))
		return -1;
	ASSERT_EQ(5, ktls_send_record(from, KTLS_CT_APPLICATION_DATA, "after",
				      5))
		return -1;
	n = pair_recv_all(to, buf, strlen(BEFORE));
	ASSERT_EQ((ssize_t)strlen(BEFORE), n)
		return -1;
	EXPECT_EQ(0, memcmp(buf, BEFORE, n));
	n = ktls_recv(to, buf, sizeof(buf));
	if (!alert) {
		EXPECT_EQ(5, n);
		EXPECT_EQ(0, memcmp(buf, "after", 5));
		return 0;
	}
	/* nothing after the bad message reaches the application */
	EXPECT_EQ(-EPROTO, n);
	EXPECT_EQ((int)KTLS_R_PROTOCOL, (int)ktls_reason(to));
	EXPECT_NE(NULL, strstr(ktls_reason_text(to), words)) {
		TH_LOG("reason: %s", ktls_reason_text(to));
	}
	EXPECT_NE(NULL, strstr(ktls_reason_text(to), ktls_alert_name(alert)));
	EXPECT_EQ(-ECONNABORTED, ktls_recv(to, buf, sizeof(buf)));
	/* the peer reads our fatal alert, the data it sent after is moot */
	n = ktls_recv(from, buf, sizeof(buf));
	EXPECT_EQ(-ECONNABORTED, n);
	EXPECT_EQ(alert, ktls_peer_alert(from));
	return 0;
}

static const unsigned char hello_request[] = { 0, 0, 0, 0 };
static const unsigned char ticket[] = {
	4, 0, 0, 13,
	0, 0, 0x0e, 0x10,	/* lifetime */
	0, 0, 0, 1,		/* age add */
	0,			/* nonce */
	0, 1, 0xaa,		/* ticket */
	0, 0,			/* extensions */
};
static const unsigned char finished[] = { 20, 0, 0, 4, 1, 2, 3, 4 };
static const unsigned char key_update_2[] = { 24, 0, 0, 1, 2 };
static const unsigned char key_update_long[] = { 24, 0, 0, 2, 0, 0 };

TEST_F_TIMEOUT(posths, hello_request_to_server, 240)
{
	refused(_metadata, self->p.cs, self->p.ss, hello_request,
		sizeof(hello_request), 10, "HelloRequest to a server");
}

TEST_F_TIMEOUT(posths, hello_request_to_client, 240)
{
	/* TLS 1.2: the client may ignore it (no renegotiation) */
	refused(_metadata, self->p.ss, self->p.cs, hello_request,
		sizeof(hello_request),
		variant->version == KTLS_TLS_1_3 ? 10 : 0,
		"HelloRequest to a client");
}

TEST_F_TIMEOUT(posths, ticket_to_server, 240)
{
	refused(_metadata, self->p.cs, self->p.ss, ticket, sizeof(ticket), 10,
		"NewSessionTicket to a server");
}

TEST_F_TIMEOUT(posths, second_finished, 240)
{
	refused(_metadata, self->p.ss, self->p.cs, finished, sizeof(finished),
		10, "Finished to a client");
}

TEST_F_TIMEOUT(posths, key_update_bad_request, 240)
{
	/* TLS 1.2 has no KeyUpdate at all */
	refused(_metadata, self->p.cs, self->p.ss, key_update_2,
		sizeof(key_update_2),
		variant->version == KTLS_TLS_1_3 ? 47 : 10, "KeyUpdate");
}

TEST_F_TIMEOUT(posths, key_update_bad_length, 240)
{
	refused(_metadata, self->p.ss, self->p.cs, key_update_long,
		sizeof(key_update_long),
		variant->version == KTLS_TLS_1_3 ? 50 : 10, "KeyUpdate");
}

TEST_HARNESS_MAIN
