// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A record the kernel rejects after the handoff is answered with the fatal
 * alert the RFCs require, sent through kernel TLS, and the connection ends
 * (fail.c). Also checks the kernel rules fail.c's comment states, so a
 * kernel that behaves otherwise fails here.
 *
 *   peer (cfd)                               endpoint (sfd)
 *   plain TCP out: records sealed by a       libktls session (ktls_recv)
 *   throwaway kTLS socket, good or with      or a bare kTLS socket
 *   one key byte flipped, or raw headers     (ktls_fd_recv_record +
 *   kTLS RX in: reads our alert    <------   ktls_fd_fail)
 *
 * The endpoint offloads as usual. The peer's keys are the endpoint's own,
 * read back with getsockopt(SOL_TLS): its RX key is the peer's TX key.
 *
 * ktlskit-timeout: 600
 */
#include <errno.h>
#include <liburing.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"
#include "uring_sync.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

union crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

/* The size of @c's struct, its key and its record sequence. */
static socklen_t crypto_parts(union crypto *c, unsigned char **key,
			      unsigned char **seq)
{
	*key = *seq = NULL;
	switch (c->info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		*key = c->gcm128.key;
		*seq = c->gcm128.rec_seq;
		return sizeof(c->gcm128);
	case TLS_CIPHER_AES_GCM_256:
		*key = c->gcm256.key;
		*seq = c->gcm256.rec_seq;
		return sizeof(c->gcm256);
	case TLS_CIPHER_CHACHA20_POLY1305:
		*key = c->chacha.key;
		*seq = c->chacha.rec_seq;
		return sizeof(c->chacha);
	}
	return 0;
}

/* One direction's keys of a kTLS socket, the whole struct. */
static int get_crypto(int fd, int dir, union crypto *c)
{
	unsigned char *key, *seq;
	socklen_t len = sizeof(c->info);

	memset(c, 0, sizeof(*c));
	if (getsockopt(fd, SOL_TLS, dir, c, &len))
		return -errno;
	len = crypto_parts(c, &key, &seq);
	if (!len)
		return -EOPNOTSUPP;
	return getsockopt(fd, SOL_TLS, dir, c, &len) ? -errno : 0;
}

static void set_seq(unsigned char *seq, uint64_t n)
{
	int i;

	for (i = 7; i >= 0; i--, n >>= 8)
		seq[i] = n;
}

static uint64_t get_seq(const unsigned char *seq)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		n = n << 8 | seq[i];
	return n;
}

static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

/*
 * The wire bytes of one record: @c's key (one byte flipped if @flip) and
 * sequence @seq, sealed by the kernel on a throwaway loopback connection.
 *
 * Return: the record's length, or -1.
 */
