// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Request I/O on the application's Unix connection: read the request and
 * the descriptor that came with it, check it and hand it on (handshake.c,
 * handback.c, or the counters), write the reply, and watch the deadlines
 * of every state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktlsd.h"

/**
 * ktlsd_job_check_socket() - is the job's descriptor a TCP socket; its peer
 * @j: job; @j->peer is set to "host:port"
 * @connected: it must be connected (a handshake)
 *
 * A ticket handed back needs no connection (it is fed to wolfSSL in
 * memory), and a KeyUpdate on a closed socket fails with libktls's own
 * sentence.
 *
 * Return: 0 or a negative errno.
 */
int ktlsd_job_check_socket(struct ktlsd_job *j, bool connected)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	char host[INET6_ADDRSTRLEN];
	struct stat st;
	int v, port;

	if (fstat(j->tfd, &st) || !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (getsockopt(j->tfd, SOL_SOCKET, SO_PROTOCOL, &v, &len) ||
	    v != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	len = sizeof(ss);
	if (getpeername(j->tfd, (struct sockaddr *)&ss, &len))
		return connected ? -ENOTCONN : 0;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(j->peer, sizeof(j->peer), "%s:%d", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(j->peer, sizeof(j->peer), "[%s]:%d", host, port);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

static void do_stats(struct ktlsd_job *j)
{
	char *text = malloc(KTLSD_MAX_MSG - 64);
	int n;

	if (!text) {
		ktlsd_job_fail(j, -ENOMEM, KTLS_R_INTERNAL, "out of memory");
		return;
	}
	if (ktlsd_job_reply_begin(j, KTLSD_MAX_MSG)) {
		free(text);
		return;
	}
	n = ktlsd_stats_text(text, KTLSD_MAX_MSG - 64);
	ktlsd_reply_put_u32(&j->out, KTLSD_A_STATUS, 0);
	ktlsd_reply_put(&j->out, KTLSD_A_TEXT, text, n);
	free(text);
	ktlsd_job_reply_send(j);
}


static void dispatch(struct ktlsd_job *j)
{
	struct ktlsd_hdr h;
	const char *why;
	bool wants_fd;
	int ret;

	memcpy(&h, j->buf, sizeof(h));
	j->req.type = h.type;
	j->conf = ktlsd_current_conf();
	wants_fd = ktlsd_request_wants_fd(h.type);
	if (j->extra_fds) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    "request carried more than one descriptor");
		return;
	}
	if (wants_fd != (j->tfd >= 0)) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    wants_fd ? "request carried no socket (send it as SCM_RIGHTS)" :
			    "stats request must not carry a descriptor");
		return;
	}
	if (ktlsd_request_parse(j->buf, j->have, &j->req, &why)) {
		ktlsd_job_fail(j, -EBADMSG, KTLSD_R_BAD_REQUEST,
			    "malformed request: %s", why);
		return;
	}
	if (h.type == KTLSD_MSG_STATS) {
		do_stats(j);
		return;
	}
	ret = ktlsd_job_check_socket(j, h.type == KTLSD_MSG_HANDSHAKE);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLSD_R_BAD_SOCKET,
			    "the descriptor is not a connected TCP socket (%s)",
			    strerror(-ret));
		return;
	}
	if (h.type == KTLSD_MSG_HANDSHAKE)
		ktlsd_job_handshake(j);
	else
		ktlsd_job_handback(j);
}

/* Take the descriptors that came with the bytes. */
static void take_fds(struct ktlsd_job *j, struct msghdr *mh)
{
	struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		j->extra_fds = true;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t i, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (j->tfd < 0 && !j->extra_fds) {
				j->tfd = fd;
			} else {
				close(fd);
				j->extra_fds = true;
			}
		}
	}
}

static void read_request(struct ktlsd_job *j)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct ktlsd_hdr h;
	size_t want = sizeof(h);
	const char *why;
	ssize_t n;
	int ret;

	for (;;) {
		struct iovec iov;
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};

		if (j->have >= sizeof(h)) {
			memcpy(&h, j->buf, sizeof(h));
			ret = ktlsd_request_header(&h, &why);
			if (ret) {
				ktlsd_job_fail(j, ret, KTLSD_R_BAD_REQUEST,
					    "%s (version %u, type %u, length %u, flags %#x)",
					    why, h.version, h.type, h.len, h.flags);
				return;
			}
			want = sizeof(h) + h.len;
			if (j->have == want) {
				dispatch(j);
				return;
			}
		}
		iov.iov_base = j->buf + j->have;
		iov.iov_len = want - j->have;
		n = recvmsg(j->cfd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n > 0) {
			take_fds(j, &mh);
			j->have += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* the application went away before asking anything */
		ktlsd_job_abandon(j);
		return;
	}
}

