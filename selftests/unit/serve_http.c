// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit test of ktls-serve's pure HTTP parts: the request parser,
 * Range, path normalisation, dates, entity tags and content types. Built
 * with AddressSanitizer and UBSan, so an overrun fails the test.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "serve.h"

static const struct http_limits lim = { .max_bytes = 8192, .max_headers = 10 };

/* Parse a request from a string literal through a heap copy (ASan). */
static int parse(const char *text, struct http_req *req, char **keep)
{
	size_t n = strlen(text);
	char *buf = malloc(n);
	int end;

	memcpy(buf, text, n);
	*keep = buf;
	end = http_header_end(buf, n, 0);
	if (!end)
		return 1;
	return http_parse(buf, end, &lim, req);
}

TEST(header_end)
{
	EXPECT_EQ(0, http_header_end("GET / HTTP/1.1\r\n", 16, 0));
	EXPECT_EQ(18, http_header_end("GET / HTTP/1.1\r\n\r\n", 18, 0));
	EXPECT_EQ(16, http_header_end("GET / HTTP/1.1\n\n", 16, 0));
	/* found although the previous search stopped inside the end */
	EXPECT_EQ(18, http_header_end("GET / HTTP/1.1\r\n\r\n", 18, 17));
	EXPECT_EQ(0, http_header_end("", 0, 0));
}

TEST(parse_get)
{
	struct http_req r;
	char *b;

	ASSERT_EQ(0, parse("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n"
			   "Range: bytes=0-9\r\nIf-None-Match: \"x\"\r\n\r\n",
			   &r, &b));
	EXPECT_EQ(HTTP_GET, (int)r.method);
	EXPECT_STREQ("/a/b?x=1", r.target);
	EXPECT_EQ(1, r.minor);
	EXPECT_TRUE(r.keep_alive);
	EXPECT_STREQ("h", r.host);
	EXPECT_STREQ("bytes=0-9", r.range);
	EXPECT_STREQ("\"x\"", r.if_none_match);
	EXPECT_FALSE(r.has_body);
	free(b);
}

TEST(parse_connection)
{
	struct http_req r;
	char *b;

	ASSERT_EQ(0, parse("HEAD / HTTP/1.1\nHost: h\nConnection: close\n\n",
			   &r, &b));
	EXPECT_EQ(HTTP_HEAD, (int)r.method);
	EXPECT_FALSE(r.keep_alive);
	free(b);
	ASSERT_EQ(0, parse("GET / HTTP/1.0\r\n\r\n", &r, &b));
	EXPECT_EQ(0, r.minor);
	EXPECT_FALSE(r.keep_alive);
	free(b);
	ASSERT_EQ(0, parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			   &r, &b));
	EXPECT_TRUE(r.keep_alive);
	free(b);
	ASSERT_EQ(0, parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n",
			   &r, &b));
	EXPECT_FALSE(r.keep_alive);
	free(b);
}

TEST(parse_errors)
{
	static const struct {
		const char *req;
		int ret;
	} cases[] = {
		{ "GET / HTTP/1.1\r\n\r\n", -400 },		/* no Host */
		{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", -505 },
		{ "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", -400 },
		{ "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost : h\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nRange: a\r\nRange: b\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\n"
		  "A: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\nA: 1\r\n\r\n", -431 },
	};
	struct http_req r;
	unsigned int i;
	char *b;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].ret, parse(cases[i].req, &r, &b))
			TH_LOG("case %u: %s", i, cases[i].req);
		free(b);
	}
}

TEST(parse_nul_and_body)
{
	char req[] = "GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n";
	struct http_req r;
	char *b;

	EXPECT_EQ(-400, http_parse(req, sizeof(req) - 1, &lim, &r));
	ASSERT_EQ(0, parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
			   &r, &b));
	EXPECT_EQ(HTTP_OTHER, (int)r.method);
	EXPECT_TRUE(r.has_body);
	free(b);
	ASSERT_EQ(0, parse("GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
			   &r, &b));
	EXPECT_FALSE(r.has_body);
	free(b);
}

/*
 * Framing (RFC 9112 6.3): every request whose length is not certain is a
 * 400 (which closes); others say exactly how long their body is.
 */
