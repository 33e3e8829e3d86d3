/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktls-serve: an HTTPS static file server on kernel TLS. Shared between
 * its files.
 *
 * The pure parts (http.c, range.c, path.c, mime.c) know nothing of sockets
 * and are unit-tested on the host; tls.c hides where the handshake runs;
 * conn.c is one connection's state machine; worker.c the per-CPU event loop.
 */
#ifndef KTLS_SERVE_H
#define KTLS_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* How response bodies leave the process. */
enum serve_io {
	SERVE_IO_SENDFILE,	/* sendfile() on the kTLS socket */
	SERVE_IO_URING,		/* io_uring splice file -> pipe -> socket */
	SERVE_IO_WRITE,		/* pread() into a buffer, then send() */
};

/* Where the handshake runs. */
enum serve_backend {
	SERVE_TLS_INPROC,	/* libktls in this process */
	SERVE_TLS_DAEMON,	/* ktlsd over its Unix socket */
};

struct serve_opts {
	const char *listen;		/* [ADDR:]PORT */
	const char *root;
	const char *cert;
	const char *key;
	struct ktls_sni_cert *sni_certs;	/* --sni-cert, NULL-terminated */
	const char *keylog;			/* --keylog: NSS key log file */
	const char *ciphers;
	unsigned int min_version, max_version;
	enum serve_backend backend;
	const char *ktlsd_socket;
	const char *profile;
	enum serve_io io;
	bool tls_user;			/* --tls userspace, or no kTLS */
	bool require_ktls;
	bool list_dirs;
	bool symlinks_out;
	bool allow_dotfiles;		/* serve names starting with '.' */
	bool quiet;
	int workers;
	unsigned int max_header_bytes;
	unsigned int max_headers;
	unsigned int max_conns;		/* per worker */
	unsigned int file_cache;	/* open files kept, per worker */
	unsigned int handshake_timeout;	/* seconds, each */
	unsigned int request_timeout;
	unsigned int idle_timeout;
	unsigned int send_timeout;
	unsigned int grace;
	unsigned int rekey_records;	/* 0: the cipher's AEAD limit */
	const char *access_log;		/* NULL: stdout */
};

/* http.c: request parsing, no I/O */
enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER,
};

struct http_limits {
	size_t max_bytes;		/* request line and headers */
	unsigned int max_headers;
};

struct http_req {
	enum http_method method;
	char *method_str;
	char *target;			/* as sent, NUL-terminated */
	int minor;			/* HTTP/1.minor */
	bool keep_alive;
	bool has_body;			/* Content-Length > 0 or chunked */
	bool chunked;			/* Transfer-Encoding: ..., chunked */
	bool expect;			/* Expect: the client may hold the body */
	unsigned long long content_length;
	char *host;
	char *range;
	char *if_none_match;
	char *if_modified_since;
	char *if_range;
	size_t len;			/* bytes of the request */
};

/* What to do with a request's body after answering it. */
enum http_body {
	HTTP_BODY_NONE,			/* there is none */
	HTTP_BODY_DISCARD,		/* read content_length bytes, drop them */
	HTTP_BODY_CLOSE,		/* answer with Connection: close */
};

int http_header_end(const char *buf, size_t len, size_t from);
int http_parse(char *buf, size_t len, const struct http_limits *lim,
	       struct http_req *req);
enum http_body http_body_plan(const struct http_req *req, size_t max_discard);
bool http_not_modified(const struct http_req *req, time_t mtime,
		       const char *etag, time_t now);
size_t http_log_escape(const char *src, char *out, size_t outlen,
		       bool field);
const char *http_reason(int status);
int http_date(time_t t, char *buf, size_t len);
int http_parse_date(const char *s, time_t *t);
int http_etag(const struct timespec *mtime, off_t size, ino_t ino,
	      char *buf, size_t len);
bool http_etag_match(const char *list, const char *etag);

/* range.c */
struct http_range {
	off_t first;
	off_t last;			/* inclusive */
};

enum {
	RANGE_NONE = 0,			/* no usable Range: send everything */
	RANGE_OK = 1,			/* one satisfiable range */
	RANGE_UNSATISFIABLE = 2,	/* 416 */
};

int http_range_parse(const char *value, off_t size, struct http_range *r);

/* path.c */
int http_path_normalize(const char *target, char *out, size_t outlen);
bool http_path_hidden(const char *rel);
int http_dir_location(const char *rel, char *out, size_t outlen);
int serve_open(int rootfd, const char *rel, bool symlinks_out, int *fdp);

/* mime.c */
const char *mime_type(const char *path);

#endif /* KTLS_SERVE_H */
