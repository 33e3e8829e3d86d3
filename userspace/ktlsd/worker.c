// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Worker threads: each runs its own epoll loop over the shared listening
 * socket (EPOLLEXCLUSIVE, so one worker wakes per connection), the
 * applications' connections it accepted and the TCP sockets it is
 * handshaking. A job never moves between workers, so jobs need no locks;
 * only the limits, kept sessions and tickets are shared.
 */
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktlsd.h"

#define TICK_MS		50
#define MAX_EVENTS	64

static struct ktlsd_worker *workers;
static int nworkers;
static struct ktlsd_handle listen_handle = { .kind = KTLSD_H_LISTEN };
static struct ktlsd_handle wake_handle = { .kind = KTLSD_H_WAKE };
static struct ktlsd_handle upcall_handle = { .kind = KTLSD_H_UPCALL };

/**
 * ktlsd_epoll_set() - watch @fd for @events (add or modify)
 * @w: worker
 * @fd: descriptor
 * @h: handle the events come back with
 * @events: EPOLL* mask
 * @added: whether @fd is in the set; updated
 *
 * Return: 0 or -1 with errno.
 */
int ktlsd_epoll_set(struct ktlsd_worker *w, int fd, struct ktlsd_handle *h,
		    unsigned int events, bool *added)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (epoll_ctl(w->epfd, *added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
		      &ev))
		return -1;
	*added = true;
	return 0;
}

/**
 * ktlsd_epoll_del() - stop watching @fd
 * @w: worker
 * @fd: descriptor
 * @added: whether @fd is in the set; cleared
 */
void ktlsd_epoll_del(struct ktlsd_worker *w, int fd, bool *added)
{
	if (!*added)
		return;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
	*added = false;
}

static struct ktlsd_job *job_of(struct ktlsd_handle *h)
{
	if (h->kind == KTLSD_H_CLIENT)
		return (struct ktlsd_job *)((char *)h -
					    offsetof(struct ktlsd_job, hc));
	return (struct ktlsd_job *)((char *)h - offsetof(struct ktlsd_job, ht));
}

static void link_job(struct ktlsd_worker *w, struct ktlsd_job *j)
{
	j->prev = w->tail;
	j->next = NULL;
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->njobs++;
}

static void unlink_job(struct ktlsd_worker *w, struct ktlsd_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		w->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		w->tail = j->prev;
	w->njobs--;
}

/*
 * A job whose reply is written (or abandoned) is over. It is freed only
 * after the current batch of events, which may still name it.
 */
static void reap(struct ktlsd_worker *w, struct ktlsd_job *j)
{
	if (j->dead || j->state != KTLSD_JOB_REPLY || j->out_off < j->out.len)
		return;
	unlink_job(w, j);
	j->dead = true;
	j->next = w->grave;
	w->grave = j;
}

static void bury(struct ktlsd_worker *w)
{
	struct ktlsd_job *j;

	while ((j = w->grave)) {
		w->grave = j->next;
		ktlsd_job_free(j);
	}
}

static void stop_listening(struct ktlsd_worker *w)
{
	if (w->upcall_added)
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, ktlsd_upcall_fd(), NULL);
	w->upcall_added = false;
	if (!w->listening)
		return;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, ktlsd.listen_fd, NULL);
	w->listening = false;
}

static void start_listening(struct ktlsd_worker *w)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLEXCLUSIVE,
		.data.ptr = &listen_handle,
	};

	struct epoll_event up = {
		.events = EPOLLIN | EPOLLEXCLUSIVE,
		.data.ptr = &upcall_handle,
	};

	if (atomic_load(&ktlsd.draining))
		return;
	/* the kernel's requests wait in the kernel, not in our descriptors */
	if (!w->upcall_added && w->nl &&
	    !epoll_ctl(w->epfd, EPOLL_CTL_ADD, ktlsd_upcall_fd(), &up))
		w->upcall_added = true;
	if (w->listening || ktlsd.listen_fd < 0)
		return;
	if (!epoll_ctl(w->epfd, EPOLL_CTL_ADD, ktlsd.listen_fd, &ev))
		w->listening = true;
}

