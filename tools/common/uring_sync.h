/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tools' blocking sends through io_uring: libktls prepares the SQEs,
 * these submit them on the tool's own ring and reap their CQEs.
 */
#ifndef KTLS_TOOLS_URING_SYNC_H
#define KTLS_TOOLS_URING_SYNC_H

#include <stdbool.h>
#include <sys/types.h>
#include <ktls/ktls.h>

struct io_uring;

ssize_t uring_send_all(struct io_uring *ring, struct ktls_session *s,
		       const void *buf, size_t len, bool zc);
ssize_t uring_splice_file(struct io_uring *ring, struct ktls_session *s,
			  int fd, int in_fd, size_t count);
ssize_t uring_recv_record(struct io_uring *ring, struct ktls_session *s,
			  void *buf, size_t len, unsigned char *type);

#endif /* KTLS_TOOLS_URING_SYNC_H */
