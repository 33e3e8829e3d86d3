// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a connection's TLS lives. The rest of the server sees only
 * tls_start/tls_step and the I/O calls below; behind them:
 *
 *   inproc (--inproc): libktls does the handshake here, then hands the keys
 *     to the kernel (or, with --tls userspace or no kTLS, keeps wolfSSL);
 *   daemon: ktlsd does the handshake on the fd and gives it back with kTLS
 *     installed (needs the ktlsd client in libktls).
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
#include <stdatomic.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "server.h"
#include "uring_sync.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define CT_ALERT	KTLS_CT_ALERT
#define CT_HANDSHAKE	KTLS_CT_HANDSHAKE
#define CT_DATA		KTLS_CT_APPLICATION_DATA
#define MAX_PLAIN	16384	/* record payload, RFC 8446 5.1 */
#define PIPE_CHUNK	65536	/* the io_uring splice pipe (uring_sync.c) */

static struct ktls_ctx *ctx;
static bool use_kernel;
static bool use_daemon;
static struct ktls_daemon_request dreq;
static uint64_t rekey_records;
/* ktlsd said this kernel cannot change kTLS keys: stop asking */
static atomic_bool rekey_impossible;

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
		use_daemon = true;
		dreq.socket_path = o->ktlsd_socket;
		dreq.role = KTLS_SERVER;
		dreq.profile = o->profile;
		dreq.alpn = "http/1.1,http/1.0";
		dreq.timeout_ms = o->handshake_timeout * 1000;
		return 0;
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
	struct ktls_daemon_result res;
	int ret;

	t->fd = fd;
	if (!use_daemon)
		return ktls_session_new(ctx, fd, &t->s);
	memset(&res, 0, sizeof(res));
	ret = ktls_daemon_submit(fd, &dreq, &t->op);
	if (ret)
		snprintf(t->error, sizeof(t->error),
			 "cannot reach ktlsd at %s: %s",
			 dreq.socket_path ? dreq.socket_path : "its socket",
			 strerror(-ret));
	return ret;
}

/**
 * tls_wait_fd() - what to poll while ktlsd runs the handshake
 * @t: state from tls_start()
 *
 * Return: the daemon reply's fd, or -1 when the client socket itself is
 * what the handshake waits on.
 */
int tls_wait_fd(const struct tls_conn *t)
{
	return t->op ? ktls_daemon_op_fd(t->op) : -1;
}

/* Records one TX key may carry: the cipher's AEAD limit or less. */
static uint64_t key_limit(const struct ktls_info *info)
{
	uint64_t limit = ktls_record_limit(info->kernel_cipher);

	return rekey_records && rekey_records < limit ? rekey_records : limit;
}

static int daemon_step(struct tls_conn *t, int *want)
{
	struct ktls_daemon_result res;
	int ret;

	memset(&res, 0, sizeof(res));
	ret = ktls_daemon_complete(t->op, &res);
	if (ret == -EAGAIN) {
		*want = TLS_WANT_DAEMON;
		return ret;
	}
	/* the op is freed now, and its fd closed */
	t->op = NULL;
	if (ret) {
		t->quiet_fail = res.reason == KTLS_R_PEER_CLOSED;
		snprintf(t->error, sizeof(t->error), "ktlsd: %.200s (%s)",
			 res.text[0] ? res.text : strerror(-ret),
			 ktls_daemon_reason_name(res.reason));
		return ret;
	}
	t->info = res.info;
	t->session_id = res.session_id;
	t->tx_records = 0;
	t->tx_limit = key_limit(&res.info);
	t->kernel = true;
	t->ready = true;
	return 0;
}

/**
 * tls_step() - advance the handshake; on completion move keys to the kernel
 * @t: state from tls_start()
 * @want: KTLS_WANT_READ, KTLS_WANT_WRITE or TLS_WANT_DAEMON on -EAGAIN
 *
 * Return: 0 when data may flow, -EAGAIN, or a negative errno with the
 * reason in @t->error.
 */
