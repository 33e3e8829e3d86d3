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
 * http_path_hidden() - does a path name a dotfile?
 * @rel: normalised relative path, as from http_path_normalize()
 *
 * Any segment starting with '.' (.git/config, .env, sub/.htpasswd) is
 * hidden: such files are a repository's or a tool's own, almost never
 * meant to be published. The one exception is a first segment of exactly
 * ".well-known", the folder RFC 8615 reserves for things to be fetched
 * (ACME challenges, security.txt); dotfiles inside it stay hidden.
 *
 * Return: true when the path must not be served.
 */
bool http_path_hidden(const char *rel)
{
	const char *seg = rel;

	if (!strncmp(rel, ".well-known", 11) && (!rel[11] || rel[11] == '/'))
		seg = rel[11] ? rel + 12 : rel + 11;
	for (; *seg; seg++) {
		if (*seg == '.')
			return true;
		seg = strchr(seg, '/');
		if (!seg)
			break;
	}
	return false;
}

/**
 * http_dir_location() - where to redirect a folder named without its slash
 * @rel: normalised relative path of the folder ("sub", "a/b")
 * @out: the Location value: "/" + @rel percent-encoded + "/"
 * @outlen: size of @out
 *
 * Built from the normalised path, never from the request target: the
 * target "//evil.example/../sub" would otherwise become the network-path
 * reference "//evil.example/../sub/", which a browser follows to another
 * host. @rel has no empty segment, so the result starts with exactly one
 * '/'; everything but unreserved characters and '/' is percent-encoded,
 * so a decoded CR or LF cannot split the header and a backslash
 * (which browsers read as '/') cannot form "/\host" either.
 *
 * Return: 0, or -414 when the result does not fit.
 */
int http_dir_location(const char *rel, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	const char *p;

	if (outlen < 3)
		return -414;
	out[o++] = '/';
	for (p = rel; *p; p++) {
		unsigned char ch = *p;
		bool plain = (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9') || strchr("-._~/", ch);

		/* this byte, then room for the final '/' and the NUL */
		if (o + (plain ? 1 : 3) + 2 > outlen)
			return -414;
		if (plain) {
			out[o++] = ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	if (o && out[o - 1] != '/')
		out[o++] = '/';
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
