/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktls-stat: TCP connections with their kernel TLS (ULP) state from
 * sock_diag, and the namespace's /proc/net/tls_stat counters.
 */
#ifndef KTLS_STAT_H
#define KTLS_STAT_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"		/* tools/common */
#include "sockdiag.h"	/* userspace/lib: shared with libktls */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define STAT_MAX_PORTS		16
#define STAT_MAX_ADDRS		16
#define STAT_MAX_COUNTERS	64
#define STAT_NOTE_LEN		512

/* Exit status when kernel TLS is missing in this namespace. */
#define STAT_EXIT_NO_KTLS	3

enum stat_format { FMT_TABLE, FMT_JSON, FMT_PROM };

/**
 * struct stat_opts - the command line
 * @conns: print the connection table
 * @global: print the counters
 * @all: list TCP sockets without a ULP too
 * @ports: --port values (match either end)
 * @addrs: --addr values (match either end), as sock_diag holds them
 * @watch: seconds between samples, 0 when not watching
 * @count: stop after this many samples (0: until interrupted)
 */
struct stat_opts {
	bool conns;
	bool global;
	bool all;
	enum stat_format fmt;
	unsigned int nports;
	unsigned short ports[STAT_MAX_PORTS];
	unsigned int naddrs;
	struct {
		int family;
		unsigned char a[16];
	} addrs[STAT_MAX_ADDRS];
	unsigned int watch;
	unsigned long count;
};

/**
 * struct conn - one listed TCP socket
 * @d: what sock_diag said
 * @laddr: local address as text
 * @paddr: peer address as text
 * @ifname: interface that holds the local address, "" if none
 * @why: per direction (0 TX, 1 RX), why it is not in the device although
 *	that interface could offload it; "" when nothing to explain
 * @note: anything else worth saying about the connection
 */
struct conn {
	struct ktls_diag_sock d;
	char laddr[INET6_ADDRSTRLEN];
	char paddr[INET6_ADDRSTRLEN];
	char ifname[IF_NAMESIZE];
	char why[2][STAT_NOTE_LEN];
	char note[STAT_NOTE_LEN];
};

struct conn_list {
	struct conn *v;
	size_t n;
	size_t cap;
};

struct counter {
	char name[48];
	unsigned long long value;
};

/**
 * struct counters - /proc/net/tls_stat, in the kernel's order
 * @present: the file exists (the tls module is loaded here)
 */
struct counters {
	bool present;
	size_t n;
	struct counter v[STAT_MAX_COUNTERS];
};

/**
 * struct env - what this namespace and kernel offer
 * @netns: "net:[INODE]" and, when ip-netns named it, the name
 * @net_admin: we hold CAP_NET_ADMIN (the kernel shows ULP state only then)
 * @ulp_available: "tls" is in tcp_available_ulp
 * @module_loaded: /sys/module/tls exists (module or built in)
 * @module_known: this kernel's modules.dep lists tls.ko
 * @notes: sentences about kernel TLS as a whole, one per line
 */
struct env {
	char netns[96];
	bool net_admin;
	bool ulp_available;
	bool module_loaded;
	bool module_known;
	char notes[4][STAT_NOTE_LEN];
	unsigned int nnotes;
};

/* conns.c */
int stat_collect(const struct stat_opts *o, struct conn_list *l);
void stat_conns_free(struct conn_list *l);
const char *stat_version_name(unsigned int v, char *buf, size_t len);
const char *stat_cipher_name(unsigned int c, char *buf, size_t len);
const char *stat_conf_name(unsigned int conf);
const char *stat_state_name(unsigned int state);
int stat_parse_addr(const char *s, int *family, unsigned char *a);

/* counters.c */
int stat_read_counters(struct counters *c);
const struct counter *stat_counter(const struct counters *c,
				   const char *name);
bool stat_is_gauge(const char *name);

/* env.c */
void stat_env(struct env *e, const struct counters *c);

/* why.c */
void stat_explain(struct conn_list *l, bool plain_note);

/* ethtool.c */
int stat_tls_features(const char *ifname, bool available[2],
		      bool active[2]);

/* table.c, json.c, prom.c */
void stat_print_table(FILE *f, const struct stat_opts *o,
		      const struct env *e, const struct conn_list *l,
		      const struct counters *c);
void stat_print_json(FILE *f, const struct stat_opts *o,
		     const struct env *e, const struct conn_list *l,
		     const struct counters *c);
void stat_print_prom(FILE *f, const struct stat_opts *o,
		     const struct env *e, const struct conn_list *l,
		     const struct counters *c);
const char *stat_endpoint(char *buf, size_t len, int family,
			  const char *addr, unsigned int port);

/* watch.c */
int stat_watch(const struct stat_opts *o);

#endif /* KTLS_STAT_H */
