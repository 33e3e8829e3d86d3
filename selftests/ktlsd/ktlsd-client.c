// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd-client: the application side of the ktlsd tests. It gets a TCP
 * socket (accepts one, or connects), hands it to ktlsd with libktls's
 * daemon client, then moves data with plain system calls on the kTLS
 * socket, reading control records itself (no libktls session here: the
 * daemon holds the TLS state).
 *
 *   ktlsd-client [OPTIONS] accept PORT       server role, --count N in turn
 *   ktlsd-client [OPTIONS] connect HOST:PORT client role
 *   ktlsd-client [OPTIONS] pairs N           N loopback pairs, 2N concurrent
 *                                            handshakes (submit/poll), then
 *                                            data both ways on every pair
 *   ktlsd-client [OPTIONS] stuck N           N pairs never read on one end;
 *                                            foreign sockets handed back,
 *                                            then N rekeys on full buffers
 *   ktlsd-client [OPTIONS] raw KIND          a malformed request of KIND
 *                                            (badmagic, badversion, biglen,
 *                                            attrpastend, nofd, twofds,
 *                                            dupattr, truncated, notsock)
 *
 * --probe-after FILE: after the handshake, wait until FILE exists, then
 * ask ktlsd whether it still keeps the session (a handed-back handshake
 * message it never accepts: "probe reason=no-session" when it is gone).
 *
 * Result lines on stdout: "ok version=... cipher=..." or
 * "error status=N reason=NAME: sentence". Exit 0 when every handshake
 * succeeded (raw: when the daemon answered with an error), else 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktls/ktls.h>
#include <ktls/ktlsd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static struct ktls_daemon_request req;
static const char *send_file, *recv_file, *probe_file;
static int count = 1;
static bool handback, rekey, http, echo;

static ssize_t read_data(int fd, void *buf, size_t len);

static void print_result(const struct ktls_daemon_result *r, int ret)
{
	if (ret) {
		printf("error status=%d reason=%s: %s\n", ret,
		       ktls_daemon_reason_name(r->reason), r->text);
		return;
	}
	printf("ok version=%s cipher=%s alpn=%s sni=%s peer=%s resumed=%d tx=%s rx=%s session=%016llx keep_ms=%u\n",
	       r->info.version == KTLS_TLS_1_3 ? "1.3" : "1.2",
	       r->info.cipher, r->info.alpn[0] ? r->info.alpn : "-",
	       r->info.server_name[0] ? r->info.server_name : "-",
	       r->peer[0] ? r->peer : "-", r->info.resumed,
	       ktls_carrier_name(r->info.tx), ktls_carrier_name(r->info.rx),
	       (unsigned long long)r->session_id, r->keep_ms);
	fflush(stdout);
}

