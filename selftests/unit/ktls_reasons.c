// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls on the host (no kTLS needed): handshakes over TCP loopback and a
 * socketpair up to the point of setsockopt, each failure reason with its
 * sentence, the cipher mapping and the key handoff's refusals. Built with
 * AddressSanitizer and UBSan; also feeds garbage, silence and truncation.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include <ktls/ktls.h>

/* in this checkout's build folder: parallel runs of other trees differ */
#define PKI UNIT_PKI

struct side {
	struct ktls_config cfg;
	struct ktls_ctx *ctx;
	struct ktls_session *s;
	int fd;
	bool offload;
	int ret;
};

static int pki(void)
{
	static int made;
	const char *repo = getenv("KTLSKIT_REPO");
	char cmd[512];

	if (made)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s/selftests/lib/mkpki %s >/dev/null",
		 repo ? repo : ".", PKI);
	if (system(cmd))
		return -1;
	made = 1;
	return 0;
}

static int tcp_pair(int fd[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &alen))
		return -1;
	fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd[0], (void *)&a, sizeof(a)))
		return -1;
	fd[1] = accept(l, NULL, NULL);
	close(l);
	return fd[1] < 0 ? -1 : 0;
}

static void *run_side(void *arg)
{
	struct side *sd = arg;
	struct pollfd pfd = { .fd = sd->fd };
	int want;

	if (sd->offload) {
		sd->ret = sd->cfg.role == KTLS_CLIENT ? ktls_connect(sd->s) :
							ktls_accept(sd->s);
		goto out;
	}
	for (;;) {
		sd->ret = ktls_handshake_step(sd->s, &want);
		if (sd->ret != -EAGAIN)
			break;
		pfd.events = want == KTLS_WANT_WRITE ? POLLOUT : POLLIN;
		if (poll(&pfd, 1, 10000) <= 0) {
			sd->ret = -ETIMEDOUT;
			break;
		}
	}
out:
	/* a failed side goes away, so the other one is not left waiting */
	if (sd->ret)
		shutdown(sd->fd, SHUT_RDWR);
	return NULL;
}

static void defaults(struct side *c, struct side *s)
{
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->cfg.role = KTLS_CLIENT;
	c->cfg.ca_file = PKI "/ca.pem";
	c->cfg.server_name = "localhost";
	s->cfg.role = KTLS_SERVER;
	s->cfg.cert_file = PKI "/server.pem";
	s->cfg.key_file = PKI "/server.key";
}

/* Run both ends over TCP (or a socketpair); 0 when both set up. */
static int duel(struct side *c, struct side *s, bool unix_pair)
{
	pthread_t th;
	int fd[2];

	if (pki())
		return -1;
	if (unix_pair ? socketpair(AF_UNIX, SOCK_STREAM, 0, fd) :
			tcp_pair(fd))
		return -1;
	c->fd = fd[0];
	s->fd = fd[1];
	if (ktls_ctx_new(&c->cfg, &c->ctx) || ktls_ctx_new(&s->cfg, &s->ctx))
		return -1;
	if (ktls_session_new(c->ctx, c->fd, &c->s) ||
	    ktls_session_new(s->ctx, s->fd, &s->s))
		return -1;
	pthread_create(&th, NULL, run_side, c);
	run_side(s);
	pthread_join(th, NULL);
	return 0;
}

static void done(struct side *c, struct side *s)
{
	ktls_session_free(c->s);
	ktls_session_free(s->s);
	ktls_ctx_free(c->ctx);
	ktls_ctx_free(s->ctx);
	close(c->fd);
	close(s->fd);
}

#define HAS(side, str) (strstr(ktls_reason_text((side)->s), (str)) != NULL)
#define EXPECT_REASON(r, sess) EXPECT_EQ((int)(r), (int)ktls_reason(sess))

