// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HTTP/1.x request parsing, dates and entity tags. No I/O here: everything
 * works on a buffer, so the host unit test can throw anything at it.
 *
 * The parser is strict where leniency lets requests be smuggled or paths be
 * confused (spaces, control bytes, folded or duplicate headers) and lenient
 * where clients differ harmlessly (bare LF line ends, header name case).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

/**
 * http_header_end() - find the blank line that ends a request head
 * @buf: bytes received so far
 * @len: their count
 * @from: where the previous search stopped (0 the first time)
 *
 * Return: the length of the head including the blank line, or 0 if it is
 * not complete yet.
 */
int http_header_end(const char *buf, size_t len, size_t from)
{
	size_t i;

	/* a previous search may have stopped between \r\n and \r\n */
	i = from > 3 ? from - 3 : 0;
	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* Cut the next line off *@p, dropping its CR LF or LF. */
static char *next_line(char **p, char *end)
{
	char *line = *p, *nl;

	nl = memchr(line, '\n', end - line);
	if (!nl)
		return NULL;
	*p = nl + 1;
	if (nl > line && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	return line;
}

static int parse_request_line(char *line, struct http_req *req)
{
	char *sp1, *sp2, *v;
	unsigned char *c;

	sp1 = strchr(line, ' ');
	if (!sp1 || sp1 == line)
		return -400;
	*sp1 = '\0';
	for (c = (unsigned char *)line; *c; c++)
		if (!is_tchar(*c))
			return -400;
	req->method_str = line;
	req->target = sp1 + 1;
	sp2 = strchr(req->target, ' ');
	if (!sp2 || sp2 == req->target)
		return -400;
	*sp2 = '\0';
	for (c = (unsigned char *)req->target; *c; c++)
		if (*c <= 0x20 || *c == 0x7f)
			return -400;
	v = sp2 + 1;
	if (strncmp(v, "HTTP/", 5) || strlen(v) != 8 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return -400;
	if (v[5] != '1')
		return -505;
	req->minor = v[7] - '0';
	if (!strcmp(line, "GET"))
		req->method = HTTP_GET;
	else if (!strcmp(line, "HEAD"))
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	return 0;
}

/* Connection: a comma-separated list of tokens. */
static void parse_connection(const char *v, bool *close, bool *keep)
{
	while (*v) {
		size_t n;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, " \t,");
		if (n == 5 && !strncasecmp(v, "close", 5))
			*close = true;
		else if (n == 10 && !strncasecmp(v, "keep-alive", 10))
			*keep = true;
		v += n;
	}
}

/* Set *@slot once; a second copy of the same header is an error. */
static int take(char **slot, char *v)
{
	if (*slot)
		return -400;
	*slot = v;
	return 0;
}

/*
 * Content-Length (RFC 9110 8.6): digits only. A list, a sign, spaces inside
 * or a value we cannot hold means we cannot know where the next request
 * starts, so it is a 400 and the connection closes.
 */
static int parse_content_length(const char *v, unsigned long long *len)
{
	unsigned long long n = 0;
	const char *p;

	if (!*v)
		return -400;
	for (p = v; *p; p++) {
		if (*p < '0' || *p > '9' || p - v >= 18)
			return -400;
		n = n * 10 + (*p - '0');
	}
	*len = n;
	return 0;
}

/*
 * Transfer-Encoding (RFC 9112 6.1): only a list whose last coding is
 * "chunked" frames a request; anything else leaves its length unknown,
 * which RFC 9112 6.3 answers with 400 and a close.
 */
static int parse_transfer_encoding(const char *v)
{
	const char *last = strrchr(v, ',');

	last = last ? last + 1 : v;
	while (*last == ' ' || *last == '\t')
		last++;
	return strcasecmp(last, "chunked") ? -400 : 0;
}

/**
 * http_parse() - parse one complete request head
 * @buf: the head, as found by http_header_end(); modified in place
 * @len: its length (including the blank line)
 * @lim: limits
 * @req: filled in; its strings point into @buf
 *
 * Return: 0, or the negative HTTP status to answer with (-400, -431,
 * -505).
 */
int http_parse(char *buf, size_t len, const struct http_limits *lim,
	       struct http_req *req)
{
	char *p = buf, *end = buf + len, *line, *colon, *v, *e;
	bool conn_close = false, conn_keep = false, have_cl = false;
	char *te = NULL;
	unsigned int count = 0;
	int ret;

	memset(req, 0, sizeof(*req));
	req->len = len;
	if (len > lim->max_bytes)
		return -431;
	if (memchr(buf, '\0', len))
		return -400;
	/* RFC 9112 2.2: ignore empty lines before the request line */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	line = next_line(&p, end);
	if (!line)
		return -400;
	ret = parse_request_line(line, req);
	if (ret)
		return ret;
	while ((line = next_line(&p, end)) && *line) {
		if (++count > lim->max_headers)
			return -431;
		/* obsolete line folding: refuse, as RFC 9112 5.2 allows */
		if (*line == ' ' || *line == '\t')
			return -400;
		colon = strchr(line, ':');
		if (!colon || colon == line)
			return -400;
		*colon = '\0';
		for (e = line; *e; e++)
			if (!is_tchar(*e))
				return -400;
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		for (e = v; *e; e++)
			if (((unsigned char)*e < 0x20 && *e != '\t') ||
			    *e == 0x7f)
				return -400;

		if (!strcasecmp(line, "host"))
			ret = take(&req->host, v);
		else if (!strcasecmp(line, "connection"))
			parse_connection(v, &conn_close, &conn_keep);
		else if (!strcasecmp(line, "range"))
			ret = take(&req->range, v);
		else if (!strcasecmp(line, "if-none-match"))
			ret = take(&req->if_none_match, v);
		else if (!strcasecmp(line, "if-modified-since"))
			ret = take(&req->if_modified_since, v);
		else if (!strcasecmp(line, "if-range"))
			ret = take(&req->if_range, v);
		else if (!strcasecmp(line, "transfer-encoding"))
			ret = take(&te, v);
		else if (!strcasecmp(line, "expect"))
			req->expect = true;
		else if (!strcasecmp(line, "content-length")) {
			/* a second one, even equal, is refused (RFC 9110 8.6) */
			ret = have_cl ? -400 :
			      parse_content_length(v, &req->content_length);
			have_cl = true;
		}
		if (ret)
			return ret;
	}
	if (!line)
		return -400;
	/*
	 * RFC 9112 6.1 and 6.3: both framings at once, chunked not last, or
	 * chunked from an HTTP/1.0 client are how requests get smuggled
	 * past a front end that reads the other length: refuse them all.
	 */
	if (te) {
		if (have_cl || req->minor < 1 || parse_transfer_encoding(te))
			return -400;
		req->chunked = true;
	}
	req->has_body = req->chunked || req->content_length;
	/* RFC 9112 3.2: a 1.1 request without Host is a 400 */
	if (req->minor >= 1 && !req->host)
		return -400;
	if (req->minor >= 1)
		req->keep_alive = !conn_close;
	else
		req->keep_alive = conn_keep && !conn_close;
	return 0;
}

/**
 * http_body_plan() - how to stay in step with the client after answering
 * @req: a parsed request (any method)
 * @max_discard: the largest Content-Length body worth reading to drop
 *
 * We take no request bodies, but a body left unread would be parsed as
 * the next request (request smuggling). A small body of known length is
 * read and dropped so the connection can go on; a chunked body, a large
 * one, or one the client may be holding back for a 100 Continue (it may
 * then send its next request instead) ends the connection after the
 * answer.
 *
 * Return: HTTP_BODY_NONE, HTTP_BODY_DISCARD or HTTP_BODY_CLOSE.
 */
enum http_body http_body_plan(const struct http_req *req, size_t max_discard)
{
	if (!req->has_body)
		return HTTP_BODY_NONE;
	if (req->chunked || req->expect || req->content_length > max_discard)
		return HTTP_BODY_CLOSE;
	return HTTP_BODY_DISCARD;
}

/**
 * http_not_modified() - is the client's copy current? (RFC 9110 13.2.2)
 * @req: the request
 * @mtime: the file's modification time
 * @etag: its entity tag
 * @now: the server's current time
 *
 * If-None-Match, when present, decides alone. If-Modified-Since counts
 * only when it is a valid date not later than @now: RFC 9110 13.1.3
 * calls a date in the future invalid, and a client that sends one (a
 * wrong clock, or someone who wants every later change hidden from it)
 * must get the file.
 *
 * Return: true to answer 304.
 */
bool http_not_modified(const struct http_req *req, time_t mtime,
		       const char *etag, time_t now)
{
	time_t t;

	if (req->if_none_match)
		return http_etag_match(req->if_none_match, etag);
	if (req->if_modified_since &&
	    !http_parse_date(req->if_modified_since, &t) && t <= now)
		return mtime <= t;
	return false;
}

/**
 * http_log_escape() - make an outside string safe for one log line
 * @src: the string (from a request, a peer, another process)
 * @out: the result, always NUL-terminated, cut at a whole escape
 * @outlen: size of @out (at least 1)
 * @field: escape a space and '"' too, for a field of the access log
 *
 * Control bytes (a CR or LF would forge a line, ESC drives terminals),
 * bytes from 0x7f up and the backslash itself become "\xNN", so what
 * the log shows can be decoded back without doubt.
 *
 * Return: the length of @out.
 */
size_t http_log_escape(const char *src, char *out, size_t outlen,
		       bool field)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (; *src; src++) {
		unsigned char ch = *src;
		bool esc = ch < 0x20 || ch >= 0x7f || ch == '\\' ||
			   (field && (ch == ' ' || ch == '"'));

		if (o + (esc ? 4 : 1) >= outlen)
			break;
		if (esc) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else {
			out[o++] = ch;
		}
	}
	out[o] = '\0';
	return o;
}

/**
 * http_reason() - reason phrase of a status code
 * @status: HTTP status
 *
 * Return: the phrase.
 */
const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

static const char days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/**
 * http_date() - format a time as an IMF-fixdate (RFC 9110 5.6.7)
 * @t: time
 * @buf: output
 * @len: its size (30 is enough)
 *
 * Return: 0 or -EINVAL.
 */
int http_date(time_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		     days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

static int month_index(const char *m)
{
	int i;

	for (i = 0; i < 12; i++)
		if (!strncmp(m, months[i], 3))
			return i;
	return -1;
}

/**
 * http_parse_date() - read an HTTP date
 * @s: IMF-fixdate, or the obsolete RFC 850 and asctime forms
 * @t: the time
 *
 * Return: 0, or -EINVAL when @s is none of the three forms.
 */
int http_parse_date(const char *s, time_t *t)
{
	char wd[16], mon[4], gmt[4];
	int d, y, hh, mm, ss, n = 0;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	/* IMF-fixdate, then RFC 850, then asctime; %n proves a full match */
	if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wd, &d, mon, &y,
		   &hh, &mm, &ss, gmt, &n) == 8 && n && !s[n] &&
	    !strcmp(gmt, "GMT"))
		goto parsed;
	n = 0;
	if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s%n", wd, &d,
		   mon, &y, &hh, &mm, &ss, gmt, &n) == 8 && n && !s[n] &&
	    !strcmp(gmt, "GMT")) {
		/* two-digit year: RFC 9110 5.6.7's 50-year rule */
		y += y < 70 ? 2000 : 1900;
		goto parsed;
	}
	n = 0;
	if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d%n", wd, mon, &d, &hh, &mm,
		   &ss, &y, &n) != 7 || !n || s[n])
		return -EINVAL;