TEST(parse_framing)
{
	static const struct {
		const char *hdrs;
		int ret;
		unsigned long long len;
		bool chunked;
	} cases[] = {
		{ "Content-Length: 5\r\n", 0, 5, false },
		{ "content-length:   12 \r\n", 0, 12, false },
		{ "Content-Length: 0\r\n", 0, 0, false },
		{ "Content-Length: 999999999999999999\r\n", 0,
		  999999999999999999ULL, false },
		{ "Transfer-Encoding: chunked\r\n", 0, 0, true },
		{ "Transfer-Encoding: gzip, Chunked\r\n", 0, 0, true },
		{ "Content-Length: 5\r\nContent-Length: 5\r\n", -400, 0, 0 },
		{ "Content-Length: 0\r\nContent-Length: 7\r\n", -400, 0, 0 },
		{ "Content-Length: 5, 5\r\n", -400, 0, 0 },
		{ "Content-Length: +5\r\n", -400, 0, 0 },
		{ "Content-Length: -1\r\n", -400, 0, 0 },
		{ "Content-Length: 0x10\r\n", -400, 0, 0 },
		{ "Content-Length: 1 0\r\n", -400, 0, 0 },
		{ "Content-Length:\r\n", -400, 0, 0 },
		{ "Content-Length: 9999999999999999999\r\n", -400, 0, 0 },
		{ "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", -400,
		  0, 0 },
		{ "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", -400,
		  0, 0 },
		{ "Transfer-Encoding: chunked, gzip\r\n", -400, 0, 0 },
		{ "Transfer-Encoding: identity\r\n", -400, 0, 0 },
		{ "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
		  -400, 0, 0 },
	};
	char text[512];
	struct http_req r;
	unsigned int i;
	char *b;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "POST /x HTTP/1.1\r\nHost: h\r\n%s\r\n",
			 cases[i].hdrs);
		EXPECT_EQ(cases[i].ret, parse(text, &r, &b))
			TH_LOG("case %u: %s", i, cases[i].hdrs);
		if (!cases[i].ret) {
			EXPECT_EQ(cases[i].len, r.content_length)
				TH_LOG("case %u", i);
			EXPECT_EQ(cases[i].chunked, r.chunked)
				TH_LOG("case %u", i);
			EXPECT_EQ(cases[i].chunked || cases[i].len > 0,
				  r.has_body) TH_LOG("case %u", i);
		}
		free(b);
	}
	/* chunked from an HTTP/1.0 client: RFC 9112 6.1 says faulty */
	EXPECT_EQ(-400, parse("POST /x HTTP/1.0\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n", &r, &b));
	free(b);
}

/* What happens to the body after the answer, by method-independent rule. */
TEST(body_plan)
{
	static const struct {
		const char *hdrs;
		enum http_body plan;
	} cases[] = {
		{ "", HTTP_BODY_NONE },
		{ "Content-Length: 0\r\n", HTTP_BODY_NONE },
		{ "Content-Length: 1\r\n", HTTP_BODY_DISCARD },
		{ "Content-Length: 65536\r\n", HTTP_BODY_DISCARD },
		{ "Content-Length: 65537\r\n", HTTP_BODY_CLOSE },
		{ "Transfer-Encoding: chunked\r\n", HTTP_BODY_CLOSE },
		{ "Content-Length: 5\r\nExpect: 100-continue\r\n",
		  HTTP_BODY_CLOSE },
		{ "Expect: 100-continue\r\n", HTTP_BODY_NONE },
	};
	char text[512];
	struct http_req r;
	unsigned int i;
	char *b;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text),
			 "PUT /x HTTP/1.1\r\nHost: h\r\n%s\r\n",
			 cases[i].hdrs);
		ASSERT_EQ(0, parse(text, &r, &b)) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].plan, http_body_plan(&r, 65536))
			TH_LOG("case %u: %s", i, cases[i].hdrs);
		free(b);
	}
}

/*
 * The smuggling case: a refused POST whose body is itself a
 * request. The head ends where the body starts, and dropping
 * content_length bytes from there lands exactly on the next real request,
 * never inside the smuggled one.
 */