int tls_step(struct tls_conn *t, int *want)
{
	int ret;

	if (t->op)
		return daemon_step(t, want);
	if (!t->s)
		return -EINVAL;
	ret = ktls_handshake_step(t->s, want);
	if (ret == -EAGAIN)
		return ret;
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
	/* dropping a pending request tells ktlsd to stop */
	ktls_daemon_op_free(t->op);
	t->op = NULL;
	ktls_session_free(t->s);
	t->s = NULL;
}

/*
 * A post-handshake message from the client (a TLS 1.3 KeyUpdate) on a
 * socket ktlsd handed back: only ktlsd holds the keys, so it installs the
 * client's next key (and answers if asked). This holds the worker for one
 * round trip to the daemon, which is rare enough (clients rekey after
 * gigabytes, not per request), and never longer than the handshake
 * timeout: a stopped or overloaded ktlsd, or a client that does not read
 * the answer, costs that connection, not the worker.
 */
static int daemon_post_handshake(struct tls_conn *t, const void *msg,
				 size_t len)
{
	struct ktls_daemon_result res;
	int ret;

	if (!t->session_id) {
		snprintf(t->error, sizeof(t->error),
			 "the client sent a post-handshake message (KeyUpdate) and ktlsd kept no session to follow it (keep_sessions = 0, or TLS 1.2)");
		return -ECONNABORTED;
	}
	memset(&res, 0, sizeof(res));
	ret = ktls_daemon_post_handshake_timeout(dreq.socket_path, t->fd,
						 t->session_id, msg, len,
						 dreq.timeout_ms, &res);
	if (ret)
		snprintf(t->error, sizeof(t->error),
			 "ktlsd could not follow the client's KeyUpdate: %.200s",
			 res.text[0] ? res.text : strerror(-ret));
	return ret;
}

/* Refuse what the client sent: fatal @alert through kernel TLS, then end. */
static ssize_t raw_refuse(struct tls_conn *t, int alert, const char *why)
{
	int ret = ktls_fd_refuse(t->fd, alert);

	if (ret)
		snprintf(t->error, sizeof(t->error),
			 "%s: the fatal alert %s could not be sent (%s)", why,
			 ktls_alert_name(alert), strerror(-ret));
	else
		snprintf(t->error, sizeof(t->error),
			 "%s: answered with the fatal alert %s", why,
			 ktls_alert_name(alert));
	return -EPROTO;
}

/* The kernel rejected a record (or the connection broke). */
static ssize_t raw_failed(struct tls_conn *t, ssize_t err)
{
	int alert = ktls_fd_fail(t->fd, err);

	if (alert > 0)
		snprintf(t->error, sizeof(t->error),
			 "kernel TLS rejected a record from the client (%s): answered with the fatal alert %s",
			 strerror(-err), ktls_alert_name(alert));
	else if (alert < 0)
		snprintf(t->error, sizeof(t->error),
			 "kernel TLS rejected a record from the client (%s): the fatal alert could not be sent (%s)",
			 strerror(-err), strerror(-alert));
	return err;
}

/* 0 at close_notify, 1 to read on, or a negative errno. */
static ssize_t raw_alert(struct tls_conn *t, const unsigned char *a, ssize_t n)
{
	char why[64];

	if (n != 2) {
		snprintf(why, sizeof(why),
			 "the client sent an alert record of %zd bytes", n);
		return raw_refuse(t, KTLS_ALERT_DECODE_ERROR, why);
	}
	if (a[1] == 0)
		return 0;
	/* TLS 1.2 warnings and TLS 1.3 user_canceled may be ignored */
	if ((t->info.version == KTLS_TLS_1_2 && a[0] == 1) ||
	    (t->info.version == KTLS_TLS_1_3 && a[1] == 90))
		return 1;
	snprintf(t->error, sizeof(t->error),
		 "the client sent the fatal alert %s", ktls_alert_name(a[1]));
	return -ECONNABORTED;
}