static int send_record(int fd, unsigned char type, const void *buf,
		       size_t len)
{
	char cbuf[CMSG_SPACE(1)];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(cm) = type;
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

/* One record and its TLS content type (data when no cmsg came). */
static ssize_t recv_record(int fd, void *buf, size_t len, unsigned char *type)
{
	char cbuf[CMSG_SPACE(1)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	do {
		n = recvmsg(fd, &mh, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*type = KTLS_CT_APPLICATION_DATA;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cm);
	return n;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Send a file, then close_notify (the kernel never sends it itself). */
static int do_send(int fd, const char *file)
{
	static unsigned char buf[65536];
	unsigned char alert[2] = {
		KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY
	};
	int in = open(file, O_RDONLY);
	ssize_t n;
	int ret = 0;

	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ret = write_all(fd, buf, n);
		if (ret)
			break;
	}
	close(in);
	if (!ret)
		ret = send_record(fd, KTLS_CT_ALERT, alert, sizeof(alert));
	shutdown(fd, SHUT_WR);
	return ret;
}

/*
 * Receive until close_notify or TCP end. Handshake records (tickets,
 * KeyUpdate) go back to ktlsd with --handback; without it a ticket is
 * skipped and a KeyUpdate is an error, as the kernel cannot follow it alone.
 */
static int do_recv(int fd, const char *file, uint64_t sid)
{
	static unsigned char buf[65536];
	int out = file ? open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	struct ktls_daemon_result res;
	int ret = 0;

	if (file && out < 0)
		return -errno;
	for (;;) {
		unsigned char type;
		ssize_t n = recv_record(fd, buf, sizeof(buf), &type);

		if (n < 0) {
			ret = n;
			fprintf(stderr, "recv: %s\n", strerror(-n));
			break;
		}
		if (type == KTLS_CT_APPLICATION_DATA) {
			if (!n)
				break;		/* TCP end without close_notify */
			if (out >= 0 && write_all(out, buf, n)) {
				ret = -EIO;
				break;
			}
			continue;
		}
		if (type == KTLS_CT_ALERT) {
			if (n >= 2 && buf[1] == 0)
				break;		/* close_notify */
			fprintf(stderr, "peer sent alert %d\n", n >= 2 ? buf[1] : -1);
			ret = -ECONNABORTED;
			break;
		}
		if (type == KTLS_CT_HANDSHAKE && handback && sid) {
			ret = ktls_daemon_post_handshake(req.socket_path, fd, sid,
							 buf, n, &res);
			printf("handback type=%u len=%zd: %s%s\n", buf[0], n,
			       ret ? "error: " : "ok", ret ? res.text : "");
			fflush(stdout);
			if (ret && buf[0] == 24)
				break;
			ret = 0;
			continue;
		}
		if (type == KTLS_CT_HANDSHAKE && buf[0] == 4)
			continue;		/* ticket, nobody to give it to */
		fprintf(stderr, "unexpected record type %u (message %u)\n",
			type, n ? buf[0] : 0);
		ret = -EPROTO;
		break;
	}
	if (out >= 0)
		close(out);
	return ret;
}

/* Answer one HTTP request with the --send file (for curl). */
static int do_http(int fd)
{
	char req_buf[8192], hdr[256];
	size_t have = 0;
	struct stat st;
	int n;

	while (have < sizeof(req_buf) - 1) {
		ssize_t r = read_data(fd, req_buf + have,
				      sizeof(req_buf) - 1 - have);

		if (r <= 0)
			return r ? (int)r : -EPIPE;
		have += r;
		req_buf[have] = '\0';
		if (strstr(req_buf, "\r\n\r\n"))
			break;
	}
	if (stat(send_file, &st))
		return -errno;
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
		     (long long)st.st_size);
	if (write_all(fd, (unsigned char *)hdr, n))
		return -EIO;
	return do_send(fd, send_file);
}

/*
 * Send the --send file without closing, read until as many data bytes came
 * back (handing control records to ktlsd on the way), then close_notify.
 */
static int do_echo(int fd, uint64_t sid)
{
	static unsigned char buf[16384];
	unsigned char alert[2] = {
		KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY
	};
	struct ktls_daemon_result res;
	int in = open(send_file, O_RDONLY);
	ssize_t n, want = 0, got = 0;
	int ret = 0;

	if (in < 0)
		return -errno;
	n = read(in, buf, sizeof(buf));
	close(in);
	if (n <= 0 || write_all(fd, buf, n))
		return -EIO;
	want = n;
	while (!ret && got < want) {
		unsigned char type;

		n = recv_record(fd, buf, sizeof(buf), &type);
		if (n <= 0)
			return n ? (int)n : -EPIPE;
		if (type == KTLS_CT_APPLICATION_DATA) {
			got += n;
			fwrite(buf, 1, n, stdout);
			continue;
		}
		if (type != KTLS_CT_HANDSHAKE || !handback || !sid)
			continue;
		ret = ktls_daemon_post_handshake(req.socket_path, fd, sid, buf,
						 n, &res);
		printf("handback type=%u len=%zd: %s%s\n", buf[0], n,
		       ret ? "error: " : "ok", ret ? res.text : "");
	}
	printf("\n");
	fflush(stdout);
	send_record(fd, KTLS_CT_ALERT, alert, sizeof(alert));
	shutdown(fd, SHUT_WR);
	return ret;
}

/*
 * Is the session still kept? A Finished message is never a valid
 * hand-back: a kept session is refused for that (and stays kept), a
 * forgotten one with no-session.
 */
static int do_probe(int fd, uint64_t sid)
{
	static const unsigned char finished[4] = { 20, 0, 0, 0 };
	struct ktls_daemon_result res;
	int i, ret;

	for (i = 0; i < 1200 && access(probe_file, F_OK); i++)
		usleep(100000);
	if (i == 1200) {
		fprintf(stderr, "probe: %s never appeared\n", probe_file);
		return 1;
	}
	ret = ktls_daemon_post_handshake(req.socket_path, fd, sid, finished,
					 sizeof(finished), &res);
	printf("probe reason=%s: %s\n",
	       ret ? ktls_daemon_reason_name(res.reason) : "none",
	       ret ? res.text : "accepted");
	fflush(stdout);
	return 0;
}

static int after_handshake(int fd, const struct ktls_daemon_result *r)
{
	struct ktls_daemon_result res;
	int ret = 0;

	if (http)
		return do_http(fd);
	if (probe_file)
		return do_probe(fd, r->session_id);

	if (rekey) {
		ret = ktls_daemon_rekey(req.socket_path, fd, r->session_id, 1,
					&res);
		if (ret)
			printf("rekey error status=%d reason=%s: %s\n", ret,
			       ktls_daemon_reason_name(res.reason), res.text);
		else
			printf("rekey ok\n");
		fflush(stdout);
	}
	if (!ret && echo)
		return do_echo(fd, r->session_id);
	if (!ret && send_file)
		ret = do_send(fd, send_file);
	/*
	 * Closing with unread bytes (a TLS 1.3 ticket) makes the kernel send
	 * a reset, and the peer may lose data it has not read yet: read
	 * until the peer closes too.
	 */
	if (!ret && send_file && !recv_file)
		do_recv(fd, NULL, 0);
	if (!ret && recv_file)
		ret = do_recv(fd, strcmp(recv_file, "-") ? recv_file : NULL,
			      r->session_id);
	return ret;
}

static int handle(int fd)
{
	struct ktls_daemon_result r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = ktls_daemon_handshake(fd, &req, &r);
	print_result(&r, ret);
	if (ret)
		return ret;
	return after_handshake(fd, &r);
}

static int listen_on(int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 4096)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int cmd_accept(int port)
{
	int lfd = listen_on(port), i, fails = 0;

	if (lfd < 0) {
		fprintf(stderr, "listen: %s\n", strerror(-lfd));
		return 1;
	}
	for (i = 0; i < count; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			perror("accept");
			return 1;
		}
		if (handle(fd))
			fails++;
		close(fd);
	}
	close(lfd);
	return fails ? 1 : 0;
}

static int dial(const char *host, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int cmd_connect(const char *hp)
{
	char host[256];
	const char *colon = strrchr(hp, ':');
	int fd, i, fails = 0;

	if (!colon || (size_t)(colon - hp) >= sizeof(host)) {
		fprintf(stderr, "connect: expected HOST:PORT\n");
		return 2;
	}
	memcpy(host, hp, colon - hp);
	host[colon - hp] = '\0';
	for (i = 0; i < count; i++) {
		fd = dial(host, atoi(colon + 1));
		if (fd < 0) {
			fprintf(stderr, "connect: %s\n", strerror(-fd));
			return 1;
		}
		if (handle(fd))
			fails++;
		close(fd);
	}
	return fails ? 1 : 0;
}

/* One data record; tickets before it are skipped. */
static ssize_t read_data(int fd, void *buf, size_t len)
{
	for (;;) {
		unsigned char type;
		ssize_t n = recv_record(fd, buf, len, &type);

		if (n < 0 || type == KTLS_CT_APPLICATION_DATA)
			return n;
		if (type != KTLS_CT_HANDSHAKE)
			return -EPROTO;
	}
}

/*
 * N loopback pairs; both ends of every pair go to ktlsd at once (server
 * profile for the accepted end, client profile for the other), all
 * submitted before any completes. fds[2i] is the server end, fds[2i+1]
 * the client end; ids[] (when not NULL) gets each end's kept session.
 *
 * Return: how many requests failed, or -1 when the pairs could not be made.
 */
static int make_pairs(int n, const char *client_profile, int *fds,
		      uint64_t *ids)
{
	struct ktls_daemon_request creq = req, sreq = req;
	struct ktls_daemon_op **ops;
	struct pollfd *pfds;
	int lfd, port, i, left, bad = 0, ret;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	lfd = listen_on(0);
	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&sin, &sl))
		return -1;
	port = ntohs(sin.sin_port);
	ops = calloc(2 * n, sizeof(*ops));
	pfds = calloc(2 * n, sizeof(*pfds));
	if (!ops || !pfds)
		return -1;
	creq.role = KTLS_CLIENT;
	creq.profile = client_profile;
	sreq.role = KTLS_SERVER;
	for (i = 0; i < n; i++) {
		fds[2 * i + 1] = dial("127.0.0.1", port);
		fds[2 * i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fds[2 * i] < 0 || fds[2 * i + 1] < 0) {
			fprintf(stderr, "pair %d: %s\n", i, strerror(errno));
			return -1;
		}
		ret = ktls_daemon_submit(fds[2 * i], &sreq, &ops[2 * i]);
		if (!ret)
			ret = ktls_daemon_submit(fds[2 * i + 1], &creq,
						 &ops[2 * i + 1]);
		if (ret) {
			fprintf(stderr, "submit %d: %s\n", i, strerror(-ret));
			return -1;
		}
	}
	close(lfd);
	left = 2 * n;
	while (left) {
		int k = 0;

		for (i = 0; i < 2 * n; i++)
			if (ops[i]) {
				pfds[k].fd = ktls_daemon_op_fd(ops[i]);
				pfds[k].events = POLLIN;
				k++;
			}
		if (poll(pfds, k, -1) < 0 && errno != EINTR)
			return -1;
		for (i = 0; i < 2 * n; i++) {
			struct ktls_daemon_result r;

			if (!ops[i])
				continue;
			ret = ktls_daemon_complete(ops[i], &r);
			if (ret == -EAGAIN)
				continue;
			ops[i] = NULL;
			left--;
			if (ret) {
				bad++;
				print_result(&r, ret);
			} else if (ids) {
				ids[i] = r.session_id;
			}
		}
	}
	free(ops);
	free(pfds);
	return bad;
}