TEST(smuggled_body)
{
	static const char body[] = "GET /.git/config HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char next[] = "GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n";
	char text[512], *buf;
	struct http_req r;
	size_t n, at;
	int end;

	n = snprintf(text, sizeof(text),
		     "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: %zu\r\n\r\n%s%s",
		     strlen(body), body, next);
	buf = malloc(n);
	ASSERT_NE(NULL, buf);
	memcpy(buf, text, n);
	end = http_header_end(buf, n, 0);
	ASSERT_LT(0, end);
	ASSERT_EQ(0, http_parse(buf, end, &lim, &r));
	EXPECT_EQ(HTTP_OTHER, (int)r.method);
	EXPECT_EQ(HTTP_BODY_DISCARD, (int)http_body_plan(&r, 65536));
	at = r.len + r.content_length;
	ASSERT_EQ(n - strlen(next), at);
	end = http_header_end(buf + at, n - at, 0);
	ASSERT_EQ(0, http_parse(buf + at, end, &lim, &r));
	EXPECT_STREQ("/hello.txt", r.target);
	free(buf);
}

TEST(parse_too_big)
{
	struct http_limits small = { .max_bytes = 20, .max_headers = 10 };
	char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_req r;

	EXPECT_EQ(-431, http_parse(req, sizeof(req) - 1, &small, &r));
}

TEST(ranges)
{
	static const struct {
		const char *v;
		off_t size;
		int ret;
		off_t first, last;
	} cases[] = {
		{ "bytes=0-0", 100, RANGE_OK, 0, 0 },
		{ "bytes=0-99", 100, RANGE_OK, 0, 99 },
		{ "bytes=10-19", 100, RANGE_OK, 10, 19 },
		{ "bytes=90-200", 100, RANGE_OK, 90, 99 },
		{ "bytes=50-", 100, RANGE_OK, 50, 99 },
		{ "bytes=-10", 100, RANGE_OK, 90, 99 },
		{ "bytes=-1000", 100, RANGE_OK, 0, 99 },
		{ "bytes = 5-6", 100, RANGE_OK, 5, 6 },
		{ "bytes=100-", 100, RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=100-200", 100, RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=-0", 100, RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=0-", 0, RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=-5", 0, RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=5-4", 100, RANGE_NONE, 0, 0 },
		{ "bytes=0-1,5-6", 100, RANGE_NONE, 0, 0 },
		{ "items=0-1", 100, RANGE_NONE, 0, 0 },
		{ "bytes=a-b", 100, RANGE_NONE, 0, 0 },
		{ "bytes=-", 100, RANGE_NONE, 0, 0 },
		{ "bytes=+1-2", 100, RANGE_NONE, 0, 0 },
		{ "bytes=1-2x", 100, RANGE_NONE, 0, 0 },
		{ "bytes=99999999999999999999-", 100, RANGE_NONE, 0, 0 },
		{ "bytes=1073741823-", 1073741824, RANGE_OK, 1073741823,
		  1073741823 },
	};
	struct http_range r;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		r.first = r.last = 0;
		ret = http_range_parse(cases[i].v, cases[i].size, &r);
		EXPECT_EQ(cases[i].ret, ret) TH_LOG("%s", cases[i].v);
		if (ret == RANGE_OK) {
			EXPECT_EQ(cases[i].first, r.first) TH_LOG("%s", cases[i].v);
			EXPECT_EQ(cases[i].last, r.last) TH_LOG("%s", cases[i].v);
		}
	}
}

TEST(paths)
{
	static const struct {
		const char *target;
		int ret;
		const char *out;
	} cases[] = {
		{ "/", 0, "" },
		{ "/a", 0, "a" },
		{ "/a/b.txt?x=../..", 0, "a/b.txt" },
		{ "/a//b/./c", 0, "a/b/c" },
		{ "/a/", 0, "a/" },
		{ "/a/.", 0, "a/" },
		{ "/a/../b", 0, "b" },
		{ "/a/b/../../c", 0, "c" },
		{ "/a%20b", 0, "a b" },
		{ "/a%2fb", 0, "a/b" },
		{ "/%252e%252e/x", 0, "%2e%2e/x" },
		{ "/..", -400, NULL },
		{ "/../etc/passwd", -400, NULL },
		{ "/a/../../etc/passwd", -400, NULL },
		{ "/%2e%2e/etc/passwd", -400, NULL },
		{ "/%2E%2E%2Fetc%2Fpasswd", -400, NULL },
		{ "/a/%2e%2e/%2e%2e/x", -400, NULL },
		{ "/..%2f..%2fetc", -400, NULL },
		{ "/a%00b", -400, NULL },
		{ "/a%0", -400, NULL },
		{ "/a%zz", -400, NULL },
		{ "a", -400, NULL },
		{ "*", -400, NULL },
		{ "http://h/a", -400, NULL },
	};
	char out[64];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = http_path_normalize(cases[i].target, out, sizeof(out));
		EXPECT_EQ(cases[i].ret, ret) TH_LOG("%s", cases[i].target);
		if (!ret && cases[i].out)
			EXPECT_STREQ(cases[i].out, out);
	}
}

