// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd's job machine (userspace/ktlsd/job.c, client.c and request.c): one
 * application connection is a socketpair whose daemon end is a real job
 * (ktlsd_job_new), watched by a real epoll set through worker.c's helpers
 * and driven the way worker.c's loop drives it. The fuzzed input is the
 * application: request bytes split at any point, descriptors of every kind
 * (connected and unconnected TCP sockets, a Unix socket, a file, two at
 * once), half-close and close at any moment, replies read a few bytes at a
 * time through a small socket buffer, and the clock moved past deadlines.
 * A handshake request with a connected socket starts a real client
 * handshake (profile "web", no verification) that no peer answers.
 *
 * Promises: once the application is gone and every deadline has passed,
 * the job is over (nothing is stuck); every descriptor the daemon received
 * or made is closed again; a reply read whole is one well-formed message
 * with a status.
 *
 * Input: a flags byte (bit 0 draining, bit 1 no free handshake slot, bit 2
 * queueing allowed, bit 3 small socket buffers), then one-byte operations:
 * 0 send bytes (two-byte count), 1 send bytes with descriptors (a kind
 * byte, then as 0), 2 half-close, 3 close, 4 read reply bytes (two-byte
 * count), 5 advance the clock (two-byte count of 10 ms) and tick, 6 the
 * TLS peer of the last connected socket sends bytes (two-byte count; none:
 * it half-closes), 7 tick.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../userspace/ktlsd/ktlsd.h"
#include "fuzz.h"

/* What main.c provides to the daemon's other files. */
struct ktlsd_state ktlsd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.listen_fd = -1,
};

static long long now_ms;

long long ktlsd_now_ms(void)
{
	return now_ms;
}

struct ktlsd_conf *ktlsd_current_conf(void)
{
	ktlsd_conf_get(ktlsd.conf);
	return ktlsd.conf;
}

static const char conf_text[] =
	"[global]\n"
	"keep_sessions = 0\n"
	"[profile web]\n"
	"role = client\n"
	"verify = no\n"
	"allow_uid = 0\n";

static struct ktlsd_worker w;
static struct sockaddr_in tcp_addr;
static int tcp_listen = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ktlsd_problems pr = { 0 };
	socklen_t alen = sizeof(tcp_addr);
	char path[64];
	int mfd;

	ktlsd_log_init(false, -1);	/* quiet: nothing is at or below -1 */
	mfd = memfd_create("ktlsd.conf", MFD_CLOEXEC);
	if (mfd < 0 || write(mfd, conf_text, strlen(conf_text)) < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	if (ktlsd_conf_load(path, &ktlsd.conf, &pr))
		abort();
	ktlsd_problems_free(&pr);
	close(mfd);
	w.epfd = epoll_create1(EPOLL_CLOEXEC);
	tcp_listen = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	tcp_addr.sin_family = AF_INET;
	tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (w.epfd < 0 || tcp_listen < 0 ||
	    bind(tcp_listen, (struct sockaddr *)&tcp_addr, sizeof(tcp_addr)) ||
	    listen(tcp_listen, 64) ||
	    getsockname(tcp_listen, (struct sockaddr *)&tcp_addr, &alen))
		abort();
	return 0;
}

/* Descriptors in use; a run makes at most a few dozen, all low numbers. */
static unsigned long long open_fds(void)
{
	unsigned long long set = 0;
	int fd;

	for (fd = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			set |= 1ULL << fd;
	return set;
}

/* Name what was left open before failing. */
static void leaked(unsigned long long before, unsigned long long after)
{
	char link[64], target[256];
	ssize_t n;
	int fd;

	for (fd = 0; fd < 64; fd++) {
		if (((before ^ after) >> fd & 1) == 0)
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "fuzz: fd %d %s: %s\n", fd,
			after >> fd & 1 ? "left open" : "closed", target);
	}
}

struct run {
	struct ktlsd_job *j;
	int app;			/* the application's end, or -1 */
	int peers[8];			/* our ends of the TCP connections */
	int npeers;
	unsigned char reply[KTLSD_MAX_MSG + 64];
	size_t rlen;
	bool reply_cut;			/* more came than fits: a bad reply */
};

