// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * https-get: fetch one file over HTTPS and write its body to stdout.
 * libktls verifies the server against CAFILE during the handshake, then
 * the kernel decrypts the records: this program only reads plain bytes.
 *
 *   https-get CAFILE HOST PORT PATH > file
 *
 * Build: cc https-get.c $(pkg-config --cflags --libs libktls)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ktls/ktls.h>

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	int fd = -1, ret;

	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "https-get: %s: %s\n", host, gai_strerror(ret));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd >= 0 && !connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		fprintf(stderr, "https-get: cannot connect to %s port %s\n",
			host, port);
	return fd;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Copy the response body to stdout. ktls_recv() returns 0 only once the
 * server sent close_notify: a connection cut short is an error, never a
 * shorter file.
 */
static int fetch(struct ktls_session *s)
{
	static char buf[65536];
	size_t have = 0;
	char *body = NULL;
	ssize_t n;

	for (;;) {
		n = ktls_recv(s, buf + have, sizeof(buf) - have - 1);
		if (n <= 0)
			break;
		if (body) {
			if (write_all(STDOUT_FILENO, buf, n))
				return -EIO;
			continue;
		}
		have += n;
		buf[have] = '\0';
		body = strstr(buf, "\r\n\r\n");
		if (!body && have == sizeof(buf) - 1)
			return -EMSGSIZE;	/* no end of the head */
		if (!body)
			continue;
		if (strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 8, " 200", 4)) {
			fprintf(stderr, "https-get: server answered: %.*s\n",
				(int)strcspn(buf, "\r\n"), buf);
			return -ENOENT;
		}
		body += 4;
		if (write_all(STDOUT_FILENO, body, buf + have - body))
			return -EIO;
		have = 0;	/* the rest goes straight through buf */
	}
	if (n < 0)
		return n;
	return body ? 0 : -EPROTO;
}

int main(int argc, char **argv)
{
	struct ktls_config cfg = { .role = KTLS_CLIENT };
	struct ktls_session *s = NULL;
	struct ktls_ctx *ctx;
	char req[1024];
	int fd, ret, len;

	if (argc != 5 || argv[4][0] != '/') {
		fprintf(stderr, "usage: %s CAFILE HOST PORT /PATH\n", argv[0]);
		return 2;
	}
	cfg.ca_file = argv[1];
	/* sent as SNI, and the name the certificate must carry */
	cfg.server_name = argv[2];
	ret = ktls_ctx_new(&cfg, &ctx);
	if (ret) {
		fprintf(stderr, "https-get: %s\n", ktls_ctx_error(ctx));
		ktls_ctx_free(ctx);
		return 1;
	}
	fd = connect_to(argv[2], argv[3]);
	if (fd < 0)
		goto err_free_ctx;
	ret = ktls_session_new(ctx, fd, &s);
	if (ret)
		goto err_close;
	ret = ktls_connect(s);
	if (ret)
		goto err_close;
	len = snprintf(req, sizeof(req),
		       "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		       argv[4], argv[2]);
	/* the kernel encrypts what we send from here on */
	ret = ktls_write_all(s, req, len) < 0 ? -EIO : fetch(s);
	if (ret)
		goto err_close;
	ktls_close_notify(s);
	ktls_session_free(s);
	close(fd);
	ktls_ctx_free(ctx);
	return 0;

err_close:
	/* ktls_reason_text() says why in a sentence a person can act on */
	if (s && ktls_reason(s) != KTLS_R_NONE)
		fprintf(stderr, "https-get: %s (%s)\n", ktls_reason_text(s),
			ktls_reason_name(ktls_reason(s)));
	else if (ret != -ENOENT)
		fprintf(stderr, "https-get: %s\n", strerror(-ret));
	ktls_session_free(s);
	close(fd);
err_free_ctx:
	ktls_ctx_free(ctx);
	return 1;
}
