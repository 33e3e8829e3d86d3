// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One client connection: handshake, then requests read and answered in
 * turn (keep-alive and pipelining), then a lingering close.
 *
 *   HANDSHAKE -> READ <-> WRITE -> LINGER -> closed
 *
 * Every step is non-blocking. A step either waits (and says for what),
 * moves to the next state, or closes. Pipelined requests simply stay in
 * the read buffer until the response before them is out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

enum step {
	STEP_WAIT,
	STEP_NEXT,
	STEP_CLOSE,
};

/* Bytes one connection may send before others get a turn. */
#define FAIR_SHARE	(4u << 20)
#define WRITE_CHUNK	(64 * 1024)
#define LINGER_MS	2000
#define LINGER_MAX	(1u << 20)
/* The largest refused request body read and dropped to keep the connection */
#define DISCARD_MAX	(64 * 1024)
/* Read room past the header limit: a whole control record always fits */
#define RBUF_SLACK	256

static long long in_s(unsigned int s)
{
	return now_ms() + s * 1000LL;
}

static void format_peer(struct conn *c, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", ip,
			 ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], ip,
				  sizeof(ip));
			snprintf(c->peer, sizeof(c->peer), "%s:%u", ip,
				 ntohs(in6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
			snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip,
				 ntohs(in6->sin6_port));
		}
	} else {
		snprintf(c->peer, sizeof(c->peer), "?");
	}
}

static void conn_run(struct conn *c);

/**
 * conn_accept() - take a new client socket into the worker
 * @w: worker
 * @fd: accepted non-blocking socket
 * @sa: peer address
 * @salen: its length
 */
void conn_accept(struct worker *w, int fd, const struct sockaddr *sa,
		 socklen_t salen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int one = 1;

	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->file = -1;
	format_peer(c, sa);
	/* a head and its body go out as soon as written, never held back */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tls_start(&c->tls, fd)) {
		log_error("%s: %s", c->peer, c->tls.error[0] ? c->tls.error :
			  "out of memory for a TLS session");
		close(fd);
		free(c);
		return;
	}
	c->evfd = fd;
	ev.data.ptr = c;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->evfd, &ev)) {
		tls_free(&c->tls);
		close(fd);
		free(c);
		return;
	}
	c->events = EPOLLIN;
	c->next = w->head;
	if (w->head)
		w->head->prev = c;
	w->head = c;
	w->nconns++;
	c->state = CONN_HANDSHAKE;
	c->deadline = in_s(w->o->handshake_timeout);
	conn_run(c);
}

/**
 * conn_close() - drop a connection at once and free it
 * @c: connection; invalid afterwards
 */
void conn_close(struct conn *c)
{
	struct worker *w = c->w;

	if (c->prev)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	/*
	 * close() alone does not take the socket out of epoll while another
	 * reference to it lives: a socket handed to ktlsd (a KeyUpdate that
	 * timed out) may still sit in the daemon's receive queue, and its next
	 * event would name this freed connection.
	 */
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->evfd, NULL);
	tls_free(&c->tls);
	fcache_put(c->fe);
	free(c->body);
	free(c->rbuf);
	close(c->fd);
	free(c);
}