static ssize_t seal(const union crypto *c, uint64_t seq, bool flip,
		    unsigned char type, const void *data, size_t len,
		    unsigned char *out, size_t outlen)
{
	union crypto k = *c;
	unsigned char *key, *sq;
	socklen_t klen = crypto_parts(&k, &key, &sq);
	ssize_t ret = -1;
	size_t body;
	int x, y;

	if (!klen || pair_tcp(&x, &y))
		return -1;
	set_seq(sq, seq);
	key[0] ^= flip;
	if (setsockopt(x, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(x, SOL_TLS, TLS_TX, &k, klen) ||
	    ktls_fd_send_record(x, type, data, len, 0) != (ssize_t)len ||
	    read_full(y, out, 5))
		goto out;
	body = out[3] << 8 | out[4];
	if (5 + body <= outlen && !read_full(y, out + 5, body))
		ret = 5 + body;
out:
	explicit_bzero(&k, sizeof(k));
	close(x);
	close(y);
	return ret;
}

/* The connection under test, seen from the peer's side. */
struct peer {
	struct pair p;
	union crypto tx;	/* the peer's: the endpoint's RX */
	uint64_t seq;		/* the peer's first TX record */
};

FIXTURE(alerts) {
	struct peer pe;
};

FIXTURE_VARIANT(alerts) {
	unsigned int version;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(alerts, tls13_aes128gcm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(alerts, tls13_chacha) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-CHACHA20-POLY1305-SHA256",
};

FIXTURE_VARIANT_ADD(alerts, tls12_aes256gcm) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-AES256-GCM-SHA384",
};

FIXTURE_SETUP(alerts)
{
	struct pair_opts o = {
		.version = variant->version,
		.cipher = variant->cipher,
	};
	struct timeval tv = { .tv_sec = 60 };
	struct peer *pe = &self->pe;
	unsigned char *key, *seq;
	union crypto rx;
	int ret;

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	/* the endpoint offloads; the peer stays plain TCP */
	ret = pair_open(&pe->p, &o);
	if (!ret)
		ret = ktls_offload(pe->p.ss);
	if (ret && pe->p.ss && ktls_reason(pe->p.ss) == KTLS_R_KERNEL_CIPHER)
		SKIP(return, "%s", ktls_reason_text(pe->p.ss));
	ASSERT_EQ(0, ret) {
		TH_LOG("server: %s", ktls_reason_text(pe->p.ss));
	}
	ASSERT_EQ(0, get_crypto(pe->p.sfd, TLS_RX, &pe->tx));
	crypto_parts(&pe->tx, &key, &seq);
	pe->seq = get_seq(seq);
	/*
	 * The peer reads with the endpoint's TX key. TLS 1.3: from sequence
	 * 0, where the server's NewSessionTicket waits unread; TLS 1.2: the
	 * server's Finished took the sequences before the kernel's.
	 */
	ASSERT_EQ(0, get_crypto(pe->p.sfd, TLS_TX, &rx));
	if (variant->version == KTLS_TLS_1_3) {
		crypto_parts(&rx, &key, &seq);
		set_seq(seq, 0);
	}
	ASSERT_EQ(0, setsockopt(pe->p.cfd, SOL_TCP, TCP_ULP, "tls",
				sizeof("tls")));
	ASSERT_EQ(0, setsockopt(pe->p.cfd, SOL_TLS, TLS_RX, &rx,
				crypto_parts(&rx, &key, &seq)));
	explicit_bzero(&rx, sizeof(rx));
	/* a missing alert fails the test instead of hanging it */
	setsockopt(pe->p.cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(pe->p.sfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

FIXTURE_TEARDOWN(alerts)
{
	explicit_bzero(&self->pe.tx, sizeof(self->pe.tx));
	pair_close(&self->pe.p);
}

#define BEFORE_LEN	3000

/*
 * The peer sends a good record of pattern data (sequence @self->seq), then
 * @bad (raw bytes; a sealed one takes the sequence after).
 */
static int peer_sends(struct __test_metadata *_metadata,
		      struct peer *self, const void *bad,
		      size_t badlen)
{
	unsigned char data[BEFORE_LEN], rec[BEFORE_LEN + 64];
	ssize_t n;

	pair_fill(data, sizeof(data), 7);
	n = seal(&self->tx, self->seq, false, KTLS_CT_APPLICATION_DATA, data,
		 sizeof(data), rec, sizeof(rec));
	ASSERT_LT(0, n)
		return -1;
	ASSERT_EQ(n, write(self->p.cfd, rec, n))
		return -1;
	ASSERT_EQ((ssize_t)badlen, write(self->p.cfd, bad, badlen))
		return -1;
	return 0;
}

/* The bytes the peer sent before the bad record arrive intact. */
static void endpoint_gets_before(struct __test_metadata *_metadata,
				 struct peer *self, bool session)
{
	unsigned char want[BEFORE_LEN], got[BEFORE_LEN];
	unsigned char type;
	ssize_t n;

	pair_fill(want, sizeof(want), 7);
	if (session)
		n = pair_recv_all(self->p.ss, got, sizeof(got));
	else
		n = ktls_fd_recv_record(self->p.sfd, got, sizeof(got), &type,
					MSG_WAITALL);
	ASSERT_EQ(BEFORE_LEN, n);
	EXPECT_EQ(0, memcmp(want, got, sizeof(got)));
}

/* The peer reads, with its own RX key, the fatal @alert, then our FIN. */
static void peer_reads_alert(struct __test_metadata *_metadata,
			     struct peer *self, int alert)
{
	unsigned char buf[512], type;
	ssize_t n;

	do {	/* TLS 1.3: the server's NewSessionTicket first */
		n = ktls_fd_recv_record(self->p.cfd, buf, sizeof(buf), &type,
					0);
	} while (n > 0 && type == KTLS_CT_HANDSHAKE);
	ASSERT_EQ(2, n) {
		TH_LOG("peer read %zd (%s), type %u", n,
		       n < 0 ? strerror(-n) : "", type);
	}
	EXPECT_EQ(KTLS_CT_ALERT, type);
	EXPECT_EQ(KTLS_ALERT_LEVEL_FATAL, buf[0]);
	EXPECT_EQ(alert, buf[1]) {
		TH_LOG("alert %s", ktls_alert_name(buf[1]));
	}
	EXPECT_EQ(0, ktls_fd_recv_record(self->p.cfd, buf, sizeof(buf), &type,
					 0));
}

/* The session refuses with @err and a reason naming @alert. */
static void session_fails(struct __test_metadata *_metadata,
			  struct peer *self, int err, int alert)
{
	unsigned char buf[64];

	endpoint_gets_before(_metadata, self, true);
	EXPECT_EQ(err, ktls_recv(self->p.ss, buf, sizeof(buf)));
	EXPECT_EQ((int)KTLS_R_PROTOCOL, (int)ktls_reason(self->p.ss));
	EXPECT_NE(NULL, strstr(ktls_reason_text(self->p.ss),
			       ktls_alert_name(alert))) {
		TH_LOG("reason: %s", ktls_reason_text(self->p.ss));
	}
	/* nothing after the bad record reaches the application */
	EXPECT_EQ(-ECONNABORTED, ktls_recv(self->p.ss, buf, sizeof(buf)));
	peer_reads_alert(_metadata, self, alert);
}

/* A record sealed under a key with one byte flipped. */
static ssize_t forged(struct peer *self, unsigned char *rec,
		      size_t len)
{
	return seal(&self->tx, self->seq + 1, true, KTLS_CT_APPLICATION_DATA,
		    "forged", 6, rec, len);
}

TEST_F(alerts, bad_mac)
{
	unsigned char rec[128];
	ssize_t n = forged(&self->pe, rec, sizeof(rec));

	ASSERT_LT(0, n);
	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, n));
	session_fails(_metadata, &self->pe, -EBADMSG,
		      KTLS_ALERT_BAD_RECORD_MAC);
}

/* 2^14 + 2048: past every limit (the kernel's is 2^14 + overhead). */
static const unsigned char oversized[13] = {
	KTLS_CT_APPLICATION_DATA, 3, 3, 0x48, 0x00
};

TEST_F(alerts, record_overflow)
{
	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, oversized,
				sizeof(oversized)));
	session_fails(_metadata, &self->pe, -EMSGSIZE,
		      KTLS_ALERT_RECORD_OVERFLOW);
}