TEST(handshake_ok_without_offload)
{
	struct side c, s;
	struct ktls_info in;

	defaults(&c, &s);
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(0, s.ret);
	ASSERT_EQ(0, ktls_get_info(c.s, &in));
	EXPECT_EQ(KTLS_TLS_1_3, (int)in.version);
	EXPECT_EQ((int)KTLS_CARRIER_USER, (int)in.tx);
	EXPECT_STREQ("TLS_AES_128_GCM_SHA256", in.cipher);
	done(&c, &s);
}

TEST(no_shared_cipher)
{
	struct side c, s;

	defaults(&c, &s);
	c.cfg.ciphers = "TLS13-AES256-GCM-SHA384";
	s.cfg.ciphers = "TLS13-AES128-GCM-SHA256";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_NO_SHARED_CIPHER, s.s);
	EXPECT_TRUE(HAS(&s, "no cipher in common: we offer [TLS13-AES128-GCM-SHA256]"));
	EXPECT_REASON(KTLS_R_PEER_ALERT, c.s);
	EXPECT_TRUE(HAS(&c, "handshake_failure"));
	done(&c, &s);
}

TEST(version_too_old)
{
	struct side c, s;

	defaults(&c, &s);
	c.cfg.max_version = KTLS_TLS_1_2;
	s.cfg.min_version = KTLS_TLS_1_3;
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_VERSION_TOO_OLD, s.s);
	EXPECT_TRUE(HAS(&s, "peer speaks TLS 1.2, minimum is TLS 1.3"));
	EXPECT_REASON(KTLS_R_VERSION_MISMATCH, c.s);
	EXPECT_TRUE(HAS(&c, "protocol_version"));
	done(&c, &s);
}

TEST(cert_expired)
{
	struct side c, s;

	defaults(&c, &s);
	s.cfg.cert_file = PKI "/expired.pem";
	s.cfg.key_file = PKI "/expired.key";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_EQ(-EKEYEXPIRED, c.ret);
	EXPECT_REASON(KTLS_R_CERT_EXPIRED, c.s);
	EXPECT_TRUE(HAS(&c, "peer certificate expired on 2025-03-01 (subject CN=localhost)"));
	EXPECT_REASON(KTLS_R_PEER_ALERT, s.s);
	EXPECT_TRUE(HAS(&s, "certificate_expired"));
	done(&c, &s);
}

TEST(cert_not_yet_valid)
{
	struct side c, s;

	defaults(&c, &s);
	s.cfg.cert_file = PKI "/future.pem";
	s.cfg.key_file = PKI "/future.key";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_CERT_NOT_YET_VALID, c.s);
	EXPECT_TRUE(HAS(&c, "not valid before 2099-01-01"));
	done(&c, &s);
}

TEST(cert_untrusted)
{
	struct side c, s;

	defaults(&c, &s);
	c.cfg.ca_file = PKI "/other-ca.pem";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_CERT_UNTRUSTED, c.s);
	EXPECT_TRUE(HAS(&c, "not signed by a trusted CA"));
	EXPECT_TRUE(HAS(&s, "unknown_ca"));
	done(&c, &s);
}

TEST(hostname_mismatch)
{
	struct side c, s;

	defaults(&c, &s);
	s.cfg.cert_file = PKI "/wrongname.pem";
	s.cfg.key_file = PKI "/wrongname.key";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_HOSTNAME_MISMATCH, c.s);
	EXPECT_TRUE(HAS(&c, "does not match host localhost"));
	done(&c, &s);
}

TEST(no_peer_cert)
{
	struct side c, s;

	defaults(&c, &s);
	s.cfg.flags = KTLS_F_VERIFY_CLIENT;
	s.cfg.ca_file = PKI "/ca.pem";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_NO_PEER_CERT, s.s);
	done(&c, &s);
}

TEST(client_cert_accepted)
{
	struct side c, s;

	defaults(&c, &s);
	s.cfg.flags = KTLS_F_VERIFY_CLIENT;
	s.cfg.ca_file = PKI "/ca.pem";
	c.cfg.cert_file = PKI "/client.pem";
	c.cfg.key_file = PKI "/client.key";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_EQ(0, s.ret);
	EXPECT_EQ(0, c.ret);
	done(&c, &s);
}