/* N pairs, then a message both ways through kTLS on every pair. */
static int cmd_pairs(int n, const char *client_profile)
{
	int *fds = calloc(2 * n, sizeof(*fds)), i, ok = 0, bad;

	if (!fds)
		return 1;
	bad = make_pairs(n, client_profile, fds, NULL);
	if (bad < 0)
		return 1;
	/* data both ways on every pair that came through whole */
	for (i = 0; i < n && !bad; i++) {
		char msg[64], got[64];
		int a = fds[2 * i], b = fds[2 * i + 1], len;

		len = snprintf(msg, sizeof(msg), "pair %d says hello", i);
		if (write(a, msg, len) != len ||
		    read_data(b, got, sizeof(got)) != len ||
		    memcmp(msg, got, len) || write(b, msg, len) != len ||
		    read_data(a, got, sizeof(got)) != len ||
		    memcmp(msg, got, len)) {
			fprintf(stderr, "pair %d: data did not go through\n", i);
			bad++;
			continue;
		}
		ok++;
	}
	for (i = 0; i < 2 * n; i++)
		close(fds[i]);
	printf("pairs ok=%d failed=%d\n", ok, bad);
	free(fds);
	return bad ? 1 : 0;
}

/* ---- hand-backs ktlsd must refuse or bound ----------------------------- */