static bool job_over(const struct ktlsd_job *j)
{
	return j->state == KTLSD_JOB_REPLY && j->out_off >= j->out.len;
}

/* worker.c's loop, for one job: events, then deadlines, then reaping. */
static void pump(struct run *r, bool do_tick)
{
	struct epoll_event ev[4];
	int i, n;

	if (!r->j)
		return;
	n = epoll_wait(w.epfd, ev, 4, 0);
	for (i = 0; i < n && r->j; i++) {
		if (ev[i].data.ptr == &r->j->hc)
			ktlsd_job_client_event(r->j, ev[i].events);
		else if (ev[i].data.ptr == &r->j->ht)
			ktlsd_job_peer_event(r->j, ev[i].events);
		else
			FZ_ASSERT(0);
		if (job_over(r->j)) {
			ktlsd_job_free(r->j);
			r->j = NULL;
		}
	}
	if (do_tick && r->j) {
		bool draining = atomic_load(&ktlsd.draining);

		if (r->j->state == KTLSD_JOB_QUEUED && !draining)
			ktlsd_job_admit(r->j);
		ktlsd_job_tick(r->j, now_ms, draining);
	}
	if (r->j && job_over(r->j)) {
		ktlsd_job_free(r->j);
		r->j = NULL;
	}
}

static void read_reply(struct run *r, size_t max)
{
	ssize_t n;

	while (r->app >= 0 && max) {
		size_t room = sizeof(r->reply) - r->rlen;
		unsigned char junk[64];

		if (!room) {
			/* a reply longer than any message */
			n = recv(r->app, junk, sizeof(junk), MSG_DONTWAIT);
			if (n > 0)
				r->reply_cut = true;
			if (n <= 0)
				return;
			continue;
		}
		n = recv(r->app, r->reply + r->rlen, room < max ? room : max,
			 MSG_DONTWAIT);
		if (n <= 0)
			return;
		r->rlen += n;
		max -= n;
	}
}

/*
 * Millions of loopback connections would use up the ephemeral ports in
 * TIME_WAIT: closing either end resets the connection instead.
 */
static void no_time_wait(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static int tcp_socket(struct run *r, bool connected)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), peer;

	if (fd < 0 || !connected || r->npeers == 8)
		return fd;
	no_time_wait(fd);
	if (fz_connect(fd, &tcp_addr)) {
		perror("fuzz: connect");
		abort();
	}
	peer = accept4(tcp_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (peer < 0) {
		perror("fuzz: accept");
		abort();
	}
	no_time_wait(peer);
	r->peers[r->npeers++] = peer;
	return fd;
}

