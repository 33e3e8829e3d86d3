// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-serve's request path without sockets (tools/ktls-serve/http.c,
 * path.c, range.c, mime.c), in the order conn.c calls it: the head is
 * looked for as bytes arrive in pieces, parsed, and its target, Range,
 * If-None-Match and If-Modified-Since are used as a response would.
 *
 * Input: one byte for the piece size, two for the file size, then the
 * bytes a client sends.
 */
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "serve.h"
#include "fuzz.h"

#define MAX_HEAD	8192

static void use(const struct http_req *req, off_t size)
{
	static const struct timespec mtime = { 1700000000, 5 };
	char rel[4096], etag[64], date[64];
	struct http_range r;
	time_t t, t2;
	int ret;

	ret = http_path_normalize(req->target, rel, sizeof(rel));
	FZ_ASSERT(ret == 0 || ret == -400 || ret == -414);
	if (!ret) {
		/* no way above the root survives normalisation */
		FZ_ASSERT(rel[0] != '/');
		FZ_ASSERT(strcmp(rel, "..") && strncmp(rel, "../", 3));
		FZ_ASSERT(!strstr(rel, "/../") && !strstr(rel, "//"));
		FZ_ASSERT(strlen(rel) < 3 ||
			  strcmp(rel + strlen(rel) - 3, "/.."));
		mime_type(rel);
	}
	if (req->range) {
		ret = http_range_parse(req->range, size, &r);
		FZ_ASSERT(ret == RANGE_NONE || ret == RANGE_OK ||
			  ret == RANGE_UNSATISFIABLE);
		if (ret == RANGE_OK)
			FZ_ASSERT(r.first >= 0 && r.first <= r.last &&
				  r.last < size);
	}
	if (req->if_none_match &&
	    !http_etag(&mtime, size, 42, etag, sizeof(etag)))
		http_etag_match(req->if_none_match, etag);
	if (req->if_modified_since &&
	    !http_parse_date(req->if_modified_since, &t)) {
		/* what we print, we read back as the same second */
		FZ_ASSERT(!http_date(t, date, sizeof(date)));
		FZ_ASSERT(!http_parse_date(date, &t2) && t2 == t);
	}
	if (req->if_range)
		http_parse_date(req->if_range, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_limits lim = { .max_bytes = MAX_HEAD, .max_headers = 100 };
	struct fz f = { data, size };
	size_t piece = fz_u8(&f) % 64 + 1, have = 0, scanned = 0, len;
	off_t fsize = fz_u16(&f) * 37;
	struct http_req req;
	char *buf;
	int end = 0, once, ret;

	len = f.n > MAX_HEAD ? MAX_HEAD : f.n;
	/* an exact-size copy, so that any read past the bytes is caught */
	buf = malloc(len + 1);
	if (!buf)
		return 0;
	memcpy(buf, f.p, len);
	/* as conn.c: search again from where the last search stopped */
	while (have < len) {
		have += piece < len - have ? piece : len - have;
		end = http_header_end(buf, have, scanned);
		if (end)
			break;
		scanned = have;
	}
	once = http_header_end(buf, have, 0);
	FZ_ASSERT(end == once);
	FZ_ASSERT(end >= 0 && (size_t)end <= have);
	if (end) {
		ret = http_parse(buf, end, &lim, &req);
		FZ_ASSERT(ret == 0 || ret == -400 || ret == -431 ||
			  ret == -505 || ret == -501);
		FZ_ASSERT(req.len == (size_t)end);
		if (!ret) {
			FZ_ASSERT(req.target && req.method_str);
			FZ_ASSERT(req.target >= buf && req.target < buf + end);
			FZ_ASSERT(req.minor >= 0 && req.minor <= 9);
			use(&req, fsize);
		}
		http_reason(ret ? -ret : 200);
	}
	free(buf);
	return 0;
}