TEST(alpn)
{
	struct side c, s;
	struct ktls_info in;

	defaults(&c, &s);
	c.cfg.alpn = "h2,http/1.1";
	s.cfg.alpn = "http/1.1";
	ASSERT_EQ(0, duel(&c, &s, false));
	ASSERT_EQ(0, c.ret);
	ASSERT_EQ(0, ktls_get_info(c.s, &in));
	EXPECT_STREQ("http/1.1", in.alpn);
	done(&c, &s);

	defaults(&c, &s);
	c.cfg.alpn = "h2";
	s.cfg.alpn = "http/1.1";
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_REASON(KTLS_R_ALPN, s.s);
	EXPECT_TRUE(HAS(&c, "no_application_protocol"));
	done(&c, &s);
}

TEST(cipher_not_offloadable)
{
	struct side c, s;

	defaults(&c, &s);
	c.cfg.ciphers = s.cfg.ciphers = "TLS13-AES128-CCM-8-SHA256";
	c.offload = true;
	s.offload = true;
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_EQ(-EOPNOTSUPP, c.ret);
	EXPECT_REASON(KTLS_R_CIPHER_NOT_OFFLOADABLE, c.s);
	EXPECT_TRUE(HAS(&c, "kernel TLS cannot carry"));
	done(&c, &s);
}

/* The switch on a socketpair stops at setsockopt: not a TCP socket. */
TEST(not_tcp)
{
	struct side c, s;

	defaults(&c, &s);
	c.offload = s.offload = true;
	ASSERT_EQ(0, duel(&c, &s, true));
	EXPECT_REASON(KTLS_R_NOT_TCP, c.s);
	EXPECT_TRUE(HAS(&c, "is not a TCP socket"));
	done(&c, &s);
}

/* On a kernel without the tls ULP (like the build machine's). */
TEST(no_kernel_tls)
{
	struct side c, s;
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "r");
	char ulp[128] = "";

	if (f) {
		if (!fgets(ulp, sizeof(ulp), f))
			ulp[0] = '\0';
		fclose(f);
	}
	if (strstr(ulp, "tls"))
		SKIP(return, "this kernel has kTLS; the VM tests cover it");
	defaults(&c, &s);
	c.offload = s.offload = true;
	ASSERT_EQ(0, duel(&c, &s, false));
	EXPECT_EQ(-ENOENT, c.ret);
	EXPECT_REASON(KTLS_R_NO_KERNEL_TLS, c.s);
	EXPECT_TRUE(HAS(&c, "the kernel has no TLS support: load the tls module"));
	done(&c, &s);
}

/* A raw peer: what it sends, then whether it closes. */
static int raw_server(const void *bytes, size_t len, bool close_after,
		      unsigned int timeout_ms, struct side *s)
{
	int fd[2];
	struct side c;

	if (pki())
		return -1;
	defaults(&c, s);
	s->cfg.handshake_timeout_ms = timeout_ms;
	s->offload = true;
	if (tcp_pair(fd) || ktls_ctx_new(&s->cfg, &s->ctx))
		return -1;
	s->fd = fd[1];
	if (ktls_session_new(s->ctx, s->fd, &s->s))
		return -1;
	if (len && write(fd[0], bytes, len) != (ssize_t)len)
		return -1;
	if (close_after)
		shutdown(fd[0], SHUT_WR);
	run_side(s);
	close(fd[0]);
	return 0;
}

TEST(garbage_instead_of_client_hello)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct side s;

	ASSERT_EQ(0, raw_server(http, sizeof(http) - 1, true, 2000, &s));
	EXPECT_REASON(KTLS_R_NOT_TLS, s.s);
	EXPECT_TRUE(HAS(&s, "peer does not speak TLS"));
	ktls_session_free(s.s);
	ktls_ctx_free(s.ctx);
	close(s.fd);
}

TEST(stalled_peer_times_out)
{
	struct side s;

	ASSERT_EQ(0, raw_server(NULL, 0, false, 300, &s));
	EXPECT_EQ(-ETIMEDOUT, s.ret);
	EXPECT_REASON(KTLS_R_TIMEOUT, s.s);
	EXPECT_TRUE(HAS(&s, "peer stalled"));
	ktls_session_free(s.s);
	ktls_ctx_free(s.ctx);
	close(s.fd);
}