static void print_session(const char *what, int ret,
			  const struct ktls_daemon_result *r, long long ms)
{
	if (ret)
		printf("%s error status=%d reason=%s ms=%lld: %s\n", what, ret,
		       ktls_daemon_reason_name(r->reason), ms, r->text);
	else
		printf("%s ok ms=%lld\n", what, ms);
	fflush(stdout);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Sockets that are not the kept session's own connection: a plain TCP
 * connection, and another kTLS connection of ktlsd's. Each must be
 * refused (reason bad-socket) without touching the session.
 */
static int refuse_foreign(const int *fds, const uint64_t *ids)
{
	unsigned char ku[5] = { 24, 0, 0, 1, 0 };
	struct ktls_daemon_result r;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd = listen_on(0), a, b, ret;

	if (lfd < 0 || getsockname(lfd, (struct sockaddr *)&sin, &sl))
		return -1;
	a = dial("127.0.0.1", ntohs(sin.sin_port));
	b = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (a < 0 || b < 0)
		return -1;
	/* the server end's session; the client end's stays for later */
	ret = ktls_daemon_rekey(req.socket_path, a, ids[0], 0, &r);
	print_session("plain-rekey", ret, &r, 0);
	ret = ktls_daemon_post_handshake(req.socket_path, a, ids[0], ku,
					 sizeof(ku), &r);
	print_session("plain-keyupdate", ret, &r, 0);
	/* the client end of the same pair: kTLS, but another connection */
	ret = ktls_daemon_rekey(req.socket_path, fds[1], ids[0], 0, &r);
	print_session("other-rekey", ret, &r, 0);
	close(a);
	close(b);
	return 0;
}

/*
 * N pairs whose server end is never read, then one rekey request per pair
 * at once (one child each), on a client end whose send buffer is full: a
 * KeyUpdate cannot be sent until the peer reads, which it never does.
 * "filled" is printed once every buffer is full and the requests are on
 * their way; each request prints its outcome and how long it took.
 */
static int cmd_stuck(int n, const char *client_profile)
{
	static unsigned char junk[16384];
	static const unsigned char ku[5] = { 24, 0, 0, 1, 1 };
	int *fds = calloc(2 * n, sizeof(*fds)), i, small = 4096, fails = 0;
	uint64_t *ids = calloc(2 * n, sizeof(*ids));
	pid_t *kids = calloc(n, sizeof(*kids));

	if (!fds || !ids || !kids || make_pairs(n, client_profile, fds, ids))
		return 1;
	if (refuse_foreign(fds, ids))
		return 1;
	for (i = 0; i < n; i++) {
		int c = fds[2 * i + 1];

		setsockopt(fds[2 * i], SOL_SOCKET, SO_RCVBUF, &small,
			   sizeof(small));
		setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		/*
		 * Full means: no room even once the ACKs in flight came
		 * back and the peer's receive buffer filled up too.
		 */
		do {
			while (send(c, junk, sizeof(junk), MSG_DONTWAIT) > 0)
				;
			if (errno != EAGAIN) {
				perror("filling the send buffer");
				return 1;
			}
		} while (poll(&(struct pollfd){ .fd = c, .events = POLLOUT },
			      1, 500) > 0);
	}
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 1;
		if (!kids[i]) {
			struct ktls_daemon_result r;
			long long t0 = mono_ms();
			char what[32];
			int ret;

			/* --handback: a KeyUpdate asking for ours instead */
			if (handback)
				ret = ktls_daemon_post_handshake(req.socket_path,
						fds[2 * i + 1], ids[2 * i + 1],
						ku, sizeof(ku), &r);
			else
				ret = ktls_daemon_rekey(req.socket_path,
						fds[2 * i + 1], ids[2 * i + 1],
						0, &r);
			snprintf(what, sizeof(what), "stuck-%s %d",
				 handback ? "keyupdate" : "rekey", i);
			print_session(what, ret, &r, mono_ms() - t0);
			_exit(ret ? 1 : 0);
		}
	}
	printf("filled %d\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int st;

		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			fails++;
	}
	for (i = 0; i < 2 * n; i++)
		close(fds[i]);
	free(fds);
	free(ids);
	free(kids);
	return fails ? 1 : 0;
}

