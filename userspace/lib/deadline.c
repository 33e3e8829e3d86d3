// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Waiting on a descriptor with an absolute deadline. A daemon must never
 * block on a socket an application or a peer controls: every wait ends
 * by a deadline on the monotonic clock, whatever signals come meanwhile.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "internal.h"

/**
 * __ktls_now_ms() - the monotonic clock in milliseconds
 *
 * Return: ms since an arbitrary point.
 */
long long __ktls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * __ktls_wait_fd() - wait until @fd is ready for @events or @deadline passes
 * @fd: descriptor
 * @events: POLLIN or POLLOUT
 * @deadline: __ktls_now_ms() value; 0 waits without a limit
 *
 * Return: 0 when ready (or an error or hang-up is pending: the next call
 * on @fd reports it), -ETIMEDOUT, or a negative errno from poll().
 */
int __ktls_wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline ? deadline - __ktls_now_ms() : -1;
		if (deadline && left <= 0)
			return -ETIMEDOUT;
		/* poll takes an int: wait in slices of at most a day */
		n = poll(&pfd, 1, left > 86400000 ? 86400000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}