TEST(peer_closes_at_once)
{
	struct side s;

	ASSERT_EQ(0, raw_server(NULL, 0, true, 2000, &s));
	EXPECT_REASON(KTLS_R_PEER_CLOSED, s.s);
	EXPECT_TRUE(HAS(&s, "before sending anything"));
	ktls_session_free(s.s);
	ktls_ctx_free(s.ctx);
	close(s.fd);
}

/* A ClientHello record header announcing more than is ever sent. */
TEST(truncated_client_hello)
{
	static const unsigned char rec[] = {
		KTLS_CT_HANDSHAKE, 3, 1, 0x02, 0x00, 1, 0, 1
	};
	struct side s;

	ASSERT_EQ(0, raw_server(rec, sizeof(rec), true, 2000, &s));
	EXPECT_NE(0, s.ret);
	EXPECT_REASON(KTLS_R_PEER_CLOSED, s.s);
	ktls_session_free(s.s);
	ktls_ctx_free(s.ctx);
	close(s.fd);
}

TEST(config_errors)
{
	struct ktls_config cfg = { .role = KTLS_SERVER };
	struct ktls_ctx *ctx;

	ASSERT_EQ(0, pki());
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(ctx), "needs a certificate"));
	ktls_ctx_free(ctx);

	cfg.cert_file = PKI "/missing.pem";
	cfg.key_file = PKI "/server.key";
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(ctx), "cannot load certificate"));
	ktls_ctx_free(ctx);

	cfg.cert_file = PKI "/server.pem";
	cfg.key_file = PKI "/rsa.key";
	EXPECT_EQ(-EKEYREJECTED, ktls_ctx_new(&cfg, &ctx));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(ctx), "does not belong"));
	ktls_ctx_free(ctx);

	cfg.key_file = PKI "/server.key";
	cfg.min_version = 0x0301;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	ktls_ctx_free(ctx);
}

/*
 * struct ktls_config by size, as openat2() takes struct open_how: exactly
 * the 1.0 bytes (in a heap block of that size, so AddressSanitizer sees a
 * read past it), a newer caller's longer structure with a zero or a set
 * tail, and one too short for any version.
 */
TEST(config_sizes)
{
	struct {
		struct ktls_config cfg;
		uint64_t newer[2];
	} big;
	struct ktls_config *old;
	struct ktls_ctx *c;

	memset(&big, 0, sizeof(big));
	big.cfg.role = KTLS_CLIENT;
	big.cfg.flags = KTLS_F_NO_VERIFY;

	old = malloc(KTLS_CONFIG_SIZE_VER0);
	ASSERT_NE(NULL, old);
	memcpy(old, &big.cfg, KTLS_CONFIG_SIZE_VER0);
	EXPECT_EQ(0, ktls_ctx_new_sized(old, KTLS_CONFIG_SIZE_VER0, &c));
	ktls_ctx_free(c);
	free(old);

	EXPECT_EQ(0, ktls_ctx_new(&big.cfg, &c));
	ktls_ctx_free(c);

	EXPECT_EQ(0, ktls_ctx_new_sized(&big.cfg, sizeof(big), &c));
	ktls_ctx_free(c);

	big.newer[1] = 1;
	EXPECT_EQ(-E2BIG, ktls_ctx_new_sized(&big.cfg, sizeof(big), &c));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(c), "newer library"));
	ktls_ctx_free(c);

	EXPECT_EQ(-EINVAL, ktls_ctx_new_sized(&big.cfg,
					      KTLS_CONFIG_SIZE_VER0 - 1, &c));
	EXPECT_NE(NULL, strstr(ktls_ctx_error(c), "smaller than any version"));
	ktls_ctx_free(c);
	EXPECT_EQ(-EINVAL, ktls_ctx_new_sized(NULL, sizeof(big.cfg), &c));
	ktls_ctx_free(c);
}