/* ---- malformed requests ---------------------------------------------- */

static int raw_send(const unsigned char *msg, size_t len, int *fds, int nfds)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	const char *path = req.socket_path ? req.socket_path : getenv("KTLSD_SOCKET");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		 path ? path : KTLSD_SOCKET);
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun))) {
		perror("connect to ktlsd");
		return -1;
	}
	if (nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	if (sendmsg(s, &mh, MSG_NOSIGNAL) < 0) {
		perror("sendmsg");
		close(s);
		return -1;
	}
	return s;
}

static int raw_reply(int s)
{
	unsigned char buf[KTLSD_MAX_MSG];
	const unsigned char *v;
	struct ktlsd_hdr h;
	size_t have = 0, off = 0;
	__u16 type, n;
	__u32 status = 0, reason = 0;
	char text[600] = "";
	ssize_t r;

	while ((r = read(s, buf + have, sizeof(buf) - have)) > 0)
		have += r;
	close(s);
	if (have < sizeof(h)) {
		printf("no reply\n");
		return 1;
	}
	memcpy(&h, buf, sizeof(h));
	while (ktlsd_attr_next(buf + sizeof(h), have - sizeof(h), &off, &type,
			       &v, &n) > 0) {
		if (type == KTLSD_A_STATUS && n == 4)
			memcpy(&status, v, 4);
		if (type == KTLSD_A_REASON && n == 4)
			memcpy(&reason, v, 4);
		if (type == KTLSD_A_REASON_TEXT && n < sizeof(text)) {
			memcpy(text, v, n);
			text[n] = '\0';
		}
	}
	printf("error status=%d reason=%s: %s\n", (int)status,
	       ktls_daemon_reason_name(reason), text);
	return (int)status < 0 ? 0 : 1;
}

