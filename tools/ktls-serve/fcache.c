// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The open-file cache: one per worker (so no lock), keyed by the
 * normalised path, holding the open fd of a regular file with what its
 * answers need (size, times, ETag, Last-Modified, type). A hit costs one
 * fstatat() instead of openat2() + fstat() + close().
 *
 * A hit is used only while the path still names the same, unchanged file:
 * fstatat() must report the cached device, inode, size, mtime and ctime.
 * A file written, truncated, chmod'ed, renamed over or deleted changes its
 * ctime, or the path leads to another inode; the entry is then dropped and
 * the path opened again (with the root's resolution rules). Bodies are read
 * from the fd at send time, so they are never older than the file.
 *
 * Entries are counted: a connection sending from one holds a reference,
 * so an entry dropped or evicted meanwhile keeps its fd until that answer
 * is out. The number of entries is bounded; the least recently used one
 * goes first and its fd is closed once unreferenced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

static uint32_t path_hash(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;

	for (p = s; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	*len = p - s;
	return h;
}

/**
 * fcache_init() - an empty cache
 * @fc: cache
 * @max: entries at most; 0 turns caching off (every request opens)
 *
 * Return: 0 or -ENOMEM.
 */
int fcache_init(struct fcache *fc, unsigned int max)
{
	unsigned int n = 16;

	memset(fc, 0, sizeof(*fc));
	fc->max = max;
	fc->lru.lru_prev = fc->lru.lru_next = &fc->lru;
	if (!max)
		return 0;
	while (n < 2 * max && n < (1u << 20))
		n <<= 1;
	fc->table = calloc(n, sizeof(*fc->table));
	if (!fc->table)
		return -ENOMEM;
	fc->mask = n - 1;
	return 0;
}

/**
 * fcache_put() - drop a reference; the last one closes the file
 * @fe: entry, or NULL
 */
void fcache_put(struct fentry *fe)
{
	if (!fe || --fe->refs)
		return;
	close(fe->fd);
	free(fe);
}

static void lru_unlink(struct fentry *fe)
{
	fe->lru_prev->lru_next = fe->lru_next;
	fe->lru_next->lru_prev = fe->lru_prev;
}

/* The most recently used entry is the list head's next. */
static void lru_front(struct fcache *fc, struct fentry *fe)
{
	fe->lru_next = fc->lru.lru_next;
	fe->lru_prev = &fc->lru;
	fc->lru.lru_next->lru_prev = fe;
	fc->lru.lru_next = fe;
}

/* Out of the table and the LRU list; the cache's reference goes. */
static void unlist(struct fcache *fc, struct fentry *fe)
{
	struct fentry **pp = &fc->table[fe->hash & fc->mask];

	while (*pp != fe)
		pp = &(*pp)->hnext;
	*pp = fe->hnext;
	lru_unlink(fe);
	fc->count--;
	fcache_put(fe);
}

/**
 * fcache_flush() - drop every entry (fds of answers in flight stay open)
 * @fc: cache
 */
void fcache_flush(struct fcache *fc)
{
	while (fc->lru.lru_next != &fc->lru)
		unlist(fc, fc->lru.lru_next);
}

/**
 * fcache_exit() - drop every entry and free the table
 * @fc: cache
 */
void fcache_exit(struct fcache *fc)
{
	fcache_flush(fc);
	free(fc->table);
	fc->table = NULL;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
	       a->st_mode == b->st_mode;
}

/**
 * fcache_get() - a cached, still valid regular file at @rel
 * @fc: cache
 * @rootfd: the document root
 * @rel: normalised path, as serve_open() takes it
 *
 * Paths the cache does not hold cost nothing here (no system call).
 *
 * Return: the entry with a reference for the caller, or NULL (not cached,
 * or no longer the same file: then dropped).
 */
struct fentry *fcache_get(struct fcache *fc, int rootfd, const char *rel)
{
	struct fentry *fe;
	struct stat st;
	uint32_t h;
	size_t len;

	if (!fc->max || !*rel)
		return NULL;
	h = path_hash(rel, &len);
	for (fe = fc->table[h & fc->mask]; fe; fe = fe->hnext)
		if (fe->hash == h && fe->rel_len == len &&
		    !memcmp(fe->rel, rel, len))
			break;
	if (!fe)
		return NULL;
	if (fstatat(rootfd, rel, &st, 0) || !same_file(&st, &fe->st)) {
		unlist(fc, fe);
		return NULL;
	}
	lru_unlink(fe);
	lru_front(fc, fe);
	fe->refs++;
	return fe;
}

/**
 * fcache_add() - wrap a just opened regular file in an entry, and keep it
 * @fc: cache
 * @rel: its normalised path
 * @fd: the open file; the entry owns it from now on, even on failure
 * @st: its fstat()
 *
 * Return: the entry with a reference for the caller, or NULL without
 * memory (@fd is closed then).
 */
struct fentry *fcache_add(struct fcache *fc, const char *rel, int fd,
			  const struct stat *st)
{
	struct fentry *fe;
	uint32_t h;
	size_t len;

	h = path_hash(rel, &len);
	fe = malloc(sizeof(*fe) + len + 1);
	if (!fe) {
		close(fd);
		return NULL;
	}
	fe->fd = fd;
	fe->st = *st;
	fe->hash = h;
	fe->rel_len = len;
	memcpy(fe->rel, rel, len + 1);
	fe->refs = 1;
	http_etag(&st->st_mtim, st->st_size, st->st_ino, fe->etag,
		  sizeof(fe->etag));
	http_date(st->st_mtime, fe->lm, sizeof(fe->lm));
	fe->mime = mime_type(rel);
	if (!fc->max || !*rel)
		return fe;		/* used once, closed after the answer */
	if (fc->count >= fc->max)
		unlist(fc, fc->lru.lru_prev);
	fe->refs++;
	fe->hnext = fc->table[h & fc->mask];
	fc->table[h & fc->mask] = fe;
	lru_front(fc, fe);
	fc->count++;
	return fe;
}