static void write_reply(struct ktlsd_job *j)
{
	ssize_t n;

	while (j->out_off < j->out.len) {
		n = send(j->cfd, j->out.buf + j->out_off,
			 j->out.len - j->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			j->out_off += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ktlsd_epoll_set(j->w, j->cfd, &j->hc, EPOLLOUT,
					&j->cfd_added);
			return;
		}
		/* the application is gone; nothing more to say */
		ktlsd_job_abandon(j);
		return;
	}
}

/**
 * ktlsd_job_client_event() - the application's connection is ready
 * @j: job
 * @events: epoll events
 *
 * The worker frees the job once it is in KTLSD_JOB_REPLY with nothing left
 * to write.
 */
void ktlsd_job_client_event(struct ktlsd_job *j, unsigned int events)
{
	switch (j->state) {
	case KTLSD_JOB_REQUEST:
		read_request(j);
		break;
	case KTLSD_JOB_QUEUED:
	case KTLSD_JOB_HANDSHAKE:
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
			/* the application died or gave up: stop, no reply */
			atomic_fetch_add(&ktlsd_stats.client_gone, 1);
			ktlsd_log(LOG_INFO,
				  "handshake peer=%s uid=%u pid=%d profile=%s result=client-gone ms=%lld",
				  j->peer, (unsigned int)j->uid, (int)j->pid,
				  ktlsd_esc(j->req.profile),
				  ktlsd_now_ms() - j->start);
			ktlsd_job_abandon(j);
		}
		break;
	case KTLSD_JOB_REPLY:
		if (events & (EPOLLHUP | EPOLLERR) && !(events & EPOLLOUT))
			ktlsd_job_abandon(j);
		else
			write_reply(j);
		break;
	}
}

/**
 * ktlsd_job_tick() - deadlines and shutdown
 * @j: job
 * @now: ms
 * @draining: SIGTERM was received
 */
void ktlsd_job_tick(struct ktlsd_job *j, long long now, bool draining)
{
	/* whatever a job waits for, SIGTERM's grace ends the wait */
	bool drained = draining && now >= ktlsd.drain_deadline;

	switch (j->state) {
	case KTLSD_JOB_REQUEST:
		if (drained) {
			j->conf = j->conf ? j->conf : ktlsd_current_conf();
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd stopped before the request was complete (drain_timeout)");
			break;
		}
		/*
		 * A busy loop may not have read a request that did arrive in
		 * time: read what is there before calling it late.
		 */
		if (now >= j->deadline)
			read_request(j);
		if (j->state == KTLSD_JOB_REQUEST && now >= j->deadline) {
			j->conf = j->conf ? j->conf : ktlsd_current_conf();
			ktlsd_job_fail(j, -ETIMEDOUT, KTLSD_R_BAD_REQUEST,
				    "request incomplete after %u ms",
				    j->conf->request_timeout_ms);
		}
		break;
	case KTLSD_JOB_QUEUED:
		if (draining)
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd is shutting down; the handshake was still queued");
		else if (now >= j->deadline)
			ktlsd_job_fail(j, -EBUSY, KTLSD_R_BUSY,
				    "waited %u ms in the queue for one of max_handshakes = %u (max_per_uid = %u) slots: ktlsd is overloaded",
				    j->conf->queue_timeout_ms,
				    j->conf->max_handshakes,
				    j->conf->max_per_uid);
		break;
	case KTLSD_JOB_HANDSHAKE:
		if (now >= j->deadline)
			ktlsd_job_fail(j, -ETIMEDOUT, KTLS_R_TIMEOUT,
				    "peer stalled: handshake not finished after %u ms",
				    j->timeout_ms);
		else if (draining && now >= ktlsd.drain_deadline)
			ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
				    "ktlsd stopped before the handshake finished (drain_timeout)");
		break;
	case KTLSD_JOB_REPLY:
		if (now >= j->deadline || drained)
			ktlsd_job_abandon(j);
		break;
	}
}

