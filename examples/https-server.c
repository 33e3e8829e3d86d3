// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * https-server: serve the files of one folder over HTTPS, one connection
 * at a time. libktls runs the TLS handshake in this process, then puts the
 * keys into the socket: from there on the kernel makes and reads the TLS
 * records, so a file goes out with sendfile() and is never copied here.
 *
 *   https-server CERT KEY DIR [PORT]
 *
 * Build: cc https-server.c $(pkg-config --cflags --libs libktls)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <ktls/ktls.h>

/* Read the request head; return its length, 0 if it does not fit. */
static ssize_t read_request(struct ktls_session *s, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size - 1) {
		/* ktls_recv() hands back application data only */
		ssize_t n = ktls_recv(s, buf + len, size - 1 - len);

		if (n <= 0)
			return n ? n : -ECONNRESET;
		len += n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return len;
	}
	return 0;
}

static int reply(struct ktls_session *s, const char *status)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n%s\n",
			 status, strlen(status) + 1, status);

	return ktls_write_all(s, head, n) < 0 ? -EIO : 0;
}

/* Answer one GET: the file under @dir, or an error status. */
static int serve(struct ktls_session *s, int dir)
{
	char req[4096], head[256], *path, *end;
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int fd, len;

	n = read_request(s, req, sizeof(req));
	if (n < 0)
		return n;
	if (!n || strncmp(req, "GET /", 5))
		return reply(s, "400 Bad Request");
	path = req + 5;
	end = strchr(path, ' ');
	if (!end)
		return reply(s, "400 Bad Request");
	*end = '\0';
	/* a file inside @dir: openat() would follow "/x" or ".." out of it */
	if (!*path || *path == '/' || strstr(path, ".."))
		return reply(s, "404 Not Found");
	fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return reply(s, "404 Not Found");
	}
	len = snprintf(head, sizeof(head),
		       "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n"
		       "Connection: close\r\n\r\n", (long long)st.st_size);
	n = ktls_write_all(s, head, len);
	/* the kernel encrypts the file's pages on their way to the socket */
	if (n >= 0)
		n = ktls_sendfile(s, fd, &off, st.st_size);
	close(fd);
	if (n >= 0 && off != st.st_size)
		n = -EIO;	/* the file shrank while we sent it */
	return n < 0 ? n : 0;
}

/* A failed handshake (or record) says why in a sentence. */
static void complain(struct ktls_session *s, int err)
{
	if (ktls_reason(s) != KTLS_R_NONE)
		fprintf(stderr, "https-server: %s (%s)\n", ktls_reason_text(s),
			ktls_reason_name(ktls_reason(s)));
	else
		fprintf(stderr, "https-server: %s\n", strerror(-err));
}

static int listen_on(int port)
{
	struct sockaddr_in6 sa = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	int one = 1, fd;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct ktls_config cfg = { .role = KTLS_SERVER };
	struct timeval idle = { .tv_sec = 30 };
	struct ktls_session *s;
	struct ktls_ctx *ctx;
	int lfd, dir, fd, ret;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s CERT KEY DIR [PORT]\n", argv[0]);
		return 2;
	}
	cfg.cert_file = argv[1];
	cfg.key_file = argv[2];
	/* one context for every connection: certificate and key load once */
	ret = ktls_ctx_new(&cfg, &ctx);
	if (ret) {
		fprintf(stderr, "https-server: %s\n", ktls_ctx_error(ctx));
		ktls_ctx_free(ctx);
		return 1;
	}
	dir = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	lfd = listen_on(argc == 5 ? atoi(argv[4]) : 8443);
	if (dir < 0 || lfd < 0) {
		perror("https-server");
		return 1;
	}
	/* a client that goes away mid-file must not end the server */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		/* one client at a time: a silent one must not hold us */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
		ret = ktls_session_new(ctx, fd, &s);
		if (ret) {
			fprintf(stderr, "https-server: %s\n", strerror(-ret));
			close(fd);
			continue;
		}
		/* handshake in wolfSSL, then TX and RX keys to the kernel */
		ret = ktls_accept(s);
		if (!ret)
			ret = serve(s, dir);
		if (!ret)
			/* the kernel never sends close_notify by itself */
			ktls_close_notify(s);
		else
			complain(s, ret);
		ktls_session_free(s);
		close(fd);
	}
}