/*
 * A folder's redirect comes from the normalised path: one leading '/',
 * never a network-path reference ("//host") or a backslash form, and no
 * decoded byte that could end the header line.
 */
TEST(dir_location)
{
	static const struct {
		const char *target;
		const char *loc;
	} cases[] = {
		{ "/sub", "/sub/" },
		{ "//evil.example.com/../sub", "/sub/" },
		{ "///sub", "/sub/" },
		{ "/%2f%2fevil.example.com/../sub", "/sub/" },
		{ "/./evil.example.com/..//sub?x=//y", "/sub/" },
		{ "//evil.example.com", "/evil.example.com/" },
		{ "/%5cevil.example.com", "/%5Cevil.example.com/" },
		{ "/a b/c", "/a%20b/c/" },
		{ "/sub%0d%0aSet-Cookie:%20x=1", "/sub%0D%0ASet-Cookie%3A%20x%3D1/" },
		{ "/d%C3%A9j%C3%A0", "/d%C3%A9j%C3%A0/" },
	};
	char rel[256], loc[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, http_path_normalize(cases[i].target, rel,
						 sizeof(rel)))
			TH_LOG("%s", cases[i].target);
		ASSERT_EQ(0, http_dir_location(rel, loc, sizeof(loc)));
		EXPECT_STREQ(cases[i].loc, loc) TH_LOG("%s", cases[i].target);
		EXPECT_NE('/', loc[1]) TH_LOG("%s", cases[i].target);
	}
	/* exactly full: "/" + 3 bytes + "/" + NUL is 6 */
	EXPECT_EQ(0, http_dir_location("abc", loc, 6));
	EXPECT_STREQ("/abc/", loc);
	EXPECT_EQ(-414, http_dir_location("abcd", loc, 6));
	EXPECT_EQ(-414, http_dir_location("a b", loc, 6));
}