TEST_F(alerts, too_short)
{
	/* 4 bytes cannot hold a tag */
	static const unsigned char rec[13] = {
		KTLS_CT_APPLICATION_DATA, 3, 3, 0, 4
	};

	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, sizeof(rec)));
	session_fails(_metadata, &self->pe, -EBADMSG,
		      KTLS_ALERT_BAD_RECORD_MAC);
}

TEST_F(alerts, bad_version)
{
	static const unsigned char rec[13] = {
		KTLS_CT_APPLICATION_DATA, 3, 1, 0, 32
	};

	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, sizeof(rec)));
	session_fails(_metadata, &self->pe, -EINVAL,
		      variant->version == KTLS_TLS_1_3 ?
		      KTLS_ALERT_DECODE_ERROR : KTLS_ALERT_PROTOCOL_VERSION);
}

TEST_F(alerts, padding_only)
{
	static const unsigned char zeros[4];
	unsigned char rec[64];
	ssize_t n;

	if (variant->version != KTLS_TLS_1_3)
		SKIP(return, "TLS 1.2 records have no inner content type");
	/* content type 0 after zeros: no non-zero byte in the plaintext */
	n = seal(&self->pe.tx, self->pe.seq + 1, false, 0, zeros, sizeof(zeros), rec,
		 sizeof(rec));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, n));
	/* RFC 8446 5.4 wants unexpected_message; recvmsg cannot tell */
	session_fails(_metadata, &self->pe, -EBADMSG,
		      KTLS_ALERT_BAD_RECORD_MAC);
}