/*
 * Every handshake message in a record, by libktls's post-handshake rules
 * (1 when all went well): a KeyUpdate goes to ktlsd, anything else is
 * refused. A message split over records is refused too: nothing a server
 * may receive now is longer than a 5-byte KeyUpdate, no real client splits
 * that, and Linux 6.14+ would read nothing after its first fragment.
 */
static ssize_t raw_handshake(struct tls_conn *t, const unsigned char *p,
			     size_t n)
{
	size_t off = 0, mlen;
	char why[160];
	int ret;

	if (!n)
		return raw_refuse(t, KTLS_ALERT_UNEXPECTED_MESSAGE,
				  "the client sent an empty handshake record");
	while (off < n) {
		mlen = n - off < 4 ? 0 :
		       (size_t)p[off + 1] << 16 | p[off + 2] << 8 | p[off + 3];
		if (n - off < 4 || n - off - 4 < mlen)
			return raw_refuse(t, KTLS_ALERT_UNEXPECTED_MESSAGE,
					  "the client split a handshake message over records after the handshake");
		ret = ktls_check_post_handshake(t->info.version, KTLS_SERVER,
						p + off, 4 + mlen, why,
						sizeof(why));
		if (ret > KTLS_POST_HS_IGNORE)
			return raw_refuse(t, ret, why);
		if (!ret && daemon_post_handshake(t, p + off, 4 + mlen))
			return -ECONNABORTED;
		off += 4 + mlen;
	}
	return 1;
}

/*
 * A kTLS socket ktlsd handed back has no session here: read records
 * ourselves, under the same rules as libktls's ktls_recv(). Data is
 * returned; close_notify ends the stream; a KeyUpdate goes to ktlsd; a
 * fatal alert from the client is reported by name; a record the kernel
 * rejects or one that must not come is answered with the fatal alert.
 */
