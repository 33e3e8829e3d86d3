// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The access log (one line per request) and error messages. Each line is
 * one write(), so lines from different workers never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

static int log_fd = 1;

/**
 * log_open() - where access log lines go
 * @path: NULL or "-" for stdout, "none" for nowhere, else a file (appended)
 *
 * Return: 0 or a negative errno.
 */
int log_open(const char *path)
{
	if (!path || !strcmp(path, "-")) {
		log_fd = 1;
		return 0;
	}
	if (!strcmp(path, "none")) {
		log_fd = -1;
		return 0;
	}
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	return log_fd < 0 ? -errno : 0;
}

static const char *mode_name(const struct conn *c)
{
	if (!c->tls.kernel)
		return "user/write";
	switch (c->w->o->io) {
	case SERVE_IO_SENDFILE:
		return "kTLS/sendfile";
	case SERVE_IO_URING:
		return c->w->ring_ok ? "kTLS/uring" : "kTLS/sendfile";
	case SERVE_IO_WRITE:
		return "kTLS/write";
	}
	return "-";
}

/**
 * log_access() - one line for the request a connection just answered
 * @c: connection
 *
 * Fields: time, client, request line, status, body bytes sent, duration,
 * TLS version, cipher, where records were made and how the body moved,
 * and "aborted" when the client left before the end.
 */
void log_access(struct conn *c)
{
	struct timespec now;
	char line[1024], ts[32];
	double ms;
	time_t t = time(NULL);
	struct tm tm;
	int n;

	if (log_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - c->start.tv_sec) * 1e3 +
	     (now.tv_nsec - c->start.tv_nsec) / 1e6;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line),
		     "%s %s \"%s %s HTTP/1.%d\" %d %llu %.1fms %s %s %s%s\n",
		     ts, c->peer, c->method, c->path,
		     c->have_req ? c->req.minor : 1, c->status, c->sent, ms,
		     tls_version_name(c->tls.info.version),
		     c->tls.info.cipher[0] ? c->tls.info.cipher : "-",
		     mode_name(c), c->aborted ? " aborted" : "");
	if (n >= (int)sizeof(line)) {
		n = sizeof(line);
		line[n - 1] = '\n';
	}
	if (write(log_fd, line, n) < 0)
		log_fd = -1;
}

/**
 * log_error() - one line to stderr, "ktls-serve: " first
 * @fmt: printf format
 *
 * The message may carry text from outside (a peer's certificate subject,
 * ktlsd's words): control bytes are escaped, so it stays one line.
 */
void log_error(const char *fmt, ...)
{
	char msg[600], line[620];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "ktls-serve: ");
	n += http_log_escape(msg, line + n, sizeof(line) - n - 1, false);
	line[n++] = '\n';
	if (write(2, line, n) < 0)
		return;
}
