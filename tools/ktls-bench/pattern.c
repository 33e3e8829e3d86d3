// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: the bytes every path sends, and their check on arrival.
 *
 * The stream is one pseudo-random block of --size bytes repeated; the
 * sender reads it from memory or from a file holding the same block, the
 * receiver compares what arrives with memcmp(), which costs far less than
 * the transfer, so a path that corrupts or loses data fails the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* blocks by size, kept for the life of the process: flows may share one */
static struct {
	uint64_t size;
	unsigned char *p;
} blocks[8];
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned char *make_block(uint64_t size)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, i;
	unsigned char *p = malloc(size + 8);

	if (!p)
		return NULL;
	/* xorshift64: cheap, and no 8-byte word repeats within a block */
	for (i = 0; i < size; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
	return p;
}

/**
 * bench_pattern_get() - the block of @size bytes, made on first use
 * @size: bytes
 *
 * Return: the block, or NULL when out of memory or out of slots.
 */
const unsigned char *bench_pattern_get(uint64_t size)
{
	unsigned char *p = NULL;
	unsigned int i;

	pthread_mutex_lock(&blocks_lock);
	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		if (blocks[i].p && blocks[i].size == size) {
			p = blocks[i].p;
			break;
		}
		if (!blocks[i].p) {
			p = make_block(size);
			blocks[i].p = p;
			blocks[i].size = size;
			break;
		}
	}
	pthread_mutex_unlock(&blocks_lock);
	return p;
}

/**
 * bench_pattern_check() - do @n received bytes at stream offset @pos match?
 * @block: the block, of @size bytes
 * @pos: offset of @buf in the stream
 * @buf: received bytes
 * @n: their count
 * @size: block size
 *
 * Return: 0, or -EBADMSG when they differ.
 */
int bench_pattern_check(const unsigned char *block, uint64_t pos,
			const unsigned char *buf, size_t n, uint64_t size)
{
	while (n) {
		uint64_t off = pos % size;
		size_t k = size - off < n ? size - off : n;

		if (memcmp(block + off, buf, k))
			return -EBADMSG;
		buf += k;
		pos += k;
		n -= k;
	}
	return 0;
}

/**
 * bench_pattern_file() - write the block to a new file for sendfile/splice
 * @block: the block
 * @dir: folder for it
 * @path: set to its name
 * @len: size of @path
 * @size: block size
 *
 * Return: 0 or a negative errno.
 */
int bench_pattern_file(const unsigned char *block, const char *dir,
		       char *path, size_t len, uint64_t size)
{
	uint64_t done = 0;
	int fd;

	snprintf(path, len, "%s/block.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t w = write(fd, block + done, size - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int ret = w < 0 ? -errno : -EIO;

			close(fd);
			unlink(path);
			return ret;
		}
		done += w;
	}
	close(fd);
	return 0;
}