static int head_add(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int head_add(struct conn *c, const char *fmt, ...)
{
	size_t room = sizeof(c->head) - c->head_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->head + c->head_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	c->head_len += n;
	return 0;
}

/*
 * The lines of every answer are put together without printf: they are
 * strings and one number, and vsnprintf's machinery was a tenth of the
 * server's user-space instructions per small keep-alive answer.
 */
static int head_cat(struct conn *c, ...) __attribute__((sentinel));

/*
 * head_cat() - append strings, the last argument NULL; -ENOSPC leaves the
 * head as it was before the string that did not fit
 */
static int head_cat(struct conn *c, ...)
{
	const char *s;
	va_list ap;
	size_t n;
	int ret = 0;

	va_start(ap, c);
	while ((s = va_arg(ap, const char *))) {
		n = strlen(s);
		if (n >= sizeof(c->head) - c->head_len) {
			ret = -ENOSPC;
			break;
		}
		memcpy(c->head + c->head_len, s, n + 1);
		c->head_len += n;
	}
	va_end(ap);
	return ret;
}

static int head_num(struct conn *c, unsigned long long v)
{
	char d[24];
	int i = sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	return head_cat(c, d + i, NULL);
}

static void head_begin(struct conn *c, int status)
{
	struct worker *w = c->w;
	time_t t = time(NULL);

	if (t != w->date_at) {
		http_date(t, w->date, sizeof(w->date));
		w->date_at = t;
	}
	c->status = status;
	c->head_len = c->head_off = 0;
	head_cat(c, "HTTP/1.1 ", NULL);
	head_num(c, status);
	head_cat(c, " ", http_reason(status), "\r\nServer: ktls-serve\r\nDate: ",
		 w->date, "\r\n", NULL);
}

static void head_end(struct conn *c)
{
	if (c->w->stopping)
		c->keep_alive = false;
	head_cat(c, "Connection: ", c->keep_alive ? "keep-alive" : "close",
		 "\r\n\r\n", NULL);
}

/* A short text answer; @extra is one more header line or NULL. */
static void respond_error(struct conn *c, int status, bool close,
			  const char *extra)
{
	char body[96];
	int n;

	n = snprintf(body, sizeof(body), "%d %s\n", status,
		     http_reason(status));
	c->keep_alive = !close && c->have_req && c->req.keep_alive;
	head_begin(c, status);
	head_add(c, "Content-Type: text/plain; charset=utf-8\r\n"
		 "Content-Length: %d\r\n", n);
	if (extra)
		head_add(c, "%s\r\n", extra);
	head_end(c);
	if (!(c->have_req && c->req.method == HTTP_HEAD))
		head_add(c, "%s", body);
}

static int errno_status(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return 404;
	case -EXDEV:
	case -ELOOP:
	case -EACCES:
	case -EPERM:
		return 403;
	case -ENAMETOOLONG:
		return 414;
	}
	return 500;
}

/* If-Range: the range applies only to the version the client has. */
static bool if_range_ok(const struct http_req *req, const struct stat *st,
			const char *etag)
{
	time_t t;

	if (!req->if_range)
		return true;
	if (req->if_range[0] == '"')
		return !strcmp(req->if_range, etag);
	if (req->if_range[0] == 'W' && req->if_range[1] == '/')
		return false;
	return !http_parse_date(req->if_range, &t) && t == st->st_mtime;
}

/* Answer from a regular file; @fe's reference passes to the connection. */
static void serve_file(struct conn *c, struct fentry *fe)
{
	const struct http_req *req = &c->req;
	const struct stat *st = &fe->st;
	struct http_range r;
	int rr = RANGE_NONE;
	char cr[96];

	c->fe = fe;
	c->keep_alive = req->keep_alive;
	if (http_not_modified(req, st->st_mtime, fe->etag, time(NULL))) {
		head_begin(c, 304);
		head_cat(c, "ETag: ", fe->etag, "\r\nLast-Modified: ", fe->lm,
			 "\r\n", NULL);
		head_end(c);
		return;
	}
	if (req->range && if_range_ok(req, st, fe->etag))
		rr = http_range_parse(req->range, st->st_size, &r);
	if (rr == RANGE_UNSATISFIABLE) {
		snprintf(cr, sizeof(cr), "Content-Range: bytes */%lld",
			 (long long)st->st_size);
		respond_error(c, 416, false, cr);
		return;
	}
	if (rr == RANGE_OK) {
		head_begin(c, 206);
		head_add(c, "Content-Range: bytes %lld-%lld/%lld\r\n",
			 (long long)r.first, (long long)r.last,
			 (long long)st->st_size);
		c->off = r.first;
		c->end = r.last + 1;
	} else {
		head_begin(c, 200);
		c->off = 0;
		c->end = st->st_size;
	}
	head_cat(c, "Content-Type: ", fe->mime, "\r\nContent-Length: ", NULL);
	head_num(c, c->end - c->off);
	head_cat(c, "\r\nLast-Modified: ", fe->lm, "\r\nETag: ", fe->etag,
		 "\r\nAccept-Ranges: bytes\r\n", NULL);
	head_end(c);
	if (req->method == HTTP_HEAD) {
		c->end = c->off;
		return;
	}
	c->file = fe->fd;
}