static int cmd_raw(const char *kind)
{
	unsigned char msg[KTLSD_MAX_MSG];
	unsigned char *a = msg + sizeof(struct ktlsd_hdr);
	size_t cap = sizeof(msg) - sizeof(struct ktlsd_hdr), off = 0, len;
	struct ktlsd_hdr h = {
		.magic = KTLSD_MAGIC, .version = KTLSD_PROTO_VERSION,
		.type = KTLSD_MSG_HANDSHAKE,
	};
	int sp[2], fds[2], nfds = 1, s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		return 1;
	/* a TCP socket that is not connected, for most kinds */
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	fds[1] = sp[0];
	ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_ROLE, KTLS_SERVER);
	ktlsd_attr_put_str(a, cap, &off, KTLSD_A_PROFILE,
			   req.profile ? req.profile : "server");
	if (!strcmp(kind, "badmagic")) {
		h.magic = 0x12345678;
	} else if (!strcmp(kind, "badversion")) {
		h.version = 99;
	} else if (!strcmp(kind, "biglen")) {
		h.len = 1 << 30;
	} else if (!strcmp(kind, "attrpastend")) {
		struct ktlsd_attr at = { .type = KTLSD_A_SERVER_NAME,
					 .len = 4000 };

		memcpy(a + off, &at, sizeof(at));
		off += sizeof(at) + 8;
	} else if (!strcmp(kind, "dupattr")) {
		ktlsd_attr_put_u32(a, cap, &off, KTLSD_A_ROLE, KTLS_SERVER);
	} else if (!strcmp(kind, "nofd")) {
		nfds = 0;
	} else if (!strcmp(kind, "twofds")) {
		nfds = 2;
	} else if (!strcmp(kind, "notsock")) {
		fds[0] = sp[0];
	} else if (strcmp(kind, "truncated") && strcmp(kind, "notconn")) {
		fprintf(stderr, "raw: unknown kind %s\n", kind);
		return 2;
	}
	if (!h.len)
		h.len = off;
	memcpy(msg, &h, sizeof(h));
	len = sizeof(h) + off;
	if (!strcmp(kind, "truncated"))
		len -= 6;	/* then stall: the daemon's request timeout */
	s = raw_send(msg, len, fds, nfds);
	if (s < 0)
		return 1;
	close(fds[0]);
	close(sp[0]);
	close(sp[1]);
	return raw_reply(s);
}

