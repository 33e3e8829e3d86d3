// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a connection's TLS lives. The rest of the server sees only
 * tls_start/tls_step and the I/O calls below; behind them:
 *
 *   inproc (--inproc): libktls does the handshake here, then hands the keys
 *     to the kernel (or, with --tls userspace or no kTLS, keeps wolfSSL);
 *   daemon: ktlsd does the handshake on the fd and gives it back with kTLS
 *     installed; libktls's daemon sessions take the same calls, so one
 *     path below serves both.
 *
 * Whether the kernel can take the keys at all is probed once at start-up
 * on a loopback pair, so a missing tls module is said once, loudly,
 * instead of once per connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "server.h"
#include "uring_sync.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static struct ktls_ctx *ctx;
static bool use_kernel;
static bool use_daemon;
static uint64_t rekey_records;

/* Can this kernel attach the tls ULP? Tried on a loopback connection. */
static int probe_ktls(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, c = -1, s = -1, ret = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -errno;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		ret = -errno;
	if (!ret) {
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)))
			ret = -errno;
	}
	if (!ret) {
		s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			ret = -errno;
	}
	if (!ret && setsockopt(s, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		ret = -errno;
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	close(l);
	return ret;
}

/**
 * tls_init() - build the TLS context and decide where records are made
 * @o: options; io, tls_user and backend may be changed to what is possible
 *
 * Return: 0, or a negative errno after printing why.
 */
int tls_init(struct serve_opts *o)
{
	struct ktls_config cfg;
	int ret;

	if (o->backend == SERVE_TLS_DAEMON && o->tls_user) {
		fprintf(stderr,
			"ktls-serve: --tls userspace needs --inproc: ktlsd always hands over kernel TLS\n");
		return -EINVAL;
	}
	if (!o->tls_user) {
		ret = probe_ktls();
		if (ret) {
			fprintf(stderr,
				"ktls-serve: ****************************************************************\n"
				"ktls-serve: * KERNEL TLS IS NOT AVAILABLE: %s\n"
				"ktls-serve: * (modprobe tls, or a kernel with CONFIG_TLS).\n",
				strerror(-ret));
			if (o->require_ktls || o->backend == SERVE_TLS_DAEMON) {
				fprintf(stderr,
					"ktls-serve: * %s: not serving.\n"
					"ktls-serve: ****************************************************************\n",
					o->require_ktls ? "--require-ktls given" :
					"ktlsd needs it");
				return ret;
			}
			fprintf(stderr,
				"ktls-serve: * Serving with TLS in user space (wolfSSL) and --io write\n"
				"ktls-serve: * instead: slower, and not what this server is for.\n"
				"ktls-serve: ****************************************************************\n");
			o->tls_user = true;
		}
	}
	if (o->tls_user && o->io != SERVE_IO_WRITE) {
		if (!o->quiet)
			fprintf(stderr,
				"ktls-serve: TLS in user space: bodies go out with --io write\n");
		o->io = SERVE_IO_WRITE;
	}
	use_kernel = !o->tls_user;
	rekey_records = o->rekey_records;

	if (o->backend == SERVE_TLS_DAEMON) {
		struct ktls_daemon_request dreq = {
			.socket_path = o->ktlsd_socket,
			.role = KTLS_SERVER,
			.profile = o->profile,
			.alpn = "http/1.1,http/1.0",
			.timeout_ms = o->handshake_timeout * 1000,
			/* libktls counts and has ktlsd change the key */
			.rekey_records = o->rekey_records,
		};

		use_daemon = true;
		ret = ktls_ctx_new_daemon(&dreq, &ctx);
		goto out;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.role = KTLS_SERVER;
	cfg.cert_file = o->cert;
	cfg.key_file = o->key;
	cfg.sni_certs = o->sni_certs;
	cfg.min_version = o->min_version;
	cfg.max_version = o->max_version;
	cfg.ciphers = o->ciphers;
	/* curl --http1.0 offers only http/1.0; both are this server's */
	cfg.alpn = "http/1.1,http/1.0";
	cfg.handshake_timeout_ms = o->handshake_timeout * 1000;
	/* libktls counts in-process sessions and rekeys or closes itself */
	cfg.rekey_records = o->rekey_records;
	if (o->keylog) {
		cfg.policy |= KTLS_P_KEYLOG;
		cfg.keylog_file = o->keylog;
	}
	ret = ktls_ctx_new(&cfg, &ctx);
out:
	if (ret) {
		fprintf(stderr, "ktls-serve: TLS set-up failed: %s\n",
			ktls_ctx_error(ctx));
		ktls_ctx_free(ctx);
		ctx = NULL;
		return ret;
	}
	return 0;
}

/**
 * tls_exit() - release what tls_init() built
 */
void tls_exit(void)
{
	ktls_ctx_free(ctx);
	ctx = NULL;
}

/**
 * tls_mode_name() - the record layer's home, for the start-up banner
 *
 * Return: a short phrase.
 */
const char *tls_mode_name(void)
{
	if (use_daemon)
		return "kernel TLS (handshake by ktlsd)";
	return use_kernel ? "kernel TLS (in-process handshake)" :
			    "user-space TLS (wolfSSL)";
}

/**
 * tls_version_name() - "TLSv1.3" style name
 * @v: KTLS_TLS_1_2 or KTLS_TLS_1_3
 *
 * Return: the name, "-" if unknown.
 */
const char *tls_version_name(unsigned int v)
{
	switch (v) {
	case KTLS_TLS_1_2: return "TLSv1.2";
	case KTLS_TLS_1_3: return "TLSv1.3";
	}
	return "-";
}

/**
 * tls_start() - begin the server handshake on an accepted socket
 * @t: zeroed state
 * @fd: non-blocking connected socket
 *
 * Return: 0 or a negative errno.
 */
int tls_start(struct tls_conn *t, int fd)
{
	t->fd = fd;
	return ktls_session_new(ctx, fd, &t->s);
}

/**
 * tls_wait_fd() - what to poll while the handshake runs
 * @t: state from tls_start()
 *
 * Return: the client socket, or ktlsd's reply socket while ktlsd runs the
 * handshake; it may change after each tls_step().
 */
int tls_wait_fd(const struct tls_conn *t)
{
	return ktls_session_wait_fd(t->s);
}

/* Records one TX key may carry: the cipher's AEAD limit or less. */
static uint64_t key_limit(const struct ktls_info *info)
{
	uint64_t limit = ktls_record_limit(info->kernel_cipher);

	return rekey_records && rekey_records < limit ? rekey_records : limit;
}

/**
 * tls_step() - advance the handshake; on completion move keys to the kernel
 * @t: state from tls_start()
 * @want: KTLS_WANT_READ or KTLS_WANT_WRITE on -EAGAIN, for tls_wait_fd()
 *
 * Return: 0 when data may flow, -EAGAIN, or a negative errno with the
 * reason in @t->error.
 */
int tls_step(struct tls_conn *t, int *want)
{
	int ret;

	if (!t->s)
		return -EINVAL;
	ret = ktls_handshake_step(t->s, want);
	if (ret == -EAGAIN)
		return ret;
	/* a daemon session is in the kernel already: this says 0 */
	if (!ret && use_kernel)
		ret = ktls_offload(t->s);
	if (ret) {
		t->quiet_fail = ktls_reason(t->s) == KTLS_R_PEER_CLOSED;
		snprintf(t->error, sizeof(t->error), "%s (%s)",
			 ktls_reason_text(t->s),
			 ktls_reason_name(ktls_reason(t->s)));
		return ret;
	}
	ktls_get_info(t->s, &t->info);
	t->kernel = use_kernel;
	t->ready = true;
	return 0;
}

/**
 * tls_free() - forget a connection's TLS state (the fd stays open)
 * @t: state
 */
void tls_free(struct tls_conn *t)
{
	/* a daemon handshake in flight is dropped: ktlsd stops it */
	ktls_session_free(t->s);
	t->s = NULL;
}

/**
 * tls_recv() - application data from the peer
 * @t: ready connection
 * @buf: buffer
 * @len: its size (at least 256 bytes keeps control records out of the
 *	library's own buffer)
 *
 * Return: bytes, 0 when the peer closed (close_notify or TCP), -EAGAIN,
 * or another negative errno.
 */
ssize_t tls_recv(struct tls_conn *t, void *buf, size_t len)
{
	ssize_t n;

	n = ktls_recv(t->s, buf, len);
	if (n == -EPIPE)
		return 0;
	if (n == -EWOULDBLOCK)
		return -EAGAIN;
	/* what the client did, and the alert libktls answered it with */
	if (n < 0 && ktls_reason(t->s) != KTLS_R_NONE)
		snprintf(t->error, sizeof(t->error), "%s",
			 ktls_reason_text(t->s));
	return n;
}

/* libktls ended the session at its key's limit: say why */
static ssize_t session_sent(struct tls_conn *t, ssize_t n)
{
	/* only the usage limit ends a send with this */
	if (n == -EKEYEXPIRED)
		snprintf(t->error, sizeof(t->error),
			 "TX key at its usage limit of %llu records (RFC 8446 5.5): %.150s",
			 (unsigned long long)key_limit(&t->info),
			 ktls_reason_text(t->s));
	return n;
}

/**
 * tls_send() - application data to the peer
 * @t: ready connection
 * @buf: data
 * @len: length
 * @flags: 0, or MSG_MORE when a body follows: kernel TLS then keeps the
 *	record open, so a head and a small body leave as one record
 *
 * Return: bytes sent (maybe fewer), -EAGAIN, or a negative errno.
 */
ssize_t tls_send(struct tls_conn *t, const void *buf, size_t len, int flags)
{
	return session_sent(t, ktls_send_flags(t->s, buf, len, flags));
}

/**
 * tls_sendfile() - file to peer, encrypted by the kernel
 * @t: ready kernel-TLS connection
 * @in_fd: file
 * @off: offset, advanced
 * @count: bytes at most
 *
 * Return: bytes sent, -EAGAIN, or a negative errno.
 */
ssize_t tls_sendfile(struct tls_conn *t, int in_fd, off_t *off, size_t count)
{
	return session_sent(t, ktls_sendfile(t->s, in_fd, off, count));
}

/**
 * tls_uring_splice() - file to peer through io_uring splice
 * @t: ready kernel-TLS connection
 * @ring: the worker's ring
 * @in_fd: file
 * @off: offset, advanced
 * @count: bytes at most
 *
 * libktls's helper waits for its completions, so a worker must not ask for
 * more than the socket can take now: it is sized by the free send buffer.
 * The helper reads at the file position; bytes it read but could not send
 * are simply read again next time.
 *
 * Return: bytes sent, -EAGAIN, or a negative errno.
 */
ssize_t tls_uring_splice(struct tls_conn *t, struct io_uring *ring,
			 int in_fd, off_t *off, size_t count)
{
	int sndbuf = 0, queued = 0;
	socklen_t sl = sizeof(sndbuf);
	int fd = t->fd;
	size_t room;
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) ||
	    ioctl(fd, SIOCOUTQ, &queued))
		return -errno;
	/* records and their encrypted copies are charged to the socket too */
	room = sndbuf > queued ? (size_t)(sndbuf - queued) / 2 : 0;
	if (room < 16384)
		return -EAGAIN;
	if (count > room)
		count = room;
	if (lseek(in_fd, *off, SEEK_SET) < 0)
		return -errno;
	n = session_sent(t, uring_splice_file(ring, t->s, fd, in_fd, count));
	if (n > 0)
		*off += n;
	return n;
}

/**
 * tls_close_notify() - say we are done (best effort, never blocks)
 * @t: connection
 */
void tls_close_notify(struct tls_conn *t)
{
	if (t->ready)
		ktls_close_notify(t->s);
}
