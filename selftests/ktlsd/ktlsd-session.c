// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A daemon-mode session through libktls's public calls alone, driven
 * without blocking from a poll() loop, as a server's event loop would:
 *
 *   ktlsd-session serve PORT IN OUT [--rekey]
 *	accept one connection on 127.0.0.1:PORT, profile "server"; read an
 *	HTTP POST (the body goes to OUT), answer 200 with the file IN, sent
 *	with ktls_sendfile()
 *   ktlsd-session connect PORT IN OUT [--rekey]
 *	connect to 127.0.0.1:PORT (openssl s_server -rev), profile
 *	"client"; send IN while reading what comes back into OUT, until OUT
 *	is as long as IN
 *
 * --rekey: change our key halfway through ktls_rekey(s, 1) (ktlsd sends
 * the KeyUpdate and asks the peer for one: its answer comes back through
 * ktls_recv(), which hands it to ktlsd).
 *
 * The handshake is ktls_handshake_step() and poll() on
 * ktls_session_wait_fd(), which must be ktlsd's socket, not the TCP one,
 * while the daemon works: printed as "handshake waits: N, on ktlsd: yes".
 * Then one line of what ktls_get_info() and ktls_peer_identity() say, and
 * at the end the NewSessionTicket and KeyUpdate messages ktls_recv()
 * handed to ktlsd.
 * $KTLSD_SOCKET names the daemon. Exit 0 when all went through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktls/ktls.h>

#define WAIT_MS	60000

static int die(const char *what, int err, struct ktls_session *s)
{
	fprintf(stderr, "ktlsd-session: %s: %s%s%s\n", what, strerror(-err),
		s ? ": " : "", s ? ktls_reason_text(s) : "");
	exit(1);
}

/* Wait for @events on @fd; a minute without them is a failure. */
static void wait_for(int fd, short events, struct ktls_session *s)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&pfd, 1, WAIT_MS);
	} while (n < 0 && errno == EINTR);
	if (n <= 0)
		die("poll", n ? -errno : -ETIMEDOUT, s);
}

static int tcp(int port, bool serve)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int one = 1, l, fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		die("socket", -errno, NULL);
	if (!serve) {
		if (connect(l, (struct sockaddr *)&a, sizeof(a)))
			die("connect", -errno, NULL);
		fd = l;
	} else {
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
			die("listen", -errno, NULL);
		fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			die("accept", -errno, NULL);
		close(l);
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		die("fcntl", -errno, NULL);
	return fd;
}

/* The non-blocking handshake, as an event loop runs it. */
static struct ktls_session *handshake(struct ktls_ctx *ctx, int fd)
{
	struct ktls_session *s;
	struct ktls_info info;
	char peer[256] = "";
	int ret, want, waits = 0, on_daemon = 0, wfd;

	ret = ktls_session_new(ctx, fd, &s);
	if (ret)
		die("ktls_session_new", ret, NULL);
	while ((ret = ktls_handshake_step(s, &want)) == -EAGAIN) {
		wfd = ktls_session_wait_fd(s);
		waits++;
		on_daemon += wfd != fd;
		wait_for(wfd, want == KTLS_WANT_WRITE ? POLLOUT : POLLIN, s);
	}
	if (ret)
		die("ktls_handshake_step", ret, s);
	if (ktls_session_wait_fd(s) != fd)
		die("ktls_session_wait_fd after the handshake", -EINVAL, s);
	ret = ktls_get_info(s, &info);
	if (ret)
		die("ktls_get_info", ret, s);
	ktls_peer_identity(s, peer, sizeof(peer));
	printf("handshake waits: %d, on ktlsd: %s\n", waits,
	       waits && on_daemon == waits ? "yes" : "no");
	printf("version=%#x cipher=%s alpn=%s tx=%s rx=%s peer=%s\n",
	       info.version, info.cipher, info.alpn[0] ? info.alpn : "-",
	       ktls_carrier_name(info.tx), ktls_carrier_name(info.rx),
	       peer[0] ? peer : "-");
	fflush(stdout);
	return s;
}

static int open_in(const char *path, off_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		die(path, -errno, NULL);
	*size = st.st_size;
	return fd;
}

static void put_out(int out, const void *p, size_t n)
{
	if (n && write(out, p, n) != (ssize_t)n)
		die("write", -errno, NULL);
}

/* One ktls_recv() once the socket is readable: bytes, 0 at the end. */
static ssize_t recv_some(struct ktls_session *s, char *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		n = ktls_recv(s, buf, len);
		if (n != -EAGAIN)
			break;
		wait_for(ktls_session_fd(s), POLLIN, s);
	}
	if (n < 0 && n != -EPIPE)
		die("ktls_recv", n, s);
	return n < 0 ? 0 : n;
}

static void rekey(struct ktls_session *s)
{
	int ret = ktls_rekey(s, 1);

	if (ret)
		die("ktls_rekey", ret, s);
	printf("rekeyed through ktlsd\n");
}