/* io_uring's receive answers a rejected record the same way. */
TEST_F(alerts, uring_bad_mac)
{
	unsigned char want[BEFORE_LEN], got[BEFORE_LEN], rec[128], type;
	struct ktls_session *ss = self->pe.p.ss;
	struct io_uring ring;
	size_t have = 0;
	ssize_t n = forged(&self->pe, rec, sizeof(rec));

	ASSERT_LT(0, n);
	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, n));
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	pair_fill(want, sizeof(want), 7);
	while (have < sizeof(got)) {
		n = uring_recv_record(&ring, ss, got + have,
				      sizeof(got) - have, &type);
		if (n <= 0)
			break;
		have += n;
	}
	EXPECT_EQ((size_t)BEFORE_LEN, have);
	EXPECT_EQ(0, memcmp(want, got, have));
	EXPECT_EQ(-EBADMSG, uring_recv_record(&ring, ss, got, sizeof(got),
					      &type));
	io_uring_queue_exit(&ring);
	EXPECT_NE(NULL, strstr(ktls_reason_text(ss), "bad_record_mac")) {
		TH_LOG("reason: %s", ktls_reason_text(ss));
	}
	peer_reads_alert(_metadata, &self->pe, KTLS_ALERT_BAD_RECORD_MAC);
}

/* Records that decrypt fine but must not come now (record.c's rules). */
static void sealed_refused(struct __test_metadata *_metadata,
			   struct peer *self, unsigned char type,
			   const void *data, size_t len, int alert)
{
	unsigned char rec[2][64];
	ssize_t n[2];

	n[0] = seal(&self->tx, self->seq + 1, false, type, data, len, rec[0],
		    sizeof(rec[0]));
	n[1] = seal(&self->tx, self->seq + 2, false, KTLS_CT_APPLICATION_DATA,
		    "after", 5, rec[1], sizeof(rec[1]));
	ASSERT_LT(0, n[0]);
	ASSERT_LT(0, n[1]);
	memmove(rec[0] + n[0], rec[1], n[1]);
	ASSERT_EQ(0, peer_sends(_metadata, self, rec[0], n[0] + n[1]));
	session_fails(_metadata, self, -EPROTO, alert);
}

TEST_F(alerts, unknown_type)
{
	sealed_refused(_metadata, &self->pe, 99, "x", 1,
		       KTLS_ALERT_UNEXPECTED_MESSAGE);
}

TEST_F(alerts, long_alert)
{
	sealed_refused(_metadata, &self->pe, KTLS_CT_ALERT, "\x02\x00\x00", 3,
		       KTLS_ALERT_DECODE_ERROR);
}

TEST_F(alerts, data_inside_fragments)
{
	/*
	 * RFC 8446 5.1: the first two bytes of a KeyUpdate, then data. On
	 * 6.14+ the kernel shows no data after the fragment (EKEYEXPIRED):
	 * the same alert, for the split alone.
	 */
	sealed_refused(_metadata, &self->pe, KTLS_CT_HANDSHAKE, "\x18\x00", 2,
		       KTLS_ALERT_UNEXPECTED_MESSAGE);
}

/*
 * A socket ktlsd handed back: the application has no session. Also the
 * kernel's rule: after a bad tag, sk_err stays set and sends fail until
 * SO_ERROR is read (ktls_fd_fail() does that).
 */
TEST_F(alerts, fd_bad_mac)
{
	unsigned char rec[128], type;
	socklen_t len = sizeof(int);
	int soerr = 0;
	ssize_t n = forged(&self->pe, rec, sizeof(rec));

	ASSERT_LT(0, n);
	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, rec, n));
	endpoint_gets_before(_metadata, &self->pe, false);
	n = ktls_fd_recv_record(self->pe.p.sfd, rec, sizeof(rec), &type, 0);
	ASSERT_EQ(-EBADMSG, n);
	/* the record stays: each read fails again */
	EXPECT_EQ(-EBADMSG, ktls_fd_recv_record(self->pe.p.sfd, rec, sizeof(rec),
						&type, MSG_DONTWAIT));
	EXPECT_EQ(-EBADMSG, ktls_fd_send_record(self->pe.p.sfd,
						KTLS_CT_APPLICATION_DATA, "x",
						1, MSG_DONTWAIT));
	EXPECT_EQ(0, getsockopt(self->pe.p.sfd, SOL_SOCKET, SO_ERROR, &soerr,
				&len));
	EXPECT_EQ(EBADMSG, soerr);
	/* sk_err read: the next send would work; the alert goes first */
	EXPECT_EQ(KTLS_ALERT_BAD_RECORD_MAC,
		  ktls_fd_fail(self->pe.p.sfd, -EBADMSG));
	peer_reads_alert(_metadata, &self->pe, KTLS_ALERT_BAD_RECORD_MAC);
}

/*
 * The record parser's errors are taken by the read that reports them:
 * sends work at once, and later reads find nothing (the parser stopped).
 */
