// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One worker per CPU: its own SO_REUSEPORT listening socket, its own epoll
 * loop, its own connections. Workers share nothing but the TLS context
 * and the log, so the kernel spreads clients over them and no lock is
 * taken on the request path.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

#define MAX_EVENTS	256
#define ACCEPT_BATCH	64

/**
 * now_ms() - monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point.
 */
long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * worker_watch() - what a connection waits for next
 * @c: connection
 * @events: EPOLLIN or EPOLLOUT
 */
void worker_watch(struct conn *c, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	if (!epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->evfd, &ev))
		c->events = events;
}

/**
 * serve_listen_socket() - a listening socket that shares its port
 * @addr: "PORT", "ADDR:PORT" or "[V6ADDR]:PORT"; no address means all
 *	(IPv6 and IPv4)
 * @fdp: the socket, non-blocking
 * @err: why it failed
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int serve_listen_socket(const char *addr, int *fdp, char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	char host[256] = "", port[16];
	const char *colon = strrchr(addr, ':');
	int fd = -1, one = 1, zero = 0, ret;

	if (!colon) {
		snprintf(port, sizeof(port), "%s", addr);
	} else {
		size_t hl = colon - addr;

		if (hl && addr[0] == '[' && addr[hl - 1] == ']') {
			addr++;
			hl -= 2;
		}
		if (hl >= sizeof(host) || strlen(colon + 1) >= sizeof(port)) {
			snprintf(err, errlen, "bad listen address '%s'", addr);
			return -EINVAL;
		}
		memcpy(host, addr, hl);
		host[hl] = '\0';
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (!*host)
		hints.ai_family = AF_INET6;
	ret = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (ret && !*host) {
		/* no IPv6 here: all IPv4 addresses then */
		hints.ai_family = AF_INET;
		ret = getaddrinfo(NULL, port, &hints, &res);
	}
	if (ret) {
		snprintf(err, errlen, "cannot resolve '%s': %s", addr,
			 gai_strerror(ret));
		return -EINVAL;
	}
	ret = -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				   sizeof(zero));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) &&
		    !listen(fd, 4096))
			break;
		ret = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr,
			 strerror(-ret));
		return ret;
	}
	*fdp = fd;
	return 0;
}

static void listen_on(struct worker *w, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->lfd };

	if (w->lfd < 0)
		return;
	epoll_ctl(w->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->lfd, &ev);
}

/* Returns false when accepting must pause (no fds, or at the limit). */
static bool accept_some(struct worker *w)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (w->nconns >= w->o->max_conns)
			return false;
		sl = sizeof(ss);
		fd = accept4(w->lfd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				log_error("worker %d: cannot accept: %s (pausing 1 s)",
					  w->id, strerror(errno));
				return false;
			}
			return true;
		}
		conn_accept(w, fd, (struct sockaddr *)&ss, sl);
	}
	return true;
}

static void sweep(struct worker *w, long long now)
{
	struct conn *c, *next;

	for (c = w->head; c; c = next) {
		next = c->next;
		if (now >= c->deadline)
			conn_timeout(c);
	}
}

static void begin_stop(struct worker *w)
{
	struct conn *c, *next;

	w->stopping = true;
	w->stop_at = now_ms() + w->o->grace * 1000LL;
	listen_on(w, false);
	close(w->lfd);
	w->lfd = -1;
	for (c = w->head; c; c = next) {
		next = c->next;
		conn_stop(c);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[MAX_EVENTS];
	long long next_sweep = now_ms() + 1000, now;
	bool paused = false;
	int n, i;

	listen_on(w, true);
	for (;;) {
		if (w->stopping && (!w->nconns || now_ms() >= w->stop_at))
			break;
		n = epoll_wait(w->epfd, ev, MAX_EVENTS, 1000);
		if (n < 0 && errno != EINTR) {
			log_error("worker %d: epoll_wait: %s", w->id,
				  strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;

			if (p == &w->lfd) {
				if (!accept_some(w)) {
					listen_on(w, false);
					paused = true;
				}
			} else if (p == &w->wakefd) {
				uint64_t v;

				if (read(w->wakefd, &v, sizeof(v)) < 0)
					v = 0;
				if (!w->stopping)
					begin_stop(w);
			} else {
				conn_event(p, ev[i].events);
			}
		}
		now = now_ms();
		if (now >= next_sweep) {
			sweep(w, now);
			next_sweep = now + 1000;
			if (paused && !w->stopping) {
				listen_on(w, true);
				paused = false;
			}
		}
	}
	while (w->head)
		conn_close(w->head);
	return NULL;
}

/**
 * worker_start() - set up a worker around its listening socket and run it
 * @w: worker with id, o, lfd and rootfd filled in
 *
 * Return: 0 or a negative errno.
 */
int worker_start(struct worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &w->wakefd };
	int ret;

	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0) {
		ret = -errno;
		goto err_close_ep;
	}
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev)) {
		ret = -errno;
		goto err_close_wake;
	}
	w->scratch = malloc(SCRATCH);
	if (!w->scratch) {
		ret = -ENOMEM;
		goto err_close_wake;
	}
	ret = fcache_init(&w->fc, w->o->file_cache);
	if (ret)
		goto err_free_scratch;
	if (w->o->io == SERVE_IO_URING) {
		ret = io_uring_queue_init(8, &w->ring, 0);
		if (ret) {
			log_error("worker %d: io_uring unavailable (%s): using sendfile",
				  w->id, strerror(-ret));
		} else {
			w->ring_ok = true;
		}
	}
	ret = pthread_create(&w->thread, NULL, worker_main, w);
	if (ret) {
		ret = -ret;
		goto err_free_ring;
	}
	return 0;

err_free_ring:
	if (w->ring_ok)
		io_uring_queue_exit(&w->ring);
	w->ring_ok = false;
	fcache_exit(&w->fc);
err_free_scratch:
	free(w->scratch);
	w->scratch = NULL;
err_close_wake:
	close(w->wakefd);
err_close_ep:
	close(w->epfd);
	return ret;
}

/**
 * worker_stop() - ask a worker to stop gracefully, wait, and release it
 * @w: running worker
 */
void worker_stop(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->wakefd, &one, sizeof(one)) < 0)
		log_error("worker %d: cannot wake: %s", w->id, strerror(errno));
	pthread_join(w->thread, NULL);
	fcache_exit(&w->fc);
	if (w->ring_ok)
		io_uring_queue_exit(&w->ring);
	if (w->lfd >= 0)
		close(w->lfd);
	free(w->scratch);
	close(w->wakefd);
	close(w->epfd);
}
