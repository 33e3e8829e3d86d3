// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What libktls does with records the kernel hands it after the switch
 * (userspace/lib/record.c, feed.c, rekey.c, daemon_session.c): alerts,
 * NewSessionTicket and KeyUpdate split over records or packed several to
 * a record, fed back into wolfSSL; data records returned in pieces.
 *
 * No kernel TLS on the build machine, so the kernel's part is played here,
 * at link time (--wrap): ktls_fd_recv_record() returns the fuzzed records
 * (a record larger than the buffer is returned in parts, as the kernel
 * does), ktls_fd_send_record() swallows what the library answers, and
 * setsockopt() accepts the tls ULP and the keys. The sessions are real:
 * a wolfSSL client and server, TLS 1.3 and TLS 1.2, handshaken over TCP
 * loopback with the test PKI (selftests/lib/mkpki) and kept from run to
 * run while wolfSSL has not failed (its state after a failed feed is not
 * reusable, so that pair is handshaken again).
 *
 * Promises: the data ktls_recv() returns is exactly the data records'
 * bytes, in order; a pending partial handshake message never exceeds its
 * cap; every call returns.
 *
 * Input: a flags byte (bit 0: the server side receives, else the client;
 * bit 1: TLS 1.2), two bytes for the receive buffer size, then records:
 * a type byte and a two-byte length with the payload. Type 0 is the end
 * of the TCP stream, type 1 a moment with nothing to read, type 2 hands
 * the payload to ktls_post_handshake() as ktlsd does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../userspace/lib/internal.h"
#include "../../userspace/lib/ktls_daemon_side.h"
#include "fuzz.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define MAX_REC		16384
#define MAX_DATA	(64 * 1024)

ssize_t __real_ktls_fd_recv_record(int fd, void *buf, size_t len,
				   unsigned char *type, int flags);
ssize_t __wrap_ktls_fd_recv_record(int fd, void *buf, size_t len,
				   unsigned char *type, int flags);
ssize_t __real_ktls_fd_send_record(int fd, unsigned char type,
				   const void *buf, size_t len, int flags);
ssize_t __wrap_ktls_fd_send_record(int fd, unsigned char type,
				   const void *buf, size_t len, int flags);
int __real_setsockopt(int fd, int level, int opt, const void *v,
		      socklen_t len);
int __wrap_setsockopt(int fd, int level, int opt, const void *v,
		      socklen_t len);
int __real___ktls_feed(struct ktls_session *s, const unsigned char *msg,
		       size_t len);
int __wrap___ktls_feed(struct ktls_session *s, const unsigned char *msg,
		       size_t len);

struct pair {
	struct ktls_ctx *cctx, *sctx;
	struct ktls_session *c, *s;
	int fd[2];
};

static struct pair pairs[2];	/* TLS 1.3, TLS 1.2 */
static struct sockaddr_in addr;
static int lfd = -1;

/* The kernel's side: the records of this run, and what came out. */
static struct {
	struct fz f;
	struct ktls_session *s;		/* the session under test */
	int fd;				/* its socket */
	unsigned char type;		/* record being returned in parts */
	const uint8_t *rest;
	size_t rest_len;
	unsigned char data[MAX_DATA];	/* data records' bytes, in order */
	size_t data_len;
	bool wolf_failed;
} k;

ssize_t __wrap_ktls_fd_recv_record(int fd, void *buf, size_t len,
				   unsigned char *type, int flags)
{
	size_t n;

	if (fd != k.fd)
		return __real_ktls_fd_recv_record(fd, buf, len, type, flags);
	while (!k.rest_len) {
		unsigned int t;

		if (!k.f.n)
			return -EAGAIN;
		t = fz_u8(&k.f);
		k.rest = fz_bytes(&k.f, MAX_REC, &k.rest_len);
		if (t == 0)
			return 0;		/* TCP end of stream */
		if (t == 1)
			return -EAGAIN;
		if (t == 2) {
			/* what ktlsd does with a message handed back */
			ktls_post_handshake(k.s, k.rest, k.rest_len);
			k.rest_len = 0;
			continue;
		}
		k.type = t;
		/* the kernel skips empty data records; others come empty */
		if (!k.rest_len && t != KTLS_CT_APPLICATION_DATA) {
			*type = t;
			return 0;
		}
	}
	n = k.rest_len < len ? k.rest_len : len;
	memcpy(buf, k.rest, n);
	if (k.type == KTLS_CT_APPLICATION_DATA) {
		FZ_ASSERT(k.data_len + n <= sizeof(k.data));
		memcpy(k.data + k.data_len, k.rest, n);
		k.data_len += n;
	}
	k.rest += n;
	k.rest_len -= n;
	*type = k.type;
	return n;
}

ssize_t __wrap_ktls_fd_send_record(int fd, unsigned char type,
				   const void *buf, size_t len, int flags)
{
	if (fd != k.fd)
		return __real_ktls_fd_send_record(fd, type, buf, len, flags);
	return len > KTLS_MAX_PLAIN ? -EMSGSIZE : (ssize_t)len;
}

int __wrap_setsockopt(int fd, int level, int opt, const void *v,
		      socklen_t len)
{
	if (level == SOL_TLS || (level == SOL_TCP && opt == TCP_ULP))
		return 0;
	return __real_setsockopt(fd, level, opt, v, len);
}

