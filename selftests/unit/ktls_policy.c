// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls certificate policy on the host: every case of the test PKI's
 * manifest (tools/pki/mkpki --test) as a handshake between two libktls
 * ends over a socketpair, stopped before the switch to kernel TLS. The
 * verifying end must succeed or fail with the manifest's reason; the
 * sentence is printed so a person can read it. Then mutual TLS identity,
 * the anonymous mode and the refusals of the configuration.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
	int ret;
};

static char paths[32][512];
static int npaths;

static const char *f(const char *name)
{
	char *p = paths[npaths++ % 32];

	snprintf(p, 512, "%s/%s", PKI, name);
	return p;
}

static int make_pki(void)
{
	static int made;
	const char *repo = getenv("KTLSKIT_REPO");
	char cmd[512];

	if (made)
		return 0;
	snprintf(cmd, sizeof(cmd), "%s/tools/pki/mkpki --test %s >/dev/null",
		 repo ? repo : ".", PKI);
	if (system(cmd))
		return -1;
	made = 1;
	return 0;
}

static void *run_side(void *arg)
{
	struct side *sd = arg;
	struct pollfd pfd = { .fd = sd->fd };
	int want;

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
	if (sd->ret)
		shutdown(sd->fd, SHUT_RDWR);
	return NULL;
}

/* 0 when both ends ran; -1 with *err from the first ktls_ctx_new failing */
static int duel(struct side *c, struct side *s, int *err, const char **why)
{
	pthread_t th;
	int fd[2];

	*err = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd))
		return -1;
	c->fd = fd[0];
	s->fd = fd[1];
	*err = ktls_ctx_new(&s->cfg, &s->ctx);
	if (*err) {
		*why = ktls_ctx_error(s->ctx);
		return -1;
	}
	*err = ktls_ctx_new(&c->cfg, &c->ctx);
	if (*err) {
		*why = ktls_ctx_error(c->ctx);
		return -1;
	}
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
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
}

/* manifest keyword -> ktls_reason_name() */
static const char *reason_of(const char *expect)
{
	if (!strcmp(expect, "ok"))
		return "none";
	if (!strcmp(expect, "expired"))
		return "cert-expired";
	if (!strcmp(expect, "not-yet-valid"))
		return "cert-not-yet-valid";
	if (!strcmp(expect, "host-mismatch"))
		return "hostname-mismatch";
	if (!strcmp(expect, "untrusted") ||
	    !strcmp(expect, "missing-intermediate"))
		return "cert-untrusted";	/* see POLICY.md */
	return expect;
}

static void setup_peer(struct side *p, const char *opts, const char *cert,
		       const char *key, const char *chain)
{
	const char *pass = strstr(opts, "p12pass=");

	if (pass) {
		p->cfg.p12_file = f(cert);
		p->cfg.p12_pass_file = f(pass + 8);
	} else if (strstr(cert, ".der")) {
		p->cfg.cert_file = f(cert);
		p->cfg.key_file = f(key);
		p->cfg.chain_file = f("intermediate.crt");
	} else {
		p->cfg.cert_file = f(chain);
		p->cfg.key_file = f(key);
	}
}

/* One manifest row; returns 0 when it behaved as the manifest says. */
static int run_case(char *line)
{
	char name[64], expect[64], role[16], host[64], opts[64], cert[64];
	char key[64], chain[64], crl[64];
	struct side c = {}, s = {};
	struct side *verifier, *peer;
	const char *want, *got, *why = "";
	int err, bad;

	if (sscanf(line, "%63s %63s %15s %63s %63s %63s %63s %63s %63s", name,
		   expect, role, host, opts, cert, key, chain, crl) != 9 ||
	    name[0] == '#' || !strcmp(name, "name"))
		return -2;
	c.cfg.role = KTLS_CLIENT;
	s.cfg.role = KTLS_SERVER;
	c.cfg.ca_file = f("root.crt");
	if (!strcmp(role, "server")) {
		verifier = &c;
		peer = &s;
		c.cfg.server_name = host;
	} else {
		verifier = &s;
		peer = &c;
		s.cfg.flags |= KTLS_F_VERIFY_CLIENT;
		s.cfg.ca_file = f("root.crt");
		s.cfg.cert_file = f("server-ec.chain.pem");
		s.cfg.key_file = f("server-ec.key");
		c.cfg.server_name = "server.test";
	}
	setup_peer(peer, opts, cert, key, chain);
	if (strstr(opts, "wildcards"))
		verifier->cfg.policy |= KTLS_P_ALLOW_WILDCARDS;
	if (strstr(opts, "no-cn-fallback"))
		verifier->cfg.policy |= KTLS_P_NO_CN_FALLBACK;
	if (strcmp(crl, "-")) {
		/* wolfSSL verifies CRLs at load time: their issuers as CAs */
		verifier->cfg.crl = f(crl);
		verifier->cfg.ca_file = f("crl-anchors.pem");
	}
	want = reason_of(expect);
	if (duel(&c, &s, &err, &why)) {
		bad = !(!strcmp(expect, "key-readable") && err == -EACCES);
		printf("# %-20s %-4s config refused (%d): %s\n", name,
		       bad ? "FAIL" : "ok", err, why);
		done(&c, &s);
		return bad;
	}
	got = ktls_reason_name(ktls_reason(verifier->s));
	bad = strcmp(got, want) || (!strcmp(want, "none") &&
				    (c.ret || s.ret));
	printf("# %-20s %-4s %s%s%s\n", name, bad ? "FAIL" : "ok", got,
	       ktls_reason_text(verifier->s)[0] ? ": " : "",
	       ktls_reason_text(verifier->s));
	if (bad)
		printf("#   expected %s; peer said %s: %s\n", want,
		       ktls_reason_name(ktls_reason(peer->s)),
		       ktls_reason_text(peer->s));
	done(&c, &s);
	return bad;
}