static void send_all(struct ktls_session *s, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = ktls_send(s, p, len);
		if (n == -EAGAIN) {
			wait_for(ktls_session_fd(s), POLLOUT, s);
			continue;
		}
		if (n < 0)
			die("ktls_send", n, s);
		p += n;
		len -= n;
	}
}

/* Read an HTTP POST, keep its body, answer with the file. */
static void serve(struct ktls_session *s, int in, off_t size, int out,
		  bool want_rekey)
{
	char buf[16384], head[256], *end, *cl;
	size_t have = 0, body;
	unsigned long long clen;
	off_t off = 0;
	ssize_t n;

	for (;;) {
		n = recv_some(s, buf + have, sizeof(buf) - 1 - have);
		if (!n)
			die("the request ended early", -EPROTO, s);
		have += n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
		if (have == sizeof(buf) - 1)
			die("request head too long", -EMSGSIZE, NULL);
	}
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl)
		die("no Content-Length", -EPROTO, NULL);
	clen = strtoull(cl + 17, NULL, 10);
	body = have - (end + 4 - buf);
	put_out(out, end + 4, body);
	while (body < clen) {
		n = recv_some(s, buf, sizeof(buf));
		if (!n)
			die("the body ended early", -EPROTO, s);
		put_out(out, buf, n);
		body += n;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
		     (long long)size);
	send_all(s, head, n);
	while (off < size) {
		if (want_rekey && off >= size / 2) {
			rekey(s);
			want_rekey = false;
		}
		n = ktls_sendfile(s, in, &off, size - off);
		if (n == -EAGAIN || n == 0) {
			wait_for(ktls_session_fd(s), POLLOUT, s);
			continue;
		}
		if (n < 0)
			die("ktls_sendfile", n, s);
	}
}

/* Send the file and take what comes back, both at once. */
static void exchange(struct ktls_session *s, int in, off_t size, int out,
		     bool want_rekey)
{
	int fd = ktls_session_fd(s);
	char sbuf[16384], rbuf[16384];
	size_t slen = 0, soff = 0;
	off_t sent = 0, got = 0;
	ssize_t n;

	while (got < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (soff == slen && sent < size) {
			n = read(in, sbuf, sizeof(sbuf));
			if (n <= 0)
				die("read", n ? -errno : -EIO, NULL);
			slen = n;
			soff = 0;
		}
		if (want_rekey && sent >= size / 2) {
			rekey(s);
			want_rekey = false;
		}
		if (soff < slen)
			pfd.events |= POLLOUT;
		wait_for(fd, pfd.events, s);
		if (soff < slen) {
			n = ktls_send(s, sbuf + soff, slen - soff);
			if (n < 0 && n != -EAGAIN)
				die("ktls_send", n, s);
			if (n > 0) {
				soff += n;
				sent += n;
			}
		}
		n = ktls_recv(s, rbuf, sizeof(rbuf));
		if (n == -EAGAIN)
			continue;
		if (n <= 0)
			die("ktls_recv: the server ended early", n ? n : -EPIPE,
			    s);
		put_out(out, rbuf, n);
		got += n;
	}
}

int main(int argc, char **argv)
{
	struct ktls_daemon_request req = { 0 };
	struct ktls_session *s;
	struct ktls_ctx *ctx;
	bool serving, want_rekey;
	int ret, fd, in, out;
	off_t size;

	if (argc < 5 || (strcmp(argv[1], "serve") &&
			 strcmp(argv[1], "connect"))) {
		fprintf(stderr, "usage: ktlsd-session serve|connect PORT IN OUT [--rekey]\n");
		return 2;
	}
	serving = !strcmp(argv[1], "serve");
	want_rekey = argc > 5 && !strcmp(argv[5], "--rekey");
	req.role = serving ? KTLS_SERVER : KTLS_CLIENT;
	req.profile = serving ? "server" : "client";
	req.timeout_ms = 30000;
	ret = ktls_ctx_new_daemon(&req, &ctx);
	if (ret)
		die(ktls_ctx_error(ctx), ret, NULL);
	in = open_in(argv[3], &size);
	out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		die(argv[4], -errno, NULL);
	fd = tcp(atoi(argv[2]), serving);
	s = handshake(ctx, fd);
	if (serving)
		serve(s, in, size, out, want_rekey);
	else
		exchange(s, in, size, out, want_rekey);
	ret = ktls_close_notify(s);
	if (ret)
		die("ktls_close_notify", ret, s);
	printf("done: %lld bytes each way, tickets %d, KeyUpdates %d\n",
	       (long long)size, ktls_tickets_received(s),
	       ktls_keyupdates_received(s));
	ktls_session_free(s);
	ktls_ctx_free(ctx);
	close(fd);
	close(in);
	close(out);
	return 0;
}
