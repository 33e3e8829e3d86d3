// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: one connection whatever carries it. Plain TCP; libktls with
 * the keys handed to the kernel (the ktls-* and device-* paths); libktls
 * left in user space after the handshake, so wolfSSL does every record
 * (the wolfssl path); or OpenSSL in user space (ossl.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static int ktls_side(struct bench_conn *c, const struct bench_tls *t,
		     bool server, char *err, size_t errlen)
{
	struct ktls_config cfg = {
		.role = server ? KTLS_SERVER : KTLS_CLIENT,
		.cert_file = server ? t->cert : NULL,
		.key_file = server ? t->key : NULL,
		.min_version = t->tls,
		.max_version = t->tls,
		.ciphers = bench_wolfssl_suite(t->cipher, t->tls),
		.flags = server ? KTLS_F_NO_TICKETS : KTLS_F_NO_VERIFY,
		.policy = KTLS_P_ALLOW_READABLE_KEY,
		.handshake_timeout_ms = 120000,
	};
	struct pollfd pfd = { .fd = c->fd };
	int ret, want;

	ret = ktls_ctx_new(&cfg, &c->kctx);
	if (ret) {
		snprintf(err, errlen, "libktls: %s", ktls_ctx_error(c->kctx));
		return ret;
	}
	ret = ktls_session_new(c->kctx, c->fd, &c->ks);
	if (ret) {
		snprintf(err, errlen, "libktls session: %s", strerror(-ret));
		return ret;
	}
	if (bench_path_is_ktls(c->path)) {
		ret = server ? ktls_accept(c->ks) : ktls_connect(c->ks);
	} else {
		/* wolfssl path: handshake only, no offload */
		while ((ret = ktls_handshake_step(c->ks, &want)) == -EAGAIN) {
			pfd.events = want == KTLS_WANT_WRITE ? POLLOUT : POLLIN;
			poll(&pfd, 1, 1000);
		}
	}
	if (ret)
		snprintf(err, errlen, "%s handshake: %s",
			 server ? "server" : "client",
			 ktls_reason_text(c->ks));
	return ret;
}

/**
 * bench_conn_handshake() - run the handshake @c->path needs on @c->fd
 * @c: connection with fd and path set
 * @t: certificate, cipher and version
 * @server: our role
 * @err: set to a sentence on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int bench_conn_handshake(struct bench_conn *c, const struct bench_tls *t,
			 bool server, char *err, size_t errlen)
{
	switch (c->path) {
	case P_TCP:
		return 0;
	case P_OPENSSL:
		return bench_ossl_new(c, t, server, err, errlen);
	default:
		return ktls_side(c, t, server, err, errlen);
	}
}

/**
 * bench_conn_recv() - receive application data
 * @c: connection
 * @buf: buffer
 * @len: its size
 *
 * Return: bytes, 0 at the end of the stream, or a negative errno.
 */
ssize_t bench_conn_recv(struct bench_conn *c, void *buf, size_t len)
{
	ssize_t n;

	switch (c->path) {
	case P_TCP:
		do {
			n = recv(c->fd, buf, len, 0);
		} while (n < 0 && errno == EINTR);
		return n < 0 ? -errno : n;
	case P_OPENSSL:
		return bench_ossl_recv(c, buf, len);
	default:
		return ktls_recv(c->ks, buf, len);
	}
}

/**
 * bench_conn_send() - send all of @buf as application data
 * @c: connection
 * @buf: data
 * @len: length
 *
 * Return: @len or a negative errno.
 */
ssize_t bench_conn_send(struct bench_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	switch (c->path) {
	case P_TCP:
		while (done < len) {
			n = send(c->fd, p + done, len - done, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			done += n;
		}
		return done;
	case P_OPENSSL:
		return bench_ossl_send(c, buf, len);
	default:
		return ktls_write_all(c->ks, buf, len);
	}
}

/**
 * bench_conn_close() - end the TLS session and close the socket
 * @c: connection
 * @notify: send close_notify first (the sender, once all data is out)
 */
void bench_conn_close(struct bench_conn *c, bool notify)
{
	if (c->ks) {
		if (notify)
			ktls_close_notify(c->ks);
		ktls_session_free(c->ks);
		c->ks = NULL;
	}
	if (c->kctx) {
		ktls_ctx_free(c->kctx);
		c->kctx = NULL;
	}
	bench_ossl_free(c, notify);
	if (c->fd >= 0) {
		if (notify)
			shutdown(c->fd, SHUT_WR);
		close(c->fd);
		c->fd = -1;
	}
}