TEST(manifest)
{
	char line[1024];
	int failed = 0, run = 0, r;
	FILE *m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ASSERT_EQ(0, make_pki());
	ASSERT_EQ(0, system("cat " PKI "/root.crt " PKI "/intermediates.pem > "
			    PKI "/crl-anchors.pem"));
	m = fopen(PKI "/manifest", "r");
	ASSERT_NE(NULL, m);
	while (fgets(line, sizeof(line), m)) {
		r = run_case(line);
		if (r == -2)
			continue;
		run++;
		failed += r != 0;
	}
	fclose(m);
	printf("# %d of %d manifest cases as expected\n", run - failed, run);
	EXPECT_EQ(0, failed);
	EXPECT_LT(30, run);
}

TEST(mtls_identity)
{
	struct side c = {}, s = {};
	struct ktls_peer_cert pc;
	const char *why;
	int err;

	ASSERT_EQ(0, make_pki());
	c.cfg.role = KTLS_CLIENT;
	c.cfg.ca_file = f("root.crt");
	c.cfg.server_name = "server.test";
	c.cfg.cert_file = f("client-ec.chain.pem");
	c.cfg.key_file = f("client-ec.key");
	s.cfg.role = KTLS_SERVER;
	s.cfg.flags = KTLS_F_VERIFY_CLIENT;
	s.cfg.ca_file = f("root.crt");
	s.cfg.cert_file = f("server-ec.chain.pem");
	s.cfg.key_file = f("server-ec.key");
	ASSERT_EQ(0, duel(&c, &s, &err, &why));
	ASSERT_EQ(0, s.ret);
	ASSERT_EQ(0, ktls_get_peer_cert(s.s, &pc));
	printf("# client: %s; SAN %s; sha256 %s\n", pc.subject, pc.sans,
	       pc.sha256);
	EXPECT_NE(NULL, strstr(pc.subject, "CN=client.test"));
	EXPECT_STREQ("DNS:client.test", pc.sans);
	EXPECT_EQ(64, (int)strlen(pc.sha256));
	done(&c, &s);
}

TEST(mtls_missing_client_cert)
{
	struct side c = {}, s = {};
	const char *why;
	int err;

	ASSERT_EQ(0, make_pki());
	c.cfg.role = KTLS_CLIENT;
	c.cfg.ca_file = f("root.crt");
	c.cfg.server_name = "server.test";
	s.cfg.role = KTLS_SERVER;
	s.cfg.flags = KTLS_F_VERIFY_CLIENT;
	s.cfg.ca_file = f("root.crt");
	s.cfg.cert_file = f("server-ec.chain.pem");
	s.cfg.key_file = f("server-ec.key");
	ASSERT_EQ(0, duel(&c, &s, &err, &why));
	EXPECT_EQ((int)KTLS_R_NO_PEER_CERT, (int)ktls_reason(s.s));
	printf("# %s\n", ktls_reason_text(s.s));
	done(&c, &s);
}

TEST(anonymous)
{
	struct side c = {}, s = {};
	struct ktls_info in;
	const char *why = "";
	int err;

	c.cfg.role = KTLS_CLIENT;
	s.cfg.role = KTLS_SERVER;
	c.cfg.max_version = s.cfg.max_version = KTLS_TLS_1_2;
	/* refused by default: a server without a certificate is an error */
	EXPECT_EQ(-1, duel(&c, &s, &err, &why));
	EXPECT_EQ(-EINVAL, err);
	printf("# default: %s\n", why);
	done(&c, &s);
	c.cfg.role = KTLS_CLIENT;
	s.cfg.role = KTLS_SERVER;
	c.cfg.max_version = s.cfg.max_version = KTLS_TLS_1_2;
	c.cfg.ciphers = "ADH-AES256-GCM-SHA384";
	c.cfg.flags = KTLS_F_NO_VERIFY;
	s.cfg.cert_file = f("server-ec.chain.pem");
	s.cfg.key_file = f("server-ec.key");
	EXPECT_EQ(-1, duel(&c, &s, &err, &why));
	EXPECT_EQ(-EINVAL, err);
	printf("# ADH without the flag: %s\n", why);
	done(&c, &s);
	c.cfg.role = KTLS_CLIENT;
	s.cfg.role = KTLS_SERVER;
	c.cfg.max_version = s.cfg.max_version = KTLS_TLS_1_2;
	c.cfg.policy = s.cfg.policy = KTLS_P_INSECURE_ANONYMOUS;
	ASSERT_EQ(0, duel(&c, &s, &err, &why));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(0, s.ret);
	ASSERT_EQ(0, ktls_get_info(c.s, &in));
	printf("# anonymous: %s\n", in.cipher);
	EXPECT_NE(NULL, strstr(in.cipher, "DH_anon"));
	done(&c, &s);
}

