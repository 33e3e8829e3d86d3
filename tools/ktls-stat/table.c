// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The human output: the connection table with an explanation under each
 * row that needs one, then the counters, then what to check.
 */
#include <string.h>
#include <sys/socket.h>

#include "stat.h"

/**
 * stat_endpoint() - "addr:port", or "[addr]:port" for IPv6
 * @buf: output
 * @len: size of @buf
 * @family: AF_INET or AF_INET6
 * @addr: address as text
 * @port: port
 *
 * Return: @buf.
 */
const char *stat_endpoint(char *buf, size_t len, int family,
			  const char *addr, unsigned int port)
{
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 port);
	return buf;
}

static const char *dash(const char *s)
{
	return s ? s : "-";
}

static const char *flag(const struct conn *c, bool v)
{
	if (!c->d.tls)
		return "-";
	return v ? "yes" : "no";
}

static void print_conns(FILE *f, const struct stat_opts *o,
			const struct conn_list *l)
{
	char lb[INET6_ADDRSTRLEN + 8], pb[INET6_ADDRSTRLEN + 8];
	char vb[16], cb[24];
	int lw = 5, pw = 4, n;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct conn *c = &l->v[i];

		n = strlen(stat_endpoint(lb, sizeof(lb), c->d.family,
					 c->laddr, c->d.lport));
		lw = n > lw ? n : lw;
		n = strlen(stat_endpoint(pb, sizeof(pb), c->d.family,
					 c->paddr, c->d.pport));
		pw = n > pw ? n : pw;
	}
	if (!l->n) {
		fprintf(f, "%s\n", o->nports || o->naddrs ?
			"no TCP connection matches the filter" :
			"no TCP connection with a ULP (kTLS or other)");
		return;
	}
	fprintf(f, "%-*s %-*s %-10s %-5s %-4s %-17s %-13s %-13s %-5s %-5s %6s %s\n",
		lw, "LOCAL", pw, "PEER", "STATE", "ULP", "VER", "CIPHER",
		"TX", "RX", "ZC_TX", "NOPAD", "UID", "INODE");
	for (i = 0; i < l->n; i++) {
		const struct conn *c = &l->v[i];

		fprintf(f, "%-*s %-*s %-10s %-5s %-4s %-17s %-13s %-13s %-5s %-5s %6u %u\n",
			lw, stat_endpoint(lb, sizeof(lb), c->d.family,
					  c->laddr, c->d.lport),
			pw, stat_endpoint(pb, sizeof(pb), c->d.family,
					  c->paddr, c->d.pport),
			stat_state_name(c->d.state),
			c->d.ulp[0] ? c->d.ulp : "-",
			dash(stat_version_name(c->d.version, vb, sizeof(vb))),
			dash(stat_cipher_name(c->d.cipher, cb, sizeof(cb))),
			dash(stat_conf_name(c->d.txconf)),
			dash(stat_conf_name(c->d.rxconf)),
			flag(c, c->d.zc_ro_tx), flag(c, c->d.rx_no_pad),
			c->d.uid, c->d.inode);
		if (c->why[0][0])
			fprintf(f, "  why tx is sw: %s\n", c->why[0]);
		if (c->why[1][0])
			fprintf(f, "  why rx is sw: %s\n", c->why[1]);
		if (c->note[0])
			fprintf(f, "  note: %s\n", c->note);
	}
}

static void print_counters(FILE *f, const struct counters *c)
{
	size_t i;

	if (!c->present) {
		fprintf(f, "kTLS counters: none (no /proc/net/tls_stat)\n");
		return;
	}
	fprintf(f, "kTLS counters (/proc/net/tls_stat):\n");
	for (i = 0; i < c->n; i++)
		fprintf(f, "  %-28s %llu\n", c->v[i].name, c->v[i].value);
}

/**
 * stat_print_table() - the human-readable report
 * @f: output
 * @o: what was asked
 * @e: namespace and kernel state
 * @l: connections (used with @o->conns)
 * @c: counters (used with @o->global)
 */
void stat_print_table(FILE *f, const struct stat_opts *o,
		      const struct env *e, const struct conn_list *l,
		      const struct counters *c)
{
	unsigned int i;

	fprintf(f, "network namespace %s\n", e->netns);
	if (o->conns)
		print_conns(f, o, l);
	if (o->conns && o->global)
		fputc('\n', f);
	if (o->global)
		print_counters(f, c);
	for (i = 0; i < e->nnotes; i++)
		fprintf(f, "note: %s\n", e->notes[i]);
}
