// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test support: OpenSSL's s_server and s_client as peers (ossl_peer.h).
 * Every wait is for an event (a line of output, a connection), bounded by
 * PEER_WAIT_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ossl_peer.h"

const char *peer_dir = "/tmp";
/**
 * peer_now_ms() - monotonic clock
 *
 * Return: milliseconds.
 */
long long peer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static size_t der_len(unsigned char *p, size_t n)
{
	if (n < 128) {
		p[0] = n;
		return 1;
	}
	p[0] = 0x81;
	p[1] = n;
	return 2;
}

static size_t der_put(unsigned char *p, unsigned char tag,
		      const unsigned char *v, size_t n)
{
	size_t o = 0;

	p[o++] = tag;
	o += der_len(p + o, n);
	if (n)
		memcpy(p + o, v, n);
	return o + n;
}

static size_t der_int(unsigned char *p, unsigned long v)
{
	unsigned char b[9];
	int n = 0, i;

	do {
		b[8 - n++] = v & 0xff;
		v >>= 8;
	} while (v);
	if (b[9 - n] & 0x80)
		b[8 - n++] = 0;
	i = 9 - n;
	return der_put(p, 0x02, b + i, n);
}

/**
 * peer_psk_session() - an OpenSSL SSL_SESSION file holding an external PSK
 * @path: PEM file to write (for s_client/s_server -psk_session)
 * @key: 48-byte key for TLS_AES_256_GCM_SHA384
 *
 * s_client and s_server take -psk for TLS_AES_128_GCM_SHA256 only; for
 * another suite OpenSSL reads a session: version 1, TLS 1.3, the suite,
 * no session id, the key as master key, time and timeout. Written as DER,
 * turned into PEM by openssl sess_id (which also checks it).
 *
 * Return: 0 or non-zero.
 */
int peer_psk_session(const char *path, const unsigned char *key)
{
	static const unsigned char suite[2] = { 0x13, 0x02 };
	unsigned char body[256], der[300], tmp[16];
	char cmd[512], dpath[256];
	size_t o = 0, t;
	FILE *f;

	o += der_int(body + o, 1);
	o += der_int(body + o, 0x0304);
	o += der_put(body + o, 0x04, suite, 2);
	o += der_put(body + o, 0x04, NULL, 0);
	o += der_put(body + o, 0x04, key, 48);
	t = der_int(tmp, time(NULL));
	o += der_put(body + o, 0xa1, tmp, t);
	t = der_int(tmp, 86400);
	o += der_put(body + o, 0xa2, tmp, t);
	t = der_put(der, 0x30, body, o);
	snprintf(dpath, sizeof(dpath), "%s.der", path);
	f = fopen(dpath, "wb");
	if (!f)
		return -1;
	fwrite(der, 1, t, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "openssl sess_id -inform DER -in %s -out %s", dpath, path);
	return system(cmd);
}

/**
 * peer_hex() - hex digits to bytes
 * @h: 2 * @n hex digits
 * @out: the bytes
 * @n: how many
 */
void peer_hex(const char *h, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sscanf(h + 2 * i, "%2hhx", &out[i]) != 1)
			out[i] = 0;
}

/**
 * peer_start() - start openssl with its output in a file of peer_dir
 * @p: filled in
 * @argv: the command line, argv[0] "openssl"
 *
 * Return: 0 or -1.
 */
int peer_start(struct peer *p, const char *const argv[])
{
	static int seq;
	int in[2], fd;

	snprintf(p->log, sizeof(p->log), "%s/peer-%d-%d.log", peer_dir, getpid(),
		 seq++);
	if (pipe(in))
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (!p->pid) {
		dup2(in[0], 0);
		fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		close(in[1]);
		execvp("openssl", (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	p->in = in[1];
	return 0;
}

/**
 * peer_log() - the peer's whole output so far
 * @p: peer
 *
 * Return: a static buffer, overwritten by the next call.
 */
const char *peer_log(const struct peer *p)
{
	static char buf[262144];
	size_t n = 0;
	FILE *f = fopen(p->log, "r");

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/**
 * peer_wait() - wait for @needle in the peer's output
 * @p: peer
 * @needle: text to wait for
 *
 * Return: a pointer just past it, or NULL when the peer ended or
 * PEER_WAIT_MS passed.
 */
const char *peer_wait(const struct peer *p, const char *needle)
{
	long long end = peer_now_ms() + PEER_WAIT_MS;
	const char *at;

	do {
		at = strstr(peer_log(p), needle);
		if (at)
			return at + strlen(needle);
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid)
			return NULL;
		poll(NULL, 0, 20);
	} while (peer_now_ms() < end);
	return NULL;
}

/**
 * peer_stop() - close the peer's stdin, end it and reap it
 * @p: peer, or one never started
 */
void peer_stop(struct peer *p)
{
	if (p->pid <= 0)
		return;
	close(p->in);
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	p->pid = 0;
}

/**
 * peer_server() - openssl s_server -tls1_3 on 127.0.0.1, one connection
 * @p: filled in
 * @args: more options, NULL-terminated
 *
 * Return: the port it listens on, or -1.
 */
int peer_server(struct peer *p, const char *const args[])
{
	const char *argv[40] = { "openssl", "s_server", "-accept",
				 "127.0.0.1:0", "-tls1_3", "-naccept", "1" };
	const char *port;
	int i, n = 7;

	for (i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (peer_start(p, argv))
		return -1;
	port = peer_wait(p, "ACCEPT 127.0.0.1:");
	return port ? atoi(port) : -1;
}

/**
 * peer_tcp_connect() - connect to 127.0.0.1
 * @port: port
 *
 * Return: the socket, or -1.
 */
int peer_tcp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * peer_client() - listen, start openssl s_client -tls1_3 against us
 * @p: filled in
 * @args: more options, NULL-terminated
 *
 * Return: the accepted socket, or -1.
 */
int peer_client(struct peer *p, const char *const args[])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	const char *argv[40] = { "openssl", "s_client", "-tls1_3",
				 "-connect" };
	struct pollfd pfd;
	char target[32];
	int l, fd, i, n = 4;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		return -1;
	snprintf(target, sizeof(target), "127.0.0.1:%d", ntohs(a.sin_port));
	argv[n++] = target;
	for (i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (peer_start(p, argv))
		return -1;
	pfd.fd = l;
	pfd.events = POLLIN;
	fd = poll(&pfd, 1, PEER_WAIT_MS) == 1 ? accept(l, NULL, NULL) : -1;
	close(l);
	return fd;
}

/**
 * peer_handshake() - run a session's handshake to its end, no kernel TLS
 * @s: session
 *
 * Return: 0, the handshake's negative errno, or -ETIMEDOUT.
 */
int peer_handshake(struct ktls_session *s)
{
	struct pollfd pfd = { .fd = ktls_session_fd(s) };
	long long end = peer_now_ms() + PEER_WAIT_MS;
	int ret, want;

	for (;;) {
		ret = ktls_handshake_step(s, &want);
		if (ret != -EAGAIN)
			return ret;
		pfd.events = want == KTLS_WANT_WRITE ? POLLOUT : POLLIN;
		if (peer_now_ms() > end || poll(&pfd, 1, PEER_WAIT_MS) <= 0)
			return -ETIMEDOUT;
	}
}
