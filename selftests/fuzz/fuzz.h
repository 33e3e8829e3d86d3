/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer targets in selftests/fuzz/ share: the entry point's
 * prototype and a reader that cuts the fuzzer's bytes into decisions
 * (which operation, how many bytes, where to split) and payloads. Running
 * out of input reads as zeros, so every input is a valid script.
 */
#ifndef KTLSKIT_FUZZ_H
#define KTLSKIT_FUZZ_H

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline unsigned int fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline unsigned int fz_u16(struct fz *f)
{
	unsigned int v = fz_u8(f) << 8;

	return v | fz_u8(f);
}

/* Up to @max bytes (the count comes from the input); *@len says how many. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t max, size_t *len)
{
	size_t n = fz_u16(f) % (max + 1);
	const uint8_t *p = f->p;

	if (n > f->n)
		n = f->n;
	f->p += n;
	f->n -= n;
	*len = n;
	return p;
}

/*
 * connect() on loopback. libFuzzer's timeout timer (SIGALRM each second)
 * can interrupt it; the connection then goes on: wait for it.
 */
static inline int fz_connect(int fd, const struct sockaddr_in *a)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err;

	if (!connect(fd, (const struct sockaddr *)a, sizeof(*a)))
		return 0;
	if (errno != EINTR)
		return -1;
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		return -1;
	return 0;
}

/* A failed promise: abort, so that libFuzzer keeps the input. */
#define FZ_ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

#endif /* KTLSKIT_FUZZ_H */