/* Every KTLS_ALERT_* has its RFC 8446 name, e.g. KTLS_ALERT_UNKNOWN_CA. */
static void alert_names(struct __test_metadata *_metadata)
{
#define NAME(m)	{ m, #m + sizeof("KTLS_ALERT_") - 1 }
	static const struct {
		int desc;
		const char *macro;
	} alerts[] = {
		NAME(KTLS_ALERT_CLOSE_NOTIFY),
		NAME(KTLS_ALERT_UNEXPECTED_MESSAGE),
		NAME(KTLS_ALERT_BAD_RECORD_MAC),
		NAME(KTLS_ALERT_RECORD_OVERFLOW),
		NAME(KTLS_ALERT_HANDSHAKE_FAILURE),
		NAME(KTLS_ALERT_BAD_CERTIFICATE),
		NAME(KTLS_ALERT_UNSUPPORTED_CERTIFICATE),
		NAME(KTLS_ALERT_CERTIFICATE_REVOKED),
		NAME(KTLS_ALERT_CERTIFICATE_EXPIRED),
		NAME(KTLS_ALERT_CERTIFICATE_UNKNOWN),
		NAME(KTLS_ALERT_ILLEGAL_PARAMETER),
		NAME(KTLS_ALERT_UNKNOWN_CA),
		NAME(KTLS_ALERT_ACCESS_DENIED),
		NAME(KTLS_ALERT_DECODE_ERROR),
		NAME(KTLS_ALERT_DECRYPT_ERROR),
		NAME(KTLS_ALERT_PROTOCOL_VERSION),
		NAME(KTLS_ALERT_INSUFFICIENT_SECURITY),
		NAME(KTLS_ALERT_INTERNAL_ERROR),
		NAME(KTLS_ALERT_INAPPROPRIATE_FALLBACK),
		NAME(KTLS_ALERT_USER_CANCELED),
		NAME(KTLS_ALERT_NO_RENEGOTIATION),
		NAME(KTLS_ALERT_MISSING_EXTENSION),
		NAME(KTLS_ALERT_UNSUPPORTED_EXTENSION),
		NAME(KTLS_ALERT_UNRECOGNIZED_NAME),
		NAME(KTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE),
		NAME(KTLS_ALERT_UNKNOWN_PSK_IDENTITY),
		NAME(KTLS_ALERT_CERTIFICATE_REQUIRED),
		NAME(KTLS_ALERT_NO_APPLICATION_PROTOCOL),
	};
#undef NAME
	char want[64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(alerts); i++) {
		for (j = 0; alerts[i].macro[j] && j < sizeof(want) - 1; j++)
			want[j] = tolower((unsigned char)alerts[i].macro[j]);
		want[j] = '\0';
		EXPECT_STREQ(want, ktls_alert_name(alerts[i].desc));
	}
	EXPECT_STREQ("unknown", ktls_alert_name(255));
	EXPECT_STREQ("alert", ktls_content_type_name(KTLS_CT_ALERT));
	EXPECT_STREQ("change_cipher_spec",
		     ktls_content_type_name(KTLS_CT_CHANGE_CIPHER_SPEC));
	EXPECT_STREQ("handshake", ktls_content_type_name(KTLS_CT_HANDSHAKE));
	EXPECT_STREQ("application_data",
		     ktls_content_type_name(KTLS_CT_APPLICATION_DATA));
	EXPECT_STREQ("unknown", ktls_content_type_name(KTLS_CT_APPLICATION_DATA + 1));
}

TEST(names)
{
	int r, distinct = 0;

	alert_names(_metadata);
	EXPECT_STREQ("kernel-sw", ktls_carrier_name(KTLS_CARRIER_KERNEL_SW));
	for (r = KTLS_R_NONE + 1; r < __KTLS_R_MAX; r++)
		if (strcmp(ktls_reason_name(r), "unknown"))
			distinct++;
	EXPECT_LE(10, distinct);
	EXPECT_STREQ("unknown", ktls_reason_name(__KTLS_R_MAX));
}

TEST_HARNESS_MAIN