static ssize_t raw_recv(struct tls_conn *t, void *buf, size_t len)
{
	unsigned char type;
	ssize_t n;

	for (;;) {
		n = ktls_fd_recv_record(t->fd, buf, len, &type,
					MSG_DONTWAIT);
		if (n == -EAGAIN)
			return n;
		if (n < 0)
			return raw_failed(t, n);
		if (type == CT_DATA)
			return n;
		if (type == CT_ALERT)
			n = raw_alert(t, buf, n);	/* 0: close_notify */
		else if (type == CT_HANDSHAKE)
			n = raw_handshake(t, buf, n);
		else
			n = raw_refuse(t, KTLS_ALERT_UNEXPECTED_MESSAGE,
				       "the client sent a record of an unknown type");
		if (n <= 0)
			return n;
	}
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

	if (!t->s)
		return raw_recv(t, buf, len);
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

/*
 * Records a send of @n bytes on a handed-back socket may have made: one
 * per 16 KiB, one more for a record the previous send left open, and
 * through io_uring one more per 64 KiB pipe chunk, each chunk being its
 * own splice that ends its record.
 */
static uint64_t records_for(size_t n, bool piped)
{
	uint64_t r = (n + MAX_PLAIN - 1) / MAX_PLAIN + 1;

	if (piped)
		r += (n + PIPE_CHUNK - 1) / PIPE_CHUNK;
	return r;
}

/* The largest send that fits in @left records. */
static size_t room_for(uint64_t left, bool piped)
{
	size_t n;

	if (left < 2)
		return 0;
	n = (left - 1) * MAX_PLAIN;
	while (n && records_for(n, piped) > left)
		n -= n > MAX_PLAIN ? MAX_PLAIN : n;
	return n;
}

/*
 * The TX key of a handed-back socket is used up: ask ktlsd, which keeps
 * the session, to send our KeyUpdate and install the next key (Linux
 * 6.14+). The worker waits for that round trip, bounded by the handshake
 * timeout, once per 2^24 records at most.
 */
static int daemon_rekey(struct tls_conn *t)
{
	struct ktls_daemon_result res;
	const char *why;
	int ret;

	memset(&res, 0, sizeof(res));
	if (t->info.version != KTLS_TLS_1_3) {
		why = "TLS 1.2 has no KeyUpdate";
	} else if (!t->session_id) {
		why = "ktlsd kept no session to change it (keep_sessions = 0)";
	} else if (atomic_load(&rekey_impossible)) {
		why = "this kernel cannot change kTLS keys (needs Linux 6.14)";
	} else {
		ret = ktls_daemon_rekey_timeout(dreq.socket_path, t->fd,
						t->session_id, 0,
						dreq.timeout_ms, &res);
		if (!ret) {
			t->tx_records = 0;
			return 0;
		}
		/* before 6.14 the kernel refuses a second TX key */
		if (ret == -EKEYEXPIRED)
			atomic_store(&rekey_impossible, true);
		why = res.text[0] ? res.text : strerror(-ret);
	}
	snprintf(t->error, sizeof(t->error),
		 "TX key at its usage limit of %llu records (RFC 8446 5.5), not changed (%.150s): connection closed",
		 (unsigned long long)t->tx_limit, why);
	return -EKEYEXPIRED;
}

/*
 * Before a send on a handed-back socket: shrink @count to what the
 * current key may still carry, one record always kept for our KeyUpdate
 * or close_notify; at the limit, change the key or end the connection.
 * In-process sessions are counted by libktls.
 */
static int tx_budget(struct tls_conn *t, size_t *count, bool piped)
{
	size_t room, want = *count < MAX_PLAIN ? *count : MAX_PLAIN;
	int ret;

	if (t->s || !t->tx_limit)
		return 0;
	room = t->tx_records + 1 < t->tx_limit ?
	       room_for(t->tx_limit - 1 - t->tx_records, piped) : 0;
	if (room < want || !room) {
		ret = daemon_rekey(t);
		if (ret)
			return ret;
		room = room_for(t->tx_limit - 1, piped);
	}
	if (*count > room)
		*count = room;
	return 0;
}

static void tx_charge(struct tls_conn *t, ssize_t n, bool piped)
{
	if (!t->s && n > 0)
		t->tx_records += records_for(n, piped);
}

/* libktls ended an in-process session at its key's limit: say why */
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
	ssize_t n;

	if (t->s)
		return session_sent(t, ktls_send_flags(t->s, buf, len, flags));
	n = tx_budget(t, &len, false);
	if (n)
		return n;
	n = send(t->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL | flags);
	if (n < 0)
		return -errno;
	tx_charge(t, n, false);
	return n;
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
	ssize_t n;

	if (t->s)
		return session_sent(t, ktls_sendfile(t->s, in_fd, off,
						     count));
	n = tx_budget(t, &count, false);
	if (n)
		return n;
	n = sendfile(t->fd, in_fd, off, count);
	if (n < 0)
		return -errno;
	tx_charge(t, n, false);
	return n;
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
	n = tx_budget(t, &count, true);
	if (n)
		return n;
	if (lseek(in_fd, *off, SEEK_SET) < 0)
		return -errno;
	/* a socket ktlsd handed back has no session in this process */
	n = uring_splice_file(ring, t->s, t->fd, in_fd, count);
	if (t->s)
		n = session_sent(t, n);
	tx_charge(t, n, true);
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
	static const unsigned char alert[2] = { 1, 0 };

	if (!t->ready)
		return;
	if (t->s) {
		ktls_close_notify(t->s);
		return;
	}
	/* the kernel never sends close_notify: an alert record, type 21 */
	ktls_fd_send_record(t->fd, CT_ALERT, alert, sizeof(alert),
			    MSG_DONTWAIT);
}