/*
 * READY says "there is work"; ACCEPT until the kernel has none left: the
 * READYs of a burst were all read at once, so none is left to come back
 * for the rest. The kernel holds at most 50 per network namespace; the
 * bound is only against a kernel that never says "none".
 */
static void do_upcall(struct ktlsd_worker *w)
{
	struct ktlsd_kreq req;
	struct ktlsd_job *j;
	int i, ret;

	ktlsd_upcall_drain();
	for (i = 0; i < 1024; i++) {
		ret = ktlsd_upcall_accept(w, &req);
		if (ret) {
			if (ret != -ENOENT)
				ktlsd_log(LOG_WARNING,
					  "kernel: ACCEPT failed: %s",
					  strerror(-ret));
			return;
		}
		j = ktlsd_kjob_new(w, &req);
		if (j) {
			link_job(w, j);
			reap(w, j);
		}
	}
}

static void do_accept(struct ktlsd_worker *w)
{
	struct ktlsd_job *j;
	int i, cfd;

	for (i = 0; i < 32; i++) {
		cfd = accept4(ktlsd.listen_fd, NULL, NULL,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				ktlsd_log(LOG_WARNING,
					  "accept: %s: pausing for 100 ms",
					  strerror(errno));
				stop_listening(w);
				w->accept_paused_until = ktlsd_now_ms() + 100;
			}
			return;
		}
		j = ktlsd_job_new(w, cfd);
		if (j)
			link_job(w, j);
	}
}

#define MAX_SKIP_UIDS	64

static bool uid_in(const uid_t *uids, unsigned int n, uid_t uid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (uids[i] == uid)
			return true;
	return false;
}

/*
 * The queue is served round-robin between uids: each free slot goes to
 * the queued request of the uid that was least recently given one (its
 * oldest request; one uid's requests keep their order). A uid at
 * max_per_uid is skipped, never waited for: it must not hold back the
 * uids behind it.
 */
static void admit_queued(struct ktlsd_worker *w)
{
	uid_t skip[MAX_SKIP_UIDS];
	unsigned int nskip = 0;
	struct ktlsd_job *j, *best;
	unsigned long best_served, served;
	int ret;

	for (;;) {
		best = NULL;
		best_served = 0;
		for (j = w->head; j; j = j->next) {
			if (j->state != KTLSD_JOB_QUEUED ||
			    uid_in(skip, nskip, j->uid))
				continue;
			/* older jobs come first: ties keep arrival order */
			served = ktlsd_uid_served(j->uid);
			if (!best || served < best_served) {
				best = j;
				best_served = served;
			}
		}
		if (!best)
			return;
		ret = ktlsd_job_admit(best);
		if (ret == -EBUSY || ret == -ENOMEM)
			return;
		if (ret) {
			/* too many uids at their limit to track: next tick */
			if (nskip == MAX_SKIP_UIDS)
				return;
			skip[nskip++] = best->uid;
		}
		reap(w, best);
	}
}

static void tick(struct ktlsd_worker *w, long long now, bool draining)
{
	struct ktlsd_job *j, *next;

	w->admit_now = false;
	for (j = w->head; j; j = next) {
		next = j->next;
		ktlsd_job_tick(j, now, draining);
		reap(w, j);
	}
	/* after the deadlines: the slots they freed are used at once */
	if (!draining)
		admit_queued(w);
	if ((!w->listening || (w->nl && !w->upcall_added)) && !draining &&
	    now >= w->accept_paused_until)
		start_listening(w);
}