parsed:
	tm.tm_mon = month_index(mon);
	if (tm.tm_mon < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 ||
	    ss > 60 || y < 1970)
		return -EINVAL;
	tm.tm_mday = d;
	tm.tm_year = y - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -EINVAL : 0;
}

/**
 * http_etag() - a strong entity tag for a file version
 * @mtime: modification time
 * @size: file size
 * @ino: inode number
 * @buf: output, quoted
 * @len: its size (64 is enough)
 *
 * Return: 0 or -EINVAL.
 */
int http_etag(const struct timespec *mtime, off_t size, ino_t ino,
	      char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "\"%llx-%llx-%llx.%lx\"",
		     (unsigned long long)ino, (unsigned long long)size,
		     (unsigned long long)mtime->tv_sec,
		     (unsigned long)mtime->tv_nsec);
	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

/**
 * http_etag_match() - weak comparison against an If-None-Match list
 * @list: "*" or comma-separated entity tags, weak ones with W/
 * @etag: our quoted strong tag
 *
 * Return: true if any tag in @list matches.
 */
bool http_etag_match(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!strcmp(p, "*"))
		return true;
	while (*p) {
		const char *q;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p != '"')
			return false;
		q = strchr(p + 1, '"');
		if (!q)
			return false;
		if ((size_t)(q + 1 - p) == elen && !strncmp(p, etag, elen))
			return true;
		p = q + 1;
	}
	return false;
}