/* Send bytes with one or two descriptors, which the daemon then owns. */
static void send_fds(struct run *r, unsigned int kind, const uint8_t *p,
		     size_t n)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fds[2] = { -1, -1 }, pair[2], k, nfds = 1;

	switch (kind % 5) {
	case 0:
		fds[0] = tcp_socket(r, true);
		break;
	case 1:
		fds[0] = tcp_socket(r, false);
		break;
	case 2:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
			abort();
		fds[0] = pair[0];
		close(pair[1]);
		break;
	case 3:
		fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		break;
	default:
		fds[0] = tcp_socket(r, true);
		fds[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		nfds = 2;
		break;
	}
	for (k = 0; k < nfds; k++)
		if (fds[k] < 0)
			abort();
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	sendmsg(r->app, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	for (k = 0; k < nfds; k++)
		close(fds[k]);
}

/* A reply read whole must be one message the client can decode. */
static void check_reply(const struct run *r)
{
	const unsigned char *v;
	struct ktlsd_hdr h;
	bool status = false;
	size_t off = 0;
	__u16 type, n;
	__u32 st;

	FZ_ASSERT(!r->reply_cut);
	if (r->rlen < sizeof(h))
		return;
	memcpy(&h, r->reply, sizeof(h));
	FZ_ASSERT(h.magic == KTLSD_MAGIC && h.type == KTLSD_MSG_REPLY &&
		  h.version == KTLSD_PROTO_VERSION && !h.flags);
	FZ_ASSERT(h.len <= KTLSD_MAX_MSG - sizeof(h));
	if (r->rlen < sizeof(h) + h.len)
		return;
	FZ_ASSERT(r->rlen == sizeof(h) + h.len);
	while (ktlsd_attr_next(r->reply + sizeof(h), h.len, &off, &type, &v,
			       &n) > 0) {
		if (type != KTLSD_A_STATUS)
			continue;
		FZ_ASSERT(n == sizeof(st));
		memcpy(&st, v, sizeof(st));
		FZ_ASSERT((int)st <= 0);
		status = true;
	}
	FZ_ASSERT(off == h.len && status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long fds_before, fds_after;
	struct fz f = { data, size };
	struct ktlsd_conf *c = ktlsd.conf;
	unsigned int flags = fz_u8(&f);
	struct run r = { .app = -1 };
	int sp[2], k, small = 4096;

	/*
	 * Counted at each start: between runs libFuzzer may start its
	 * symbolizer, which keeps two pipes.
	 */
	fds_before = open_fds();
	now_ms = 1000000;
	atomic_store(&ktlsd.draining, !!(flags & 1));
	ktlsd.drain_deadline = now_ms + 1000;
	c->max_handshakes = flags & 2 ? 0 : 16;
	c->queue_max = flags & 4 ? 4 : 0;
	c->queue_timeout_ms = flags & 4 ? 3000 : 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		abort();
	r.app = sp[0];
	fcntl(sp[1], F_SETFL, O_NONBLOCK);
	if (flags & 8) {
		/* replies longer than the buffers leave in several writes */
		setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		setsockopt(sp[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	r.j = ktlsd_job_new(&w, sp[1]);
	if (!r.j)
		abort();

	while (f.n && r.j) {
		const uint8_t *p;
		size_t n;

		switch (fz_u8(&f) % 8) {
		case 0:
			p = fz_bytes(&f, KTLSD_MAX_MSG + 32, &n);
			if (r.app >= 0 && n)
				send(r.app, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			break;
		case 1:
			k = fz_u8(&f);
			p = fz_bytes(&f, KTLSD_MAX_MSG + 32, &n);
			if (r.app >= 0 && n)
				send_fds(&r, k, p, n);
			break;
		case 2:
			if (r.app >= 0)
				shutdown(r.app, SHUT_WR);
			break;
		case 3:
			if (r.app >= 0)
				close(r.app);
			r.app = -1;
			break;
		case 4:
			read_reply(&r, fz_u16(&f) % 2048 + 1);
			break;
		case 5:
			now_ms += fz_u16(&f) * 10LL;
			pump(&r, true);
			break;
		case 6:
			/* the TLS peer answers the handshake, or hangs up */
			p = fz_bytes(&f, 4096, &n);
			if (!r.npeers)
				break;
			if (n)
				send(r.peers[r.npeers - 1], p, n,
				     MSG_NOSIGNAL | MSG_DONTWAIT);
			else
				shutdown(r.peers[r.npeers - 1], SHUT_WR);
			break;
		default:
			pump(&r, true);
			break;
		}
		pump(&r, false);
	}
	/* the application reads what is there, then goes away */
	for (k = 0; k < 4 && r.j; k++) {
		pump(&r, false);
		read_reply(&r, sizeof(r.reply));
	}
	read_reply(&r, sizeof(r.reply));
	if (r.app >= 0)
		close(r.app);
	r.app = -1;
	for (k = 0; k < 4 && r.j; k++) {
		now_ms += 600000;
		pump(&r, true);
	}
	FZ_ASSERT(!r.j);		/* stuck */
	check_reply(&r);
	for (k = 0; k < r.npeers; k++)
		close(r.peers[k]);
	fds_after = open_fds();
	if (fds_after != fds_before)
		leaked(fds_before, fds_after);
	FZ_ASSERT(fds_after == fds_before);	/* a descriptor leaked */
	return 0;
}
