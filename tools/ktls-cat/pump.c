// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-cat: moving bytes. A thread sends (stdin or a file, by the chosen
 * data path) while the main thread receives to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cat.h"
#include "uring_sync.h"

#define BUFSZ	(256 * 1024)

struct sender {
	struct ktls_session *s;
	const struct cat_opts *o;
	int in;
	int stop[2];		/* written when the peer closed first */
	unsigned long long sent;
	int err;
	bool closed;		/* our close_notify went out */
	bool stopped;		/* input cut short because the peer closed */
};

static int write_out(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

static int maybe_rekey(struct sender *sd, unsigned long long *since)
{
	int ret;

	if (!sd->o->rekey_every || *since < sd->o->rekey_every)
		return 0;
	*since = 0;
	ret = ktls_rekey(sd->s, 1);
	if (ret)
		cat_report_error(sd->o, sd->s, "key update", ret);
	return ret;
}

static int send_stream(struct sender *sd, struct io_uring *ring)
{
	unsigned long long since = 0;
	char *buf = malloc(BUFSZ);
	ssize_t n, w;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = sd->in, .events = POLLIN },
			{ .fd = sd->stop[0], .events = POLLIN },
		};

		/* stdin may never end: stop once the peer has closed */
		if (sd->stop[0] >= 0 && poll(pfd, 2, -1) > 0 &&
		    (pfd[1].revents & POLLIN)) {
			sd->stopped = true;
			break;
		}
		n = read(sd->in, buf, BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		if (ring)
			w = uring_send_all(ring, sd->s, buf, n,
					   sd->o->io == IO_URING_ZC);
		else
			w = ktls_write_all(sd->s, buf, n);
		if (w < 0) {
			ret = w;
			break;
		}
		sd->sent += w;
		since += w;
		ret = maybe_rekey(sd, &since);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

static int send_spliced(struct sender *sd, struct io_uring *ring)
{
	for (;;) {
		ssize_t n = ring ?
			uring_splice_file(ring, sd->s, -1, sd->in, 1 << 20) :
			ktls_splice_from(sd->s, sd->in, 1 << 20);

		if (n < 0)
			return n;
		if (n == 0)
			return 0;
		sd->sent += n;
	}
}

static int send_file(struct sender *sd)
{
	struct stat st;
	off_t off = 0;

	if (fstat(sd->in, &st) || !S_ISREG(st.st_mode))
		return -EINVAL;
	while (off < st.st_size) {
		ssize_t n = ktls_sendfile(sd->s, sd->in, &off,
					  st.st_size - off);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		sd->sent += n;
	}
	return 0;
}

static void *sender_main(void *arg)
{
	struct sender *sd = arg;
	struct io_uring ring;
	bool uring = sd->o->io == IO_URING || sd->o->io == IO_URING_ZC ||
		     sd->o->io == IO_URING_SPLICE;
	int ret;

	if (uring) {
		ret = io_uring_queue_init(8, &ring, 0);
		if (ret) {
			sd->err = ret;
			return NULL;
		}
	}
	switch (sd->o->io) {
	case IO_SENDFILE:
		ret = send_file(sd);
		break;
	case IO_SPLICE:
		ret = send_spliced(sd, NULL);
		break;
	case IO_URING_SPLICE:
		ret = send_spliced(sd, &ring);
		break;
	default:
		ret = send_stream(sd, uring ? &ring : NULL);
	}
	if (uring)
		io_uring_queue_exit(&ring);
	if (!ret)
		ret = ktls_close_notify(sd->s);
	if (!ret) {
		shutdown(ktls_session_fd(sd->s), SHUT_WR);
		sd->closed = true;
	}
	sd->err = ret;
	return NULL;
}

static ssize_t recv_some(struct ktls_session *s, const struct cat_opts *o,
			 char *buf, size_t len, bool *spliced)
{
	ssize_t n;

	*spliced = false;
	if (o->io == IO_SPLICE) {
		n = ktls_splice_to(s, STDOUT_FILENO, len);
		if (n > 0) {
			*spliced = true;
			return n;
		}
		/*
		 * End of stream, a control record (splice cannot pass one) or
		 * data held back from the switch: ktls_recv() sorts it out.
		 */
		if (n < 0 && n != -EIO && n != -EINVAL)
			return n;
	}
	return ktls_recv(s, buf, len);
}

/**
 * cat_pump() - send the input and receive to stdout until both ends close
 * @s: offloaded session
 * @o: options
 * @sent: bytes sent
 * @received: bytes received
 *
 * Return: 0 or a negative errno (reported already).
 */
int cat_pump(struct ktls_session *s, const struct cat_opts *o,
	     unsigned long long *sent, unsigned long long *received)
{
	struct sender sd = { .s = s, .o = o, .in = STDIN_FILENO };
	struct stat st;
	bool spliced;
	pthread_t th;
	char *buf;
	int ret = 0;

	if (o->sendfile) {
		sd.in = open(o->sendfile, O_RDONLY | O_CLOEXEC);
		if (sd.in < 0) {
			ret = -errno;
			fprintf(stderr, "ktls-cat: cannot open %s: %s\n",
				o->sendfile, strerror(errno));
			return ret;
		}
	} else if (o->no_stdin) {
		sd.in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	sd.stop[0] = sd.stop[1] = -1;
	if ((fstat(sd.in, &st) || !S_ISREG(st.st_mode)) &&
	    pipe2(sd.stop, O_CLOEXEC))
		return -errno;
	buf = malloc(BUFSZ);
	if (!buf || pthread_create(&th, NULL, sender_main, &sd)) {
		free(buf);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = recv_some(s, o, buf, BUFSZ, &spliced);

		if (n == 0)
			break;
		if (n < 0) {
			ret = n;
			break;
		}
		if (!spliced) {
			ret = write_out(STDOUT_FILENO, buf, n);
			if (ret)
				break;
		}
		*received += n;
	}
	if (ret && ret != -EPIPE)
		/* the peer is gone: the sender may be stuck in a write */
		shutdown(ktls_session_fd(s), SHUT_RDWR);
	if (sd.stop[1] >= 0 && write(sd.stop[1], "", 1) < 0)
		ret = ret ? ret : -errno;
	pthread_join(th, NULL);
	/*
	 * Many peers (gnutls-cli, s_server) close TCP right after our
	 * close_notify without sending theirs. Once everything of ours went
	 * out and was closed properly, that is a warning, not a failure.
	 */
	if (ret == -EPIPE && !sd.err && sd.closed && !sd.stopped) {
		if (!o->quiet && !o->json)
			fprintf(stderr, "ktls-cat: warning: peer closed without close_notify after ours\n");
		ret = 0;
	} else if (ret) {
		cat_report_error(o, s, "receive", ret);
	}
	if (sd.stop[0] >= 0) {
		close(sd.stop[0]);
		close(sd.stop[1]);
	}
	*sent = sd.sent;
	if (sd.err && !ret) {
		ret = sd.err;
		cat_report_error(o, s, "send", ret);
	}
	if (sd.in != STDIN_FILENO)
		close(sd.in);
	free(buf);
	return ret;
}

/**
 * cat_http() - answer one HTTP/1.x request with the input as the body
 * @s: offloaded server session
 * @o: options (the body is --sendfile FILE or stdin)
 * @sent: body bytes sent
 *
 * Just enough HTTP for curl to fetch from ktls-cat listen.
 *
 * Return: 0 or a negative errno.
 */
int cat_http(struct ktls_session *s, const struct cat_opts *o,
	     unsigned long long *sent)
{
	struct sender sd = {
		.s = s, .o = o, .in = STDIN_FILENO, .stop = { -1, -1 },
	};
	char req[8192], hdr[256];
	size_t have = 0;
	struct stat st;
	int ret;

	while (!memmem(req, have, "\r\n\r\n", 4)) {
		ssize_t n;

		if (have == sizeof(req))
			return -EMSGSIZE;
		n = ktls_recv(s, req + have, sizeof(req) - have);
		if (n <= 0)
			return n ? n : -ECONNRESET;
		have += n;
	}
	if (o->sendfile) {
		sd.in = open(o->sendfile, O_RDONLY | O_CLOEXEC);
		if (sd.in < 0)
			return -errno;
	}
	if (!fstat(sd.in, &st) && S_ISREG(st.st_mode))
		snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n"
			 "Connection: close\r\n\r\n", (long long)st.st_size);
	else
		snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
	ret = ktls_write_all(s, hdr, strlen(hdr));
	if (ret >= 0) {
		sender_main(&sd);
		ret = sd.err;
	}
	*sent = sd.sent;
	if (sd.in != STDIN_FILENO)
		close(sd.in);
	return ret < 0 ? ret : 0;
}