int __wrap___ktls_feed(struct ktls_session *s, const unsigned char *msg,
		       size_t len)
{
	int ret = __real___ktls_feed(s, msg, len);

	if (ret)
		k.wolf_failed = true;
	return ret;
}

static void pair_free(struct pair *p)
{
	ktls_session_free(p->c);
	ktls_session_free(p->s);
	close(p->fd[0]);
	close(p->fd[1]);
	p->c = p->s = NULL;
}

static void pair_new(struct pair *p)
{
	int want, rc = -EAGAIN, rs = -EAGAIN, i;

	p->fd[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->fd[0] < 0 || fz_connect(p->fd[0], &addr))
		abort();
	p->fd[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (p->fd[1] < 0)
		abort();
	for (i = 0; i < 2; i++) {
		/* reset on close: no ports held in TIME_WAIT over long runs */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(p->fd[i], SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		fcntl(p->fd[i], F_SETFL, O_NONBLOCK);
	}
	if (ktls_session_new(p->cctx, p->fd[0], &p->c) ||
	    ktls_session_new(p->sctx, p->fd[1], &p->s))
		abort();
	for (i = 0; i < 1000 && (rc || rs); i++) {
		if (rc == -EAGAIN)
			rc = ktls_handshake_step(p->c, &want);
		if (rs == -EAGAIN)
			rs = ktls_handshake_step(p->s, &want);
	}
	if (rc || rs || ktls_offload(p->c) || ktls_offload(p->s)) {
		fprintf(stderr, "fuzz: handshake: %s / %s\n",
			ktls_reason_text(p->c), ktls_reason_text(p->s));
		abort();
	}
}

static void ctx_new(struct pair *p, const char *pki, unsigned int version)
{
	struct ktls_config c = {
		.role = KTLS_CLIENT,
		.min_version = version,
		.max_version = version,
		.flags = KTLS_F_NO_VERIFY,
	};
	char cert[512], key[512];

	snprintf(cert, sizeof(cert), "%s/server.pem", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	if (ktls_ctx_new(&c, &p->cctx))
		abort();
	c.role = KTLS_SERVER;
	c.cert_file = cert;
	c.key_file = key;
	if (ktls_ctx_new(&c, &p->sctx)) {
		fprintf(stderr, "fuzz: %s\n", ktls_ctx_error(p->sctx));
		abort();
	}
	pair_new(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *repo = getenv("KTLSKIT_REPO");
	const char *pki = getenv("KTLSKIT_FUZZ_PKI");
	socklen_t alen = sizeof(addr);
	char cmd[1024];

	if (!pki)
		pki = "/tmp/ktlskit-fuzz-pki";
	snprintf(cmd, sizeof(cmd), "%s/selftests/lib/mkpki %s >/dev/null",
		 repo ? repo : ".", pki);
	if (system(cmd))
		abort();
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen))
		abort();
	ctx_new(&pairs[0], pki, KTLS_TLS_1_3);
	ctx_new(&pairs[1], pki, KTLS_TLS_1_2);
	return 0;
}

/* Forget what this run did to a session that wolfSSL still trusts. */
static void session_reset(struct ktls_session *s)
{
	free(s->hs);
	s->hs = NULL;
	s->hs_len = 0;
	free(s->pend);
	s->pend = NULL;
	s->pend_len = s->pend_off = 0;
	s->eof = false;
	s->peer_alert = -1;
	s->reason = KTLS_R_NONE;
	s->text[0] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	unsigned int flags = fz_u8(&f);
	size_t buflen = fz_u16(&f) % (MAX_REC + 256) + 1, got = 0;
	struct pair *p = &pairs[!!(flags & 2)];
	struct ktls_session *s = flags & 1 ? p->s : p->c;
	/* exactly this size, so that ASan sees a write past it */
	unsigned char *buf = malloc(buflen);
	ssize_t n = -EAGAIN;
	int calls;

	if (!buf)
		return 0;
	k.f = f;
	k.s = s;
	k.fd = s->fd;
	k.rest_len = 0;
	k.data_len = 0;
	k.wolf_failed = false;
	/* each call takes at least one record, or returns */
	for (calls = 0; calls <= (int)size + 1; calls++) {
		n = ktls_recv(s, buf, buflen);
		if (n > 0) {
			FZ_ASSERT((size_t)n <= buflen);
			FZ_ASSERT(got + n <= k.data_len);
			FZ_ASSERT(!memcmp(k.data + got, buf, n));
			got += n;
			continue;
		}
		if (n == -EAGAIN && (k.f.n || k.rest_len))
			continue;
		break;
	}
	FZ_ASSERT(calls <= (int)size + 1);
	FZ_ASSERT(s->hs_len <= 64 * 1024);
	/* all data out, unless the stream ended in an error or is left */
	if (n == -EAGAIN && !k.f.n && !k.rest_len)
		FZ_ASSERT(got == k.data_len);
	free(buf);
	k.fd = -1;
	k.s = NULL;
	if (k.wolf_failed) {
		pair_free(p);
		pair_new(p);
	} else {
		session_reset(p->c);
		session_reset(p->s);
	}
	return 0;
}
