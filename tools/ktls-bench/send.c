// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: the sending side of every path. The stream is the pattern
 * block repeated: written from memory (tcp, wolfssl, openssl, ktls-write,
 * ktls-uring, ktls-uring-zc, device-*) or moved from a file holding the
 * block (ktls-sendfile, ktls-splice), one block per call, so --size is the
 * message or file size the path sees.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "uring_sync.h"

static int send_file(struct bench_conn *c, const struct bench_case *bc,
		     const char *file, char *err, size_t errlen)
{
	uint64_t left = bc->bytes;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", file, strerror(errno));
		return -errno;
	}
	while (left && !ret) {
		size_t n = left < bc->size ? left : bc->size;
		off_t off = 0;
		ssize_t w;

		if (bc->path == P_KTLS_SENDFILE) {
			w = ktls_sendfile(c->ks, fd, &off, n);
		} else {
			lseek(fd, 0, SEEK_SET);
			w = ktls_splice_from(c->ks, fd, n);
		}
		if (w < 0)
			ret = w;
		else if ((size_t)w != n)
			ret = -EIO;
		left -= n;
	}
	close(fd);
	if (ret)
		snprintf(err, errlen, "%s: %s", bench_path_name(bc->path),
			 strerror(-ret));
	return ret;
}

/*
 * uring_send_all() quietly falls back to IORING_OP_SEND when the kernel
 * refuses zero-copy on the socket, which would make ktls-uring-zc measure
 * ktls-uring. Send the stream's first byte with IORING_OP_SEND_ZC directly
 * to learn which it is.
 *
 * Return: 1 (one byte sent), or a negative errno (-EOPNOTSUPP: refused).
 */
static int zc_probe(struct io_uring *ring, int fd, const void *buf)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int res, more;

	if (!sqe)
		return -EBUSY;
	io_uring_prep_send_zc(sqe, fd, buf, 1, MSG_NOSIGNAL, 0);
	io_uring_submit(ring);
	res = io_uring_wait_cqe(ring, &cqe);
	if (res)
		return res;
	res = cqe->res;
	more = cqe->flags & IORING_CQE_F_MORE;
	io_uring_cqe_seen(ring, cqe);
	/* the buffer is ours again only after the notification */
	while (more && !io_uring_wait_cqe(ring, &cqe)) {
		more = !(cqe->flags & IORING_CQE_F_NOTIF);
		io_uring_cqe_seen(ring, cqe);
	}
	return res;
}

static int send_uring(struct bench_conn *c, const struct bench_case *bc,
		      const unsigned char *block, char *err, size_t errlen)
{
	bool zc = bc->path == P_KTLS_URING_ZC;
	uint64_t left = bc->bytes;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret) {
		snprintf(err, errlen, "io_uring_queue_init: %s", strerror(-ret));
		return ret;
	}
	if (zc) {
		ret = zc_probe(&ring, c->fd, block);
		if (ret == -EOPNOTSUPP || ret == -EINVAL) {
			snprintf(err, errlen,
				 "this kernel refuses IORING_OP_SEND_ZC on a kTLS socket (%s); Linux 6.0+ with zero-copy support on the socket is needed",
				 strerror(-ret));
			io_uring_queue_exit(&ring);
			return -EOPNOTSUPP;
		}
	}
	while (left && ret >= 0) {
		size_t n = left < bc->size ? left : bc->size;
		/* the probe sent the first byte */
		size_t done = ret > 0 ? ret : 0;

		ret = 0;
		if (done < n) {
			ssize_t w = uring_send_all(&ring, c->ks, block + done,
						   n - done, zc);

			if (w < 0)
				ret = w;
		}
		left -= n;
	}
	io_uring_queue_exit(&ring);
	if (ret < 0)
		snprintf(err, errlen, "%s: %s", bench_path_name(bc->path),
			 strerror(-ret));
	return ret;
}

/*
 * For the tests only (KTLS_BENCH_TEST_CORRUPT set): send the stream with
 * one byte in its middle changed, so a test sees the receiver's check fail.
 */
static int send_corrupt(struct bench_conn *c, const struct bench_case *bc,
			const unsigned char *block, char *err, size_t errlen)
{
	size_t n = bc->bytes < bc->size ? bc->bytes : bc->size;
	unsigned char *copy = malloc(n);
	uint64_t left = bc->bytes;
	ssize_t w = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, block, n);
	copy[n / 2] ^= 0x20;
	while (left && w >= 0) {
		n = left < bc->size ? left : bc->size;
		w = bench_conn_send(c, copy, n);
		left -= n;
	}
	free(copy);
	if (w < 0)
		snprintf(err, errlen, "send: %s", strerror(-w));
	return w < 0 ? w : 0;
}

/**
 * bench_send_data() - send @bc->bytes of the pattern by @bc->path
 * @c: connection after its handshake
 * @bc: the case
 * @file: the block as a file (sendfile and splice paths)
 * @err: set to a sentence on failure
 * @errlen: size of @err
 *
 * Return: 0 or a negative errno.
 */
int bench_send_data(struct bench_conn *c, const struct bench_case *bc,
		    const char *file, char *err, size_t errlen)
{
	const unsigned char *block = bench_pattern_get(bc->size);
	uint64_t left = bc->bytes;

	if (!block) {
		snprintf(err, errlen, "no memory for a %llu-byte block",
			 (unsigned long long)bc->size);
		return -ENOMEM;
	}
	switch (bc->path) {
	case P_KTLS_SENDFILE:
	case P_KTLS_SPLICE:
		return send_file(c, bc, file, err, errlen);
	case P_KTLS_URING:
	case P_KTLS_URING_ZC:
		return send_uring(c, bc, block, err, errlen);
	default:
		break;
	}
	if (getenv("KTLS_BENCH_TEST_CORRUPT"))
		return send_corrupt(c, bc, block, err, errlen);
	while (left) {
		size_t n = left < bc->size ? left : bc->size;
		ssize_t w = bench_conn_send(c, block, n);

		if (w < 0) {
			snprintf(err, errlen, "%s: send: %s",
				 bench_path_name(bc->path), strerror(-w));
			return w;
		}
		left -= n;
	}
	return 0;
}