TEST(hidden)
{
	static const struct {
		const char *rel;
		bool hidden;
	} cases[] = {
		{ "", false },
		{ "hello.txt", false },
		{ "sub/", false },
		{ "a.b/c.d", false },
		{ "sub/x.", false },
		{ ".git/config", true },
		{ ".git/", true },
		{ ".env", true },
		{ "sub/.htpasswd", true },
		{ "sub/.hidden/x", true },
		{ "..x", true },
		{ ".well-known", false },
		{ ".well-known/", false },
		{ ".well-known/acme-challenge/tok", false },
		{ ".well-known/.secret", true },
		{ ".well-knownx", true },
		{ "sub/.well-known/x", true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(cases[i].hidden, http_path_hidden(cases[i].rel))
			TH_LOG("case %u", i);
}

TEST(path_too_long)
{
	char target[200], out[16];

	memset(target, 'a', sizeof(target) - 1);
	target[0] = '/';
	target[sizeof(target) - 1] = '\0';
	EXPECT_EQ(-414, http_path_normalize(target, out, sizeof(out)));
	/* 15 bytes and the NUL fit, 16 do not */
	EXPECT_EQ(0, http_path_normalize("/0123456789abcde", out, sizeof(out)));
	EXPECT_EQ(-414, http_path_normalize("/0123456789abcdef", out,
					    sizeof(out)));
	EXPECT_EQ(-414, http_path_normalize("/0123456789abcde/", out,
					    sizeof(out)));
}

TEST(dates)
{
	char buf[40];
	time_t t;

	ASSERT_EQ(0, http_date(784111777, buf, sizeof(buf)));
	EXPECT_STREQ("Sun, 06 Nov 1994 08:49:37 GMT", buf);
	ASSERT_EQ(0, http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", &t));
	EXPECT_EQ(784111777, t);
	ASSERT_EQ(0, http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	EXPECT_EQ(784111777, t);
	ASSERT_EQ(0, http_parse_date("Sun Nov  6 08:49:37 1994", &t));
	EXPECT_EQ(784111777, t);
	EXPECT_NE(0, http_parse_date("yesterday", &t));
	EXPECT_NE(0, http_parse_date("Sun, 06 Xyz 1994 08:49:37 GMT", &t));
	EXPECT_NE(0, http_parse_date("Sun, 06 Nov 1994 08:49:37 GMT junk", &t));
	EXPECT_NE(0, http_parse_date("", &t));
}

/* RFC 9110 13.1.3: an If-Modified-Since later than now is ignored. */
TEST(not_modified)
{
	const time_t now = 1800000000, mtime = 1700000000;
	struct http_req r = { 0 };
	char ims[40];

	r.if_modified_since = ims;
	http_date(mtime, ims, sizeof(ims));
	EXPECT_TRUE(http_not_modified(&r, mtime, "\"e\"", now));
	http_date(mtime - 1, ims, sizeof(ims));
	EXPECT_FALSE(http_not_modified(&r, mtime, "\"e\"", now));
	http_date(now, ims, sizeof(ims));
	EXPECT_TRUE(http_not_modified(&r, mtime, "\"e\"", now));
	/* one second past the server's clock: invalid, so the file */
	http_date(now + 1, ims, sizeof(ims));
	EXPECT_FALSE(http_not_modified(&r, mtime, "\"e\"", now));
	http_date(now + 86400 * 365, ims, sizeof(ims));
	EXPECT_FALSE(http_not_modified(&r, mtime, "\"e\"", now));
	snprintf(ims, sizeof(ims), "garbage");
	EXPECT_FALSE(http_not_modified(&r, mtime, "\"e\"", now));
	/* If-None-Match decides alone */
	http_date(mtime, ims, sizeof(ims));
	r.if_none_match = "\"other\"";
	EXPECT_FALSE(http_not_modified(&r, mtime, "\"e\"", now));
	r.if_none_match = "\"e\"";
	EXPECT_TRUE(http_not_modified(&r, mtime, "\"e\"", now));
}

/* Nothing from outside can end or forge a log line. */
TEST(log_escape)
{
	char out[64];

	EXPECT_EQ(5u, http_log_escape("/a.txt" + 1, out, sizeof(out), true));
	EXPECT_STREQ("a.txt", out);
	http_log_escape("/a b\"c\\d", out, sizeof(out), true);
	EXPECT_STREQ("/a\\x20b\\x22c\\x5cd", out);
	http_log_escape("subject CN=\"x\"", out, sizeof(out), false);
	EXPECT_STREQ("subject CN=\"x\"", out);
	http_log_escape("x\r\nktls-serve: forged\x1b[2J\x7f\xff", out,
			sizeof(out), false);
	EXPECT_STREQ("x\\x0d\\x0aktls-serve: forged\\x1b[2J\\x7f\\xff", out);
	EXPECT_EQ(NULL, strpbrk(out, "\r\n\x1b"));
	/* cut at a whole escape, never inside one */
	EXPECT_EQ(3u, http_log_escape("abc\n", out, 6, false));
	EXPECT_STREQ("abc", out);
	EXPECT_EQ(0u, http_log_escape("x", out, 1, false));
	EXPECT_STREQ("", out);
}

TEST(etags)
{
	struct timespec ts = { .tv_sec = 1000, .tv_nsec = 5 };
	char tag[64];

	ASSERT_EQ(0, http_etag(&ts, 42, 7, tag, sizeof(tag)));
	EXPECT_STREQ("\"7-2a-3e8.5\"", tag);
	EXPECT_TRUE(http_etag_match("*", tag));
	EXPECT_TRUE(http_etag_match(tag, tag));
	EXPECT_TRUE(http_etag_match("\"a\", W/\"7-2a-3e8.5\"", tag));
	EXPECT_FALSE(http_etag_match("\"a\", \"b\"", tag));
	EXPECT_FALSE(http_etag_match("\"7-2a-3e8.5", tag));
	EXPECT_FALSE(http_etag_match("7-2a-3e8.5", tag));
	EXPECT_FALSE(http_etag_match("", tag));
}

TEST(types)
{
	EXPECT_STREQ("text/html; charset=utf-8", mime_type("a/index.html"));
	EXPECT_STREQ("video/mp4", mime_type("x.MP4"));
	EXPECT_STREQ("application/octet-stream", mime_type("big.bin"));
	EXPECT_STREQ("application/octet-stream", mime_type("noext"));
	EXPECT_STREQ("application/octet-stream", mime_type("dir.d/noext"));
	EXPECT_STREQ("application/octet-stream", mime_type("trailing."));
}

TEST_HARNESS_MAIN
