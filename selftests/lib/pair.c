// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test support: a TCP loopback connection with libktls on both ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pair.h"

/**
 * pair_pki() - folder of the test PKI, made once per boot with mkpki
 *
 * Return: the folder, or NULL when mkpki failed.
 */
const char *pair_pki(void)
{
	static const char dir[] = "/tmp/ktls-test-pki";
	static int made;
	char cmd[256];
	const char *repo = getenv("KTLSKIT_REPO");

	if (made)
		return dir;
	snprintf(cmd, sizeof(cmd), "%s/selftests/lib/mkpki %s >/dev/null",
		 repo ? repo : ".", dir);
	if (system(cmd))
		return NULL;
	made = 1;
	return dir;
}

static void *client_main(void *arg)
{
	struct pair *p = arg;

	p->cret = ktls_connect(p->cs);
	return NULL;
}

static void *client_hs_only(void *arg)
{
	struct pair *p = arg;
	int want, ret;

	do {
		ret = ktls_handshake_step(p->cs, &want);
		if (ret == -EAGAIN)
			usleep(1000);
	} while (ret == -EAGAIN);
	p->cret = ret;
	return NULL;
}

/**
 * pair_tcp() - a connected TCP loopback pair
 * @cfd: set to the connecting end
 * @sfd: set to the accepted end
 *
 * Return: 0 or a negative errno.
 */
int pair_tcp(int *cfd, int *sfd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &alen))
		return -errno;
	*cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (*cfd < 0 || connect(*cfd, (void *)&a, sizeof(a)))
		return -errno;
	*sfd = accept(l, NULL, NULL);
	close(l);
	return *sfd < 0 ? -errno : 0;
}

/**
 * pair_open() - connected, handshaken (and offloaded) sessions
 * @p: filled in
 * @o: version, cipher, whether to offload
 *
 * Return: 0, or the first failure (negative errno).
 */
int pair_open(struct pair *p, const struct pair_opts *o)
{
	struct ktls_config sc = { .role = KTLS_SERVER }, cc = { 0 };
	char cert[256], key[256], ca[256];
	const char *pki = pair_pki();
	pthread_t th;
	int ret;

	memset(p, 0, sizeof(*p));
	p->cfd = p->sfd = -1;
	if (!pki)
		return -ENOENT;
	snprintf(cert, sizeof(cert), "%s/server.pem", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
	sc.cert_file = cert;
	sc.key_file = key;
	sc.min_version = sc.max_version = o->version;
	sc.ciphers = o->cipher;
	sc.rekey_records = o->rekey_records;
	sc.flags = o->flags;
	cc = sc;
	cc.role = KTLS_CLIENT;
	cc.cert_file = cc.key_file = NULL;
	cc.ca_file = ca;
	cc.server_name = "localhost";
	ret = ktls_ctx_new(&sc, &p->sctx);
	if (ret)
		return ret;
	ret = ktls_ctx_new(&cc, &p->cctx);
	if (ret)
		return ret;
	ret = pair_tcp(&p->cfd, &p->sfd);
	if (ret)
		return ret;
	ret = ktls_session_new(p->cctx, p->cfd, &p->cs);
	if (!ret)
		ret = ktls_session_new(p->sctx, p->sfd, &p->ss);
	if (ret)
		return ret;
	pthread_create(&th, NULL, o->offload ? client_main : client_hs_only,
		       p);
	if (o->offload) {
		p->sret = ktls_accept(p->ss);
	} else {
		int want;

		do {
			p->sret = ktls_handshake_step(p->ss, &want);
			if (p->sret == -EAGAIN)
				usleep(1000);
		} while (p->sret == -EAGAIN);
	}
	pthread_join(th, NULL);
	return p->sret ? p->sret : p->cret;
}

/**
 * pair_close() - free both sessions, contexts and sockets
 * @p: pair
 */
void pair_close(struct pair *p)
{
	ktls_session_free(p->cs);
	ktls_session_free(p->ss);
	ktls_ctx_free(p->cctx);
	ktls_ctx_free(p->sctx);
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->sfd >= 0)
		close(p->sfd);
	memset(p, 0, sizeof(*p));
	p->cfd = p->sfd = -1;
}

/**
 * pair_kernel_has_tls() - whether kTLS can be attached here
 *
 * Return: 1 or 0.
 */
int pair_kernel_has_tls(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "r");
	char line[256] = "";

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, "tls") != NULL;
}

/**
 * pair_kernel_at_least() - compare the running kernel's version
 * @major: major
 * @minor: minor
 *
 * Return: 1 when the kernel is at least @major.@minor.
 */
int pair_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

/**
 * pair_fill() - deterministic test pattern
 * @buf: buffer
 * @len: length
 * @seed: pattern seed
 */
void pair_fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = seed >> 16;
	}
}

/**
 * pair_recv_all() - ktls_recv until @len bytes, end of stream or error
 * @s: session
 * @buf: buffer
 * @len: bytes wanted
 *
 * Return: bytes received or a negative errno.
 */
ssize_t pair_recv_all(struct ktls_session *s, unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = ktls_recv(s, buf + done, len - done);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/*
 * The PKI takes a while under emulation (RSA key generation): make it
 * before the harness starts timing the first test.
 */
__attribute__((constructor)) static void pair_pki_early(void)
{
	if (pair_kernel_has_tls())
		pair_pki();
}