static void *worker_main(void *arg)
{
	struct ktlsd_worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	long long next_tick = 0, now;
	bool draining;
	int i, n;

	start_listening(w);
	/* requests queued before we joined the group got no READY */
	if (w->id == 0 && w->nl)
		do_upcall(w);
	for (;;) {
		draining = atomic_load(&ktlsd.draining);
		if (draining) {
			stop_listening(w);
			if (!w->njobs)
				break;
		}
		n = epoll_wait(w->epfd, evs, MAX_EVENTS,
			       w->njobs || !w->listening ? TICK_MS : -1);
		if (n < 0 && errno != EINTR) {
			ktlsd_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct ktlsd_handle *h = evs[i].data.ptr;
			struct ktlsd_job *j;
			uint64_t v;

			switch (h->kind) {
			case KTLSD_H_LISTEN:
				if (!draining)
					do_accept(w);
				continue;
			case KTLSD_H_UPCALL:
				if (!draining)
					do_upcall(w);
				continue;
			case KTLSD_H_WAKE:
				if (read(w->wakefd, &v, sizeof(v)) < 0)
					continue;
				next_tick = 0;
				continue;
			case KTLSD_H_CLIENT:
				j = job_of(h);
				if (j->dead)
					continue;
				ktlsd_job_client_event(j, evs[i].events);
				break;
			case KTLSD_H_PEER:
				j = job_of(h);
				if (j->dead)
					continue;
				ktlsd_job_peer_event(j, evs[i].events);
				break;
			default:
				continue;
			}
			reap(w, j);
		}
		now = ktlsd_now_ms();
		if (now >= next_tick || w->admit_now) {
			tick(w, now, draining);
			next_tick = now + TICK_MS;
		}
		bury(w);
	}
	/* only reached with no jobs left, or on a fatal epoll error */
	while (w->head) {
		struct ktlsd_job *j = w->head;

		unlink_job(w, j);
		ktlsd_job_free(j);
	}
	return NULL;
}

static int add_tls_size(struct dl_phdr_info *info, size_t size, void *data)
{
	size_t *total = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_TLS)
			*total += info->dlpi_phdr[i].p_memsz +
				  info->dlpi_phdr[i].p_align;
	return 0;
}

/*
 * A worker's stack: 512 KiB for us, plus the thread-local storage of every
 * loaded object, which glibc carves out of the same allocation and
 * refuses (EINVAL) to fit in a stack too small for it. Our wolfSSL's
 * per-thread point caches alone take about 1.4 MiB.
 */
static size_t worker_stack_size(void)
{
	size_t tls = 0;

	dl_iterate_phdr(add_tls_size, &tls);
	return 512 * 1024 + tls;
}

/**
 * ktlsd_workers_start() - start @n event loops on @listen_fd
 * @n: threads
 * @listen_fd: non-blocking listening Unix socket
 *
 * Return: 0 or a negative errno.
 */
int ktlsd_workers_start(int n, int listen_fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &wake_handle };
	pthread_attr_t attr;
	int i, ret;

	workers = calloc(n, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	ktlsd.listen_fd = listen_fd;
	pthread_attr_init(&attr);
	/* small stacks: with mlockall every page of them is resident */
	pthread_attr_setstacksize(&attr, worker_stack_size());
	for (i = 0; i < n; i++) {
		struct ktlsd_worker *w = &workers[i];

		w->id = i;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (w->epfd < 0 || w->wakefd < 0 ||
		    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev)) {
			ret = -errno;
			goto err_stop;
		}
		ret = ktlsd_upcall_worker_init(w);
		if (ret)
			goto err_stop;
		ret = -pthread_create(&w->thread, &attr, worker_main, w);
		if (ret)
			goto err_stop;
		nworkers++;
	}
	pthread_attr_destroy(&attr);
	return 0;

err_stop:
	pthread_attr_destroy(&attr);
	if (workers[i].epfd >= 0)
		close(workers[i].epfd);
	if (workers[i].wakefd >= 0)
		close(workers[i].wakefd);
	ktlsd_upcall_worker_fini(&workers[i]);
	atomic_store(&ktlsd.draining, true);
	ktlsd_workers_join();
	return ret;
}

/**
 * ktlsd_workers_wake() - make every worker look at the shared state now
 */
void ktlsd_workers_wake(void)
{
	uint64_t one = 1;
	int i;

	for (i = 0; i < nworkers; i++)
		if (write(workers[i].wakefd, &one, sizeof(one)) < 0)
			ktlsd_log(LOG_DEBUG, "wake worker %d: %s", i,
				  strerror(errno));
}

/**
 * ktlsd_workers_join() - wait for every worker after draining was set
 */
void ktlsd_workers_join(void)
{
	int i;

	ktlsd_workers_wake();
	for (i = 0; i < nworkers; i++) {
		pthread_join(workers[i].thread, NULL);
		close(workers[i].epfd);
		close(workers[i].wakefd);
		ktlsd_upcall_worker_fini(&workers[i]);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