static void usage(void)
{
	fputs("usage: ktlsd-client [--socket P] [--profile NAME] [--client-profile NAME]\n"
	      "         [--sni NAME] [--alpn LIST] [--timeout MS] [--count N]\n"
	      "         [--send FILE] [--recv FILE|-] [--handback] [--rekey] [--http] [--echo]\n"
	      "         [--probe-after FILE]\n"
	      "         { accept PORT | connect HOST:PORT | pairs N | stuck N | raw KIND }\n",
	      stderr);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "profile", required_argument, NULL, 'p' },
		{ "client-profile", required_argument, NULL, 'P' },
		{ "sni", required_argument, NULL, 'n' },
		{ "alpn", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "send", required_argument, NULL, 's' },
		{ "recv", required_argument, NULL, 'r' },
		{ "handback", no_argument, NULL, 'H' },
		{ "rekey", no_argument, NULL, 'R' },
		{ "http", no_argument, NULL, 'h' },
		{ "echo", no_argument, NULL, 'e' },
		{ "probe-after", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	const char *client_profile = "client";
	int o;

	signal(SIGPIPE, SIG_IGN);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'S':
			req.socket_path = optarg;
			break;
		case 'p':
			req.profile = optarg;
			break;
		case 'P':
			client_profile = optarg;
			break;
		case 'n':
			req.server_name = optarg;
			break;
		case 'a':
			req.alpn = optarg;
			break;
		case 't':
			req.timeout_ms = atoi(optarg);
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 's':
			send_file = optarg;
			break;
		case 'r':
			recv_file = optarg;
			break;
		case 'H':
			handback = true;
			break;
		case 'R':
			rekey = true;
			break;
		case 'h':
			http = true;
			break;
		case 'e':
			echo = true;
			break;
		case 'W':
			probe_file = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage();
		return 2;
	}
	if (!strcmp(argv[optind], "accept")) {
		req.role = KTLS_SERVER;
		if (!req.profile)
			req.profile = "server";
		return cmd_accept(atoi(argv[optind + 1]));
	}
	if (!strcmp(argv[optind], "connect")) {
		req.role = KTLS_CLIENT;
		if (!req.profile)
			req.profile = "client";
		return cmd_connect(argv[optind + 1]);
	}
	if (!strcmp(argv[optind], "pairs")) {
		if (!req.profile)
			req.profile = "server";
		return cmd_pairs(atoi(argv[optind + 1]), client_profile);
	}
	if (!strcmp(argv[optind], "stuck")) {
		if (!req.profile)
			req.profile = "server";
		return cmd_stuck(atoi(argv[optind + 1]), client_profile);
	}
	if (!strcmp(argv[optind], "raw"))
		return cmd_raw(argv[optind + 1]);
	usage();
	return 2;
}
