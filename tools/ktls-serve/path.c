// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From a request target to an open file beneath the document root.
 *
 * Two independent walls: the target is decoded and normalised here so that
 * no ".." survives (encoded or not), and the file is then opened with
 * openat2(RESOLVE_BENEATH), so the kernel itself refuses any symbolic link
 * that leads out of the root, however it is spelt.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "serve.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/**
 * http_path_normalize() - decode and normalise a request target
 * @target: origin-form target ("/a/b%20c?query")
 * @out: the path relative to the root, "" for the root itself; ends with
 *	"/" when the target did
 * @outlen: size of @out
 *
 * The query is dropped, percent escapes are decoded once, empty and "."
 * segments vanish and ".." removes the segment before it.
 *
 * Return: 0, -400 for a target that is not a path, has a bad escape, a
 * NUL, or climbs above the root, -414 when the result does not fit.
 */
int http_path_normalize(const char *target, char *out, size_t outlen)
{
	const char *p, *seg;
	size_t o = 0, n, i;
	char dec[4096];
	int hi, lo;

	if (*target != '/')
		return -400;
	/* decode once; an encoded slash then separates like a plain one */
	for (p = target, n = 0; *p && *p != '?' && *p != '#'; p++) {
		char c = *p;

		if (c == '%') {
			hi = hexval(p[1]);
			lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				return -400;
			c = hi << 4 | lo;
			if (!c)
				return -400;
			p += 2;
		}
		if (n + 1 >= sizeof(dec))
			return -414;
		dec[n++] = c;
	}
	dec[n] = '\0';

	for (i = 0; i < n;) {
		while (i < n && dec[i] == '/')
			i++;
		if (i == n)
			break;
		seg = dec + i;
		while (i < n && dec[i] != '/')
			i++;
		if (dec + i - seg == 1 && seg[0] == '.')
			continue;
		if (dec + i - seg == 2 && seg[0] == '.' && seg[1] == '.') {
			if (!o)
				return -400;	/* above the root */
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		if (o + (o ? 1 : 0) + (dec + i - seg) + 1 > outlen)
			return -414;
		if (o)
			out[o++] = '/';
		memcpy(out + o, seg, dec + i - seg);
		o += dec + i - seg;
	}
	/* "/dir/" and "/dir/." both name the folder, as a folder */
	if (o && n && (dec[n - 1] == '/' ||
		       (n >= 2 && dec[n - 1] == '.' && dec[n - 2] == '/'))) {
		if (o + 2 > outlen)
			return -414;
		out[o++] = '/';
	}
	if (!outlen)
		return -414;
	out[o] = '\0';
	return 0;
}

/**
 * serve_open() - open a file or folder beneath the root
 * @rootfd: the document root, an O_PATH or O_DIRECTORY fd
 * @rel: normalised relative path ("" for the root)
 * @symlinks_out: allow symbolic links to lead out of the root
 * @fdp: the open fd
 *
 * O_NONBLOCK keeps a FIFO placed in the root from hanging a worker; the
 * caller serves only regular files and folders.
 *
 * Return: 0, or a negative errno: -EXDEV when a link leads out of the
 * root, -ENOENT, -EACCES, ...
 */
int serve_open(int rootfd, const char *rel, bool symlinks_out, int *fdp)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!symlinks_out)
		how.resolve |= RESOLVE_BENEATH;
	if (!*rel)
		rel = ".";
	fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	*fdp = fd;
	return 0;
}