TEST(config_refusals)
{
	struct ktls_config cfg = { .role = KTLS_CLIENT };
	struct ktls_ctx *ctx;

	cfg.policy = KTLS_P_KEYLOG;	/* without a file */
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	printf("# keylog: %s\n", ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
	cfg.policy = 0;
	cfg.min_rsa_bits = 1024;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	ktls_ctx_free(ctx);
	cfg.min_rsa_bits = 0;
	cfg.policy = KTLS_P_INSECURE_ANONYMOUS;
	cfg.min_version = KTLS_TLS_1_3;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	printf("# anonymous 1.3: %s\n", ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
	cfg.policy = 0;
	cfg.min_version = 0;
	cfg.ocsp_response = "resp.der";
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));	/* client staples */
	ktls_ctx_free(ctx);
	cfg.role = KTLS_SERVER;
	cfg.cert_file = "x";
	cfg.key_file = "y";
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));	/* no issuer CA */
	printf("# ocsp: %s\n", ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
	cfg.ocsp_response = NULL;
	cfg.policy = KTLS_P_REQUIRE_OCSP;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));	/* server requires */
	ktls_ctx_free(ctx);
}

TEST(min_rsa_bits_raised)
{
	struct side c = {}, s = {};
	const char *why;
	int err;

	ASSERT_EQ(0, make_pki());
	c.cfg.role = KTLS_CLIENT;
	c.cfg.ca_file = f("root.crt");
	c.cfg.server_name = "server.test";
	c.cfg.min_rsa_bits = 3072;
	s.cfg.role = KTLS_SERVER;
	s.cfg.cert_file = f("server-rsa.chain.pem");
	s.cfg.key_file = f("server-rsa.key");
	ASSERT_EQ(0, duel(&c, &s, &err, &why));
	EXPECT_EQ((int)KTLS_R_WEAK_KEY, (int)ktls_reason(c.s));
	printf("# %s\n", ktls_reason_text(c.s));
	done(&c, &s);
}

/* Entries are checked before anything loads (the text form: tools/common). */
TEST(sni_cert_checked)
{
	struct ktls_sni_cert list[2] = {
		{ .name = "bad..name", .cert_file = "x", .key_file = "y" },
	};
	struct ktls_config cfg = { .role = KTLS_SERVER };
	struct ktls_ctx *ctx;

	cfg.cert_file = "x";
	cfg.key_file = "y";
	cfg.sni_certs = list;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	printf("# %s\n", ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
	cfg.role = KTLS_CLIENT;
	EXPECT_EQ(-EINVAL, ktls_ctx_new(&cfg, &ctx));
	ktls_ctx_free(ctx);
}

/* The client verifies the name it sent: only the right identity passes. */
TEST(sni_picks_identity)
{
	static const char *const names[] = {
		"www.example.test", "api.example.test", "server.test",
	};
	struct ktls_sni_cert sni[3] = {};
	struct side c = {}, s = {};
	unsigned int v, i;
	const char *why;
	int err;

	ASSERT_EQ(0, make_pki());
	sni[0].name = "www.example.test";
	sni[0].cert_file = f("wrong-host.chain.pem");
	sni[0].key_file = f("wrong-host.key");
	sni[1].name = "*.example.test";
	sni[1].cert_file = f("wildcard.chain.pem");
	sni[1].key_file = f("wildcard.key");
	for (v = KTLS_TLS_1_2; v <= KTLS_TLS_1_3; v++) {
		for (i = 0; i < 3; i++) {
			c.cfg.role = KTLS_CLIENT;
			c.cfg.ca_file = f("root.crt");
			c.cfg.server_name = names[i];
			c.cfg.policy = KTLS_P_ALLOW_WILDCARDS;
			c.cfg.min_version = c.cfg.max_version = v;
			s.cfg.role = KTLS_SERVER;
			s.cfg.cert_file = f("server-ec.chain.pem");
			s.cfg.key_file = f("server-ec.key");
			s.cfg.sni_certs = sni;
			ASSERT_EQ(0, duel(&c, &s, &err, &why));
			EXPECT_EQ(0, c.ret);
			EXPECT_EQ(0, s.ret);
			if (c.ret)
				printf("# %s: %s\n", names[i],
				       ktls_reason_text(c.s));
			done(&c, &s);
		}
	}
}

TEST_HARNESS_MAIN