TEST_F(alerts, fd_record_overflow)
{
	unsigned char buf[64], type;
	socklen_t len = sizeof(int);
	int soerr = -1;

	ASSERT_EQ(0, peer_sends(_metadata, &self->pe, oversized,
				sizeof(oversized)));
	endpoint_gets_before(_metadata, &self->pe, false);
	ASSERT_EQ(-EMSGSIZE, ktls_fd_recv_record(self->pe.p.sfd, buf, sizeof(buf),
						 &type, 0));
	EXPECT_EQ(0, getsockopt(self->pe.p.sfd, SOL_SOCKET, SO_ERROR, &soerr,
				&len));
	EXPECT_EQ(0, soerr);
	EXPECT_EQ(-EAGAIN, ktls_fd_recv_record(self->pe.p.sfd, buf, sizeof(buf),
					       &type, MSG_DONTWAIT));
	EXPECT_EQ(KTLS_ALERT_RECORD_OVERFLOW,
		  ktls_fd_fail(self->pe.p.sfd, -EMSGSIZE));
	peer_reads_alert(_metadata, &self->pe, KTLS_ALERT_RECORD_OVERFLOW);
}

/* Errors that are not the peer's records get no alert, and no cleartext. */
TEST_F(alerts, fd_no_alert)
{
	unsigned char buf[512], type;
	ssize_t n;
	int x, y;

	EXPECT_EQ(0, ktls_fd_fail(self->pe.p.sfd, -ECONNRESET));
	do {	/* past the TLS 1.3 ticket: our FIN, no alert */
		n = ktls_fd_recv_record(self->pe.p.cfd, buf, sizeof(buf), &type,
					0);
	} while (n > 0 && type == KTLS_CT_HANDSHAKE);
	EXPECT_EQ(0, n);
	/* without kernel TLS on transmit nothing is sent at all */
	ASSERT_EQ(0, pair_tcp(&x, &y));
	EXPECT_EQ(-EBUSY, ktls_fd_fail(x, -EBADMSG));
	EXPECT_EQ(-EBUSY, ktls_fd_refuse(x, KTLS_ALERT_UNEXPECTED_MESSAGE));
	EXPECT_EQ(0, read(y, buf, sizeof(buf)));
	close(x);
	close(y);
}

/* The post-handshake rules as sockets without a session get them. */
TEST(post_handshake_rules)
{
	static const unsigned char ku[] = { 24, 0, 0, 1, 1 };
	static const unsigned char ku_bad[] = { 24, 0, 0, 1, 2 };
	static const unsigned char ticket[] = { 4, 0, 0, 0 };
	static const unsigned char hello_req[] = { 0, 0, 0, 0 };
	char why[160] = "";

	EXPECT_EQ(0, ktls_check_post_handshake(KTLS_TLS_1_3, KTLS_SERVER, ku,
					       sizeof(ku), why, sizeof(why)));
	EXPECT_EQ(KTLS_ALERT_ILLEGAL_PARAMETER,
		  ktls_check_post_handshake(KTLS_TLS_1_3, KTLS_SERVER, ku_bad,
					    sizeof(ku_bad), why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "KeyUpdate"));
	EXPECT_EQ(KTLS_ALERT_UNEXPECTED_MESSAGE,
		  ktls_check_post_handshake(KTLS_TLS_1_2, KTLS_SERVER, ku,
					    sizeof(ku), NULL, 0));
	EXPECT_EQ(KTLS_ALERT_UNEXPECTED_MESSAGE,
		  ktls_check_post_handshake(KTLS_TLS_1_3, KTLS_SERVER, ticket,
					    sizeof(ticket), why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "NewSessionTicket to a server"));
	EXPECT_EQ(0, ktls_check_post_handshake(KTLS_TLS_1_3, KTLS_CLIENT,
					       ticket, sizeof(ticket), NULL,
					       0));
	EXPECT_EQ(KTLS_POST_HS_IGNORE,
		  ktls_check_post_handshake(KTLS_TLS_1_2, KTLS_CLIENT,
					    hello_req, sizeof(hello_req), NULL,
					    0));
	/* one whole message, or nothing to judge */
	EXPECT_EQ(-EINVAL, ktls_check_post_handshake(KTLS_TLS_1_3, KTLS_SERVER,
						     ku, 4, NULL, 0));
}

TEST_HARNESS_MAIN