/*
 * Open @rel beneath the root: a regular file comes from (or goes into) the
 * worker's cache as *@fep; anything else is returned open in *@fdp with
 * its fstat() in @st, for the caller to close.
 */
static int open_path(struct conn *c, const char *rel, struct fentry **fep,
		     int *fdp, struct stat *st)
{
	struct worker *w = c->w;
	int ret, fd;

	*fep = fcache_get(&w->fc, w->rootfd, rel);
	if (*fep)
		return 0;
	ret = serve_open(w->rootfd, rel, w->o->symlinks_out, &fd);
	if ((ret == -EMFILE || ret == -ENFILE) && w->fc.count) {
		/* the cache's fds are the ones to give back first */
		fcache_flush(&w->fc);
		ret = serve_open(w->rootfd, rel, w->o->symlinks_out, &fd);
	}
	if (ret)
		return ret;
	if (fstat(fd, st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (!S_ISREG(st->st_mode)) {
		*fdp = fd;
		return 0;
	}
	*fep = fcache_add(&w->fc, rel, fd, st);
	return *fep ? 0 : -ENOMEM;
}

/* An HTML list of a folder's entries, for --list. */
static int make_listing(struct conn *c, int dfd)
{
	struct dirent **ents;
	size_t cap = 4096, len = 0;
	char *out;
	int n, i;

	n = scandirat(dfd, ".", &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	out = malloc(cap);
	if (!out)
		goto err;
	len = snprintf(out, cap, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index</title></head><body><ul>\n");
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t need = strlen(name) * 12 + 64;
		struct stat st;
		const char *p;
		bool dir;

		if (name[0] == '.')
			continue;
		dir = !fstatat(dfd, name, &st, 0) && S_ISDIR(st.st_mode);
		if (len + need > cap) {
			char *nb;

			cap = (len + need) * 2;
			nb = realloc(out, cap);
			if (!nb)
				goto err_free;
			out = nb;
		}
		len += snprintf(out + len, cap - len, "<li><a href=\"");
		/* percent-encode for the link, escape for the text */
		for (p = name; *p; p++) {
			unsigned char ch = *p;

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || strchr("-._~", ch))
				out[len++] = ch;
			else
				len += sprintf(out + len, "%%%02X", ch);
		}
		len += sprintf(out + len, "%s\">", dir ? "/" : "");
		for (p = name; *p; p++) {
			switch (*p) {
			case '<':
				len += sprintf(out + len, "&lt;");
				break;
			case '>':
				len += sprintf(out + len, "&gt;");
				break;
			case '&':
				len += sprintf(out + len, "&amp;");
				break;
			case '"':
				len += sprintf(out + len, "&quot;");
				break;
			default:
				out[len++] = *p;
			}
		}
		len += sprintf(out + len, "%s</a></li>\n", dir ? "/" : "");
	}
	if (len + 32 > cap) {
		char *nb = realloc(out, len + 32);

		if (!nb)
			goto err_free;
		out = nb;
	}
	len += sprintf(out + len, "</ul></body></html>\n");
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	c->body = out;
	c->body_len = len;
	c->body_off = 0;
	return 0;

err_free:
	free(out);
err:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return -ENOMEM;
}

static void serve_folder(struct conn *c, int dfd, const char *rel)
{
	struct serve_opts *o = c->w->o;
	struct fentry *fe;
	char idx[4200];
	struct stat st;
	int fd, ret;

	snprintf(idx, sizeof(idx), "%sindex.html", rel);
	ret = open_path(c, idx, &fe, &fd, &st);
	if (!ret) {
		if (fe) {
			close(dfd);
			serve_file(c, fe);
			return;
		}
		close(fd);
	}
	if (!o->list_dirs) {
		close(dfd);
		respond_error(c, 403, false, NULL);
		return;
	}
	ret = make_listing(c, dfd);
	close(dfd);
	if (ret) {
		respond_error(c, 500, false, NULL);
		return;
	}
	c->keep_alive = c->req.keep_alive;
	head_begin(c, 200);
	head_add(c, "Content-Type: text/html; charset=utf-8\r\n"
		 "Content-Length: %zu\r\n", c->body_len);
	head_end(c);
	if (c->req.method == HTTP_HEAD)
		c->body_len = 0;
}

/* Decide the answer to the parsed request in c->req. */
static void respond(struct conn *c)
{
	struct http_req *req = &c->req;
	struct serve_opts *o = c->w->o;
	char rel[4096], loc[1100];
	enum http_body body;
	struct fentry *fe;
	struct stat st;
	int ret, fd;
	size_t n;

	/* a body we do not read must never be parsed as the next request */
	body = http_body_plan(req, DISCARD_MAX);
	if (req->method == HTTP_OTHER) {
		respond_error(c, 405, body == HTTP_BODY_CLOSE,
			      "Allow: GET, HEAD");
		if (body == HTTP_BODY_DISCARD && c->keep_alive)
			c->discard = req->content_length;
		return;
	}
	if (body != HTTP_BODY_NONE) {
		/*
		 * A GET or HEAD with a body: front ends disagree on whether
		 * such a body exists, so do not guess where the next request
		 * starts; answer and close.
		 */
		respond_error(c, 400, true, NULL);
		return;
	}
	ret = http_path_normalize(req->target, rel, sizeof(rel));
	if (ret) {
		respond_error(c, -ret, false, NULL);
		return;
	}
	/*
	 * Dotfiles (.git/config, .env, .htpasswd) get the same 404 as a
	 * missing file, not a 403: a 403 would tell a scanner which of them
	 * exist here.
	 */
	if (!o->allow_dotfiles && http_path_hidden(rel)) {
		respond_error(c, 404, false, NULL);
		return;
	}
	ret = open_path(c, rel, &fe, &fd, &st);
	if (ret) {
		respond_error(c, errno_status(ret), false, NULL);
		return;
	}
	if (fe) {
		serve_file(c, fe);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		n = strlen(rel);
		if (n && rel[n - 1] != '/') {
			close(fd);
			/* from the normalised path: never "//host/..." */
			memcpy(loc, "Location: ", sizeof("Location: "));
			ret = http_dir_location(rel, loc + 10,
						sizeof(loc) - 10);
			respond_error(c, ret ? 414 : 301, false,
				      ret ? NULL : loc);
			return;
		}
		serve_folder(c, fd, rel);
		return;
	}
	close(fd);
	respond_error(c, 403, false, NULL);
}

/* Keep what the access log needs, with control bytes made visible. */
static void note_request(struct conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	/* the parser let only token bytes into a method: escaped anyway */
	http_log_escape(c->have_req ? c->req.method_str : "-", c->method,
			sizeof(c->method), true);
	http_log_escape(c->have_req ? c->req.target : "-", c->path,
			sizeof(c->path), true);
}

static void watch(struct conn *c, unsigned int events)
{
	worker_watch(c, events);
}

/*
 * Watch what the handshake waits on: the client, or, once the socket went
 * to ktlsd, the daemon's answer (the client's socket then leaves epoll,
 * or its data would wake us until ktlsd read it).
 */
static int watch_handshake(struct conn *c, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };
	int fd = tls_wait_fd(&c->tls);

	if (fd == c->evfd) {
		watch(c, events);
		return 0;
	}
	epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, c->evfd, NULL);
	if (epoll_ctl(c->w->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	c->evfd = fd;
	c->events = events;
	return 0;
}

static enum step do_handshake(struct conn *c)
{
	int want, ret;

	ret = tls_step(&c->tls, &want);
	if (ret == -EAGAIN) {
		if (watch_handshake(c, want == KTLS_WANT_WRITE ? EPOLLOUT :
				    EPOLLIN))
			return STEP_CLOSE;
		return STEP_WAIT;
	}
	if (ret) {
		/* clients that connect and leave (probes) are not news */
		if (!c->w->o->quiet && !c->tls.quiet_fail)
			log_error("%s: TLS handshake failed: %s", c->peer,
				  c->tls.error);
		return STEP_CLOSE;
	}
	if (c->evfd != c->fd) {
		/* ktlsd answered (closing its fd): now the client's turn */
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		c->evfd = c->fd;
		c->events = EPOLLIN;
		if (epoll_ctl(c->w->epfd, EPOLL_CTL_ADD, c->fd, &ev))
			return STEP_CLOSE;
	}
	c->state = CONN_READ;
	c->deadline = in_s(c->w->o->idle_timeout);
	return STEP_NEXT;
}

static void start_close(struct conn *c)
{
	tls_close_notify(&c->tls);
	shutdown(c->fd, SHUT_WR);
	free(c->rbuf);
	c->rbuf = NULL;
	c->rlen = 0;
	c->sent = 0;
	c->state = CONN_LINGER;
	c->deadline = now_ms() + LINGER_MS;
}

/* Parse the next request out of the buffer, if it is all there. */
static enum step next_request(struct conn *c)
{
	struct serve_opts *o = c->w->o;
	struct http_limits lim = {
		.max_bytes = o->max_header_bytes,
		.max_headers = o->max_headers,
	};
	int end, ret;

	if (c->discard && c->rlen) {
		/* the body of a refused request: drop what has arrived */
		size_t drop = c->discard < c->rlen ? c->discard : c->rlen;

		memmove(c->rbuf, c->rbuf + drop, c->rlen - drop);
		c->rlen -= drop;
		c->discard -= drop;
		if (c->discard)
			return STEP_NEXT;	/* read more of it */
		c->deadline = in_s(c->rlen ? o->request_timeout :
					     o->idle_timeout);
	}
	if (!c->rlen) {
		free(c->rbuf);
		c->rbuf = NULL;
		c->scanned = 0;
		if (c->w->stopping) {
			start_close(c);
			return STEP_NEXT;
		}
		watch(c, EPOLLIN);
		return STEP_WAIT;
	}
	end = http_header_end(c->rbuf, c->rlen, c->scanned);
	if (!end) {
		c->scanned = c->rlen;
		if (c->rlen < o->max_header_bytes) {
			watch(c, EPOLLIN);
			return STEP_WAIT;
		}
		/* no line end at all: the request line alone is too long */
		note_request(c);
		respond_error(c, memchr(c->rbuf, '\n', c->rlen) ? 431 : 414,
			      true, NULL);
		c->state = CONN_WRITE;
		c->deadline = in_s(o->send_timeout);
		return STEP_NEXT;
	}
	c->requests++;
	ret = http_parse(c->rbuf, end, &lim, &c->req);
	c->have_req = ret == 0;
	note_request(c);
	if (ret)
		respond_error(c, -ret, true, NULL);
	else
		respond(c);
	c->state = CONN_WRITE;
	c->deadline = in_s(o->send_timeout);
	return STEP_NEXT;
}

/*
 * Read what has come. The buffer has 256 bytes beyond the header limit so
 * that every read offers libktls room for a whole control record: it then
 * never keeps data of ours in its own buffer, where epoll cannot see it.
 */
static enum step do_read(struct conn *c)
{
	size_t cap = c->w->o->max_header_bytes;
	ssize_t n;

	if (!c->rbuf) {
		c->rbuf = malloc(cap + RBUF_SLACK + 1);
		if (!c->rbuf)
			return STEP_CLOSE;
	}
	while (c->rlen < cap) {
		n = tls_recv(&c->tls, c->rbuf + c->rlen,
			     cap + RBUF_SLACK - c->rlen);
		if (n == -EAGAIN)
			break;
		if (n < 0 && c->tls.error[0])
			log_error("%s: %s", c->peer, c->tls.error);
		if (n <= 0)
			return STEP_CLOSE;	/* closed, or broken */
		/* a body being dropped must end within one request timeout */
		if (!c->rlen && !c->discard)
			c->deadline = in_s(c->w->o->request_timeout);
		c->rlen += n;
		/*
		 * A whole request head is here: answer it now rather than
		 * ask the socket again just to hear EAGAIN. More requests
		 * still in the socket keep it readable for epoll.
		 */
		if (!c->discard && c->tls.kernel &&
		    http_header_end(c->rbuf, c->rlen, c->scanned))
			break;
	}
	return next_request(c);
}

static enum step finish(struct conn *c)
{
	struct serve_opts *o = c->w->o;

	log_access(c);
	fcache_put(c->fe);
	c->fe = NULL;
	c->file = -1;
	free(c->body);
	c->body = NULL;
	c->body_len = c->body_off = 0;
	c->sent = 0;
	c->head_len = c->head_off = 0;
	if (c->have_req && c->req.len <= c->rlen) {
		memmove(c->rbuf, c->rbuf + c->req.len, c->rlen - c->req.len);
		c->rlen -= c->req.len;
	} else {
		c->rlen = 0;
	}
	c->scanned = 0;
	c->have_req = false;
	if (!c->keep_alive || c->w->stopping) {
		start_close(c);
		return STEP_NEXT;
	}
	c->state = CONN_READ;
	c->deadline = c->rlen || c->discard ? in_s(o->request_timeout) :
					      in_s(o->idle_timeout);
	/*
	 * Nothing buffered here and the kernel holds the records: the next
	 * request is epoll's to announce (a read now would mostly be an
	 * EAGAIN). wolfSSL in user space may hold records epoll cannot see.
	 */
	if (!c->rlen && !c->discard && c->tls.kernel) {
		free(c->rbuf);
		c->rbuf = NULL;
		watch(c, EPOLLIN);
		return STEP_WAIT;
	}
	return STEP_NEXT;
}

static ssize_t send_body_chunk(struct conn *c)
{
	struct worker *w = c->w;
	size_t left = c->end - c->off;
	ssize_t n, r;

	switch (w->o->io) {
	case SERVE_IO_SENDFILE:
		return tls_sendfile(&c->tls, c->file, &c->off,
				    left > FAIR_SHARE ? FAIR_SHARE : left);
	case SERVE_IO_URING:
		if (w->ring_ok)
			return tls_uring_splice(&c->tls, &w->ring, c->file,
						&c->off, left);
		return tls_sendfile(&c->tls, c->file, &c->off, left);
	case SERVE_IO_WRITE:
		break;
	}
	/*
	 * The same offset always yields the same chunk: wolfSSL wants a
	 * write that would block repeated with the same length.
	 */
	if (left > WRITE_CHUNK)
		left = WRITE_CHUNK;
	r = pread(c->file, w->scratch, left, c->off);
	if (r <= 0)
		return r < 0 ? -errno : -ENODATA;
	n = tls_send(&c->tls, w->scratch, r, 0);
	if (n > 0)
		c->off += n;
	return n;
}

static enum step do_write(struct conn *c)
{
	size_t budget = 0;
	ssize_t n;
	int more;

	/*
	 * MSG_MORE on the head when a body follows: kernel TLS closes the
	 * record only with the body's last byte, so a small answer is one
	 * record (one seal, one TLS header) instead of two.
	 */
	more = c->body_off < c->body_len ||
	       (c->file >= 0 && c->off < c->end) ? MSG_MORE : 0;
	while (c->head_off < c->head_len) {
		n = tls_send(&c->tls, c->head + c->head_off,
			     c->head_len - c->head_off, more);
		if (n == -EAGAIN)
			goto wait;
		if (n <= 0)
			goto broken;
		c->head_off += n;
	}
	while (c->body_off < c->body_len) {
		n = tls_send(&c->tls, c->body + c->body_off,
			     c->body_len - c->body_off, 0);
		if (n == -EAGAIN)
			goto wait;
		if (n <= 0)
			goto broken;
		c->body_off += n;
		c->sent += n;
	}
	while (c->file >= 0 && c->off < c->end) {
		if (budget >= FAIR_SHARE)
			goto wait;
		n = send_body_chunk(c);
		if (n == -EAGAIN)
			goto wait;
		if (n <= 0)
			goto broken;
		c->sent += n;
		budget += n;
		c->deadline = in_s(c->w->o->send_timeout);
	}
	return finish(c);

wait:
	watch(c, EPOLLOUT);
	return STEP_WAIT;
broken:
	/* the client went away mid-answer (or the file shrank, or the key) */
	if (n < 0 && c->tls.error[0])
		log_error("%s: %s", c->peer, c->tls.error);
	c->aborted = true;
	log_access(c);
	return STEP_CLOSE;
}

static enum step do_linger(struct conn *c)
{
	char *buf = c->w->scratch;
	ssize_t n;

	for (;;) {
		n = tls_recv(&c->tls, buf, 16384);
		if (n == -EAGAIN) {
			watch(c, EPOLLIN);
			return STEP_WAIT;
		}
		if (n <= 0)
			return STEP_CLOSE;
		c->sent += n;
		if (c->sent > LINGER_MAX)
			return STEP_CLOSE;
	}
}

static void conn_run(struct conn *c)
{
	enum step st = STEP_NEXT;

	while (st == STEP_NEXT) {
		switch (c->state) {
		case CONN_HANDSHAKE:
			st = do_handshake(c);
			break;
		case CONN_READ:
			st = do_read(c);
			break;
		case CONN_WRITE:
			st = do_write(c);
			break;
		case CONN_LINGER:
			st = do_linger(c);
			break;
		}
	}
	if (st == STEP_CLOSE)
		conn_close(c);
}

/**
 * conn_event() - the socket is ready as asked
 * @c: connection
 * @events: epoll events
 */
void conn_event(struct conn *c, unsigned int events)
{
	conn_run(c);
}

/**
 * conn_timeout() - the connection's deadline passed
 * @c: connection; may be freed
 *
 * A request that is taking too long to arrive gets a 408; everything else
 * is closed.
 */
void conn_timeout(struct conn *c)
{
	if (c->state == CONN_READ && c->rlen) {
		c->have_req = false;
		note_request(c);
		respond_error(c, 408, true, NULL);
		c->state = CONN_WRITE;
		c->deadline = in_s(c->w->o->send_timeout);
		conn_run(c);
		return;
	}
	if (c->state == CONN_WRITE) {
		/* the client stopped reading */
		c->aborted = true;
		log_access(c);
	}
	conn_close(c);
}

/**
 * conn_stop() - the server is stopping: end idle connections now
 * @c: connection; may be freed
 *
 * Busy ones finish their answer and close afterwards (head_end() and
 * finish() check the worker's stopping flag).
 */
void conn_stop(struct conn *c)
{
	if (c->state == CONN_HANDSHAKE) {
		conn_close(c);
		return;
	}
	if (c->state == CONN_READ && !c->rlen) {
		start_close(c);
		conn_run(c);
	}
}
