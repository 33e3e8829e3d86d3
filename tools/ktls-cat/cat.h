/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktls-cat: netcat over kernel TLS. Shared between its files.
 */
#ifndef KTLS_CAT_H
#define KTLS_CAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <ktls/ktls.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum cat_io {
	IO_WRITE,
	IO_SENDFILE,
	IO_SPLICE,
	IO_URING,
	IO_URING_ZC,
	IO_URING_SPLICE,
};

struct cat_opts {
	bool listen;
	const char *addr;		/* connect: HOST:PORT, listen: [ADDR:]PORT */
	struct ktls_config cfg;
	struct ktls_sni_cert *sni_certs;	/* --sni-cert, for cfg */
	const char *sendfile;
	enum cat_io io;
	bool info;
	bool json;
	bool quiet;
	bool http;
	bool no_stdin;
	bool peer_cert;			/* print the verified peer certificate */
	int count;			/* connections (listen) or attempts */
	unsigned long long rekey_every;	/* bytes between our KeyUpdates */
};

/* net.c */
int cat_connect(const char *hostport, char **host);
int cat_listen(const char *addrport);

/* pump.c */
int cat_pump(struct ktls_session *s, const struct cat_opts *o,
	     unsigned long long *sent, unsigned long long *received);
int cat_http(struct ktls_session *s, const struct cat_opts *o,
	     unsigned long long *sent);

/* report.c */
void cat_report_info(const struct ktls_session *s, const struct cat_opts *o);
void cat_report_error(const struct cat_opts *o, const struct ktls_session *s,
		      const char *what, int err);
void cat_report_peer(const struct ktls_session *s, const struct cat_opts *o);
void cat_report_done(const struct cat_opts *o, unsigned long long sent,
		     unsigned long long received);

#endif /* KTLS_CAT_H */
