// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-keys: kTLS connections whose state ktls-stat must report, made
 * without a handshake. For each VERSION:CIPHER argument it opens a TCP
 * connection over loopback, attaches the tls ULP at both ends and installs
 * one fixed test key (public, it protects nothing) as the TX of one end and
 * the RX of the other, both ways; it sends a record each way to show the
 * kernel carries data, prints one line per connection and holds them all
 * open until standard input ends.
 *
 *   ktls-keys [-6] [--no-pad] 1.3:aes-gcm-128 1.2:chacha20-poly1305 ...
 *
 * Output per argument: "ok VERSION CIPHER CLIENT_PORT SERVER_PORT NOPAD"
 * or "unsupported VERSION CIPHER errno-text" when the kernel refuses it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

struct suite {
	const char *name;
	unsigned short type;
	unsigned int iv, key, salt;
};

static const struct suite suites[] = {
	{ "aes-gcm-128", TLS_CIPHER_AES_GCM_128, 8, 16, 4 },
	{ "aes-gcm-256", TLS_CIPHER_AES_GCM_256, 8, 32, 4 },
	{ "aes-ccm-128", TLS_CIPHER_AES_CCM_128, 8, 16, 4 },
	{ "chacha20-poly1305", TLS_CIPHER_CHACHA20_POLY1305, 12, 32, 0 },
	{ "sm4-gcm", 55, 8, 16, 4 },
	{ "sm4-ccm", 56, 8, 16, 4 },
	{ "aria-gcm-128", 57, 8, 16, 4 },
	{ "aria-gcm-256", 58, 8, 32, 4 },
};

/* Both ends agree on this key material: one end's TX is the other's RX. */
static size_t crypto_info(const struct suite *s, unsigned short version,
			  unsigned char fill, unsigned char *buf)
{
	struct tls_crypto_info hdr = { .version = version,
				       .cipher_type = s->type };
	size_t n = sizeof(hdr);

	memcpy(buf, &hdr, sizeof(hdr));
	memset(buf + n, fill, s->iv + s->key + s->salt);
	n += s->iv + s->key + s->salt;
	memset(buf + n, 0, 8);			/* rec_seq */
	return n + 8;
}

static int tcp_pair(int family, int fd[2])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int l, one = 1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = family;
	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
			htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	l = socket(family, SOCK_STREAM, 0);
	if (l < 0)
		return -1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&ss, family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    listen(l, 1) || getsockname(l, (void *)&ss, &len))
		goto err;
	fd[0] = socket(family, SOCK_STREAM, 0);
	if (fd[0] < 0 || connect(fd[0], (void *)&ss, len))
		goto err;
	fd[1] = accept(l, NULL, NULL);
	if (fd[1] < 0)
		goto err;
	close(l);
	return 0;
err:
	close(l);
	return -1;
}

static int port_of(int fd, bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (peer ? getpeername(fd, (void *)&ss, &len) :
		   getsockname(fd, (void *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ?
		     ((struct sockaddr_in *)&ss)->sin_port :
		     ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Client end fd[0] sends with key 0xa1 and receives with 0xb2. */
static int install(int fd[2], const struct suite *s, unsigned short version,
		   bool nopad)
{
	unsigned char a[128], b[128];
	size_t na = crypto_info(s, version, 0xa1, a);
	size_t nb = crypto_info(s, version, 0xb2, b);
	int i, one = 1;

	for (i = 0; i < 2; i++)
		if (setsockopt(fd[i], IPPROTO_TCP, TCP_ULP, "tls",
			       sizeof("tls")))
			return -errno;
	if (setsockopt(fd[0], SOL_TLS, TLS_TX, a, na) ||
	    setsockopt(fd[1], SOL_TLS, TLS_RX, a, na) ||
	    setsockopt(fd[1], SOL_TLS, TLS_TX, b, nb) ||
	    setsockopt(fd[0], SOL_TLS, TLS_RX, b, nb))
		return -errno;
	for (i = 0; nopad && i < 2; i++)
		if (setsockopt(fd[i], SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
			       sizeof(one)))
			return -errno;
	return 0;
}

/* One record each way, so the kernel's crypto did run. */
static int exchange(int fd[2])
{
	char buf[64];
	int i;
	ssize_t n;

	for (i = 0; i < 2; i++) {
		if (send(fd[i], "ktls-stat", 9, 0) != 9)
			return -errno;
		n = recv(fd[!i], buf, sizeof(buf), 0);
		if (n != 9 || memcmp(buf, "ktls-stat", 9))
			return n < 0 ? -errno : -EBADMSG;
	}
	return 0;
}

static int one_conn(const char *arg, int family, bool nopad)
{
	char vname[8];
	const char *colon = strchr(arg, ':');
	unsigned short version;
	const struct suite *s = NULL;
	int fd[2], ret;
	size_t i;

	if (!colon || colon - arg >= (long)sizeof(vname)) {
		fprintf(stderr, "ktls-keys: want VERSION:CIPHER, not %s\n", arg);
		return 2;
	}
	memcpy(vname, arg, colon - arg);
	vname[colon - arg] = '\0';
	version = !strcmp(vname, "1.2") ? TLS_1_2_VERSION : TLS_1_3_VERSION;
	for (i = 0; i < ARRAY_SIZE(suites); i++)
		if (!strcmp(suites[i].name, colon + 1))
			s = &suites[i];
	if (!s) {
		fprintf(stderr, "ktls-keys: unknown cipher %s\n", colon + 1);
		return 2;
	}
	if (tcp_pair(family, fd)) {
		perror("ktls-keys: loopback TCP pair");
		return 1;
	}
	ret = install(fd, s, version, nopad && version == TLS_1_3_VERSION);
	if (ret) {
		printf("unsupported %s %s %s\n", vname, s->name,
		       strerror(-ret));
		close(fd[0]);
		close(fd[1]);
		return 0;
	}
	ret = exchange(fd);
	if (ret) {
		fprintf(stderr, "ktls-keys: %s %s: data exchange: %s\n",
			vname, s->name, strerror(-ret));
		return 1;
	}
	/* the descriptors stay open until we exit */
	printf("ok %s %s %d %d %d\n", vname, s->name, port_of(fd[0], false),
	       port_of(fd[0], true), nopad && version == TLS_1_3_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	int family = AF_INET, i, ret;
	bool nopad = false;
	char buf[64];

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-6"))
			family = AF_INET6;
		else if (!strcmp(argv[i], "--no-pad"))
			nopad = true;
		else
			break;
	}
	for (; i < argc; i++) {
		ret = one_conn(argv[i], family, nopad);
		if (ret)
			return ret;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
