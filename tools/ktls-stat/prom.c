// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --prometheus: the text exposition format for node_exporter's textfile
 * collector. Counters become ktls_<snake_name>_total (TlsTxSw ->
 * ktls_tx_sw_total), the TlsCurr* gauges ktls_curr_<...>, and connections
 * are counted per version, cipher and carrier rather than listed one by
 * one, so the number of series stays small.
 */
#include <ctype.h>
#include <string.h>

#include "stat.h"

/* "TlsRxNoPadViolation" -> "rx_no_pad_violation" */
static void snake(const char *name, char *out, size_t len)
{
	size_t o = 0, i;

	if (!strncmp(name, "Tls", 3))
		name += 3;
	for (i = 0; name[i] && o + 2 < len; i++) {
		unsigned char ch = name[i];

		if (!isalnum(ch)) {
			out[o++] = '_';
			continue;
		}
		if (isupper(ch) && i > 0 &&
		    (islower((unsigned char)name[i - 1]) ||
		     isdigit((unsigned char)name[i - 1]) ||
		     (isupper((unsigned char)name[i - 1]) &&
		      islower((unsigned char)name[i + 1]))))
			out[o++] = '_';
		out[o++] = tolower(ch);
	}
	out[o] = '\0';
}

static void prom_counters(FILE *f, const struct counters *c)
{
	char name[96];
	size_t i;

	for (i = 0; i < c->n; i++) {
		bool gauge = stat_is_gauge(c->v[i].name);

		snake(c->v[i].name, name, sizeof(name));
		fprintf(f, "# HELP ktls_%s%s /proc/net/tls_stat %s\n", name,
			gauge ? "" : "_total", c->v[i].name);
		fprintf(f, "# TYPE ktls_%s%s %s\n", name, gauge ? "" : "_total",
			gauge ? "gauge" : "counter");
		fprintf(f, "ktls_%s%s %llu\n", name, gauge ? "" : "_total",
			c->v[i].value);
	}
}

/* Labels of one connection, for grouping. */
static void labels(const struct conn *c, char *out, size_t len)
{
	char vb[16], cb[24];
	const char *v = stat_version_name(c->d.version, vb, sizeof(vb));
	const char *ci = stat_cipher_name(c->d.cipher, cb, sizeof(cb));
	const char *tx = stat_conf_name(c->d.txconf);
	const char *rx = stat_conf_name(c->d.rxconf);

	snprintf(out, len,
		 "version=\"%s\",cipher=\"%s\",tx=\"%s\",rx=\"%s\"",
		 v ? v : "", ci ? ci : "", tx ? tx : "", rx ? rx : "");
}

static void prom_conns(FILE *f, const struct conn_list *l)
{
	char a[160], b[160];
	size_t i, j, n;
	bool first;

	fputs("# HELP ktls_connections TCP connections with the tls ULP in this network namespace, by TLS version, cipher and who carries TX and RX\n",
	      f);
	fputs("# TYPE ktls_connections gauge\n", f);
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].d.tls)
			continue;
		labels(&l->v[i], a, sizeof(a));
		/* count each label set once, at its first connection */
		for (first = true, j = 0; j < i && first; j++) {
			if (!l->v[j].d.tls)
				continue;
			labels(&l->v[j], b, sizeof(b));
			first = strcmp(a, b);
		}
		if (!first)
			continue;
		for (n = 0, j = i; j < l->n; j++) {
			if (!l->v[j].d.tls)
				continue;
			labels(&l->v[j], b, sizeof(b));
			n += !strcmp(a, b);
		}
		fprintf(f, "ktls_connections{%s} %zu\n", a, n);
	}
}

/**
 * stat_print_prom() - the report in Prometheus text format
 * @f: output
 * @o: what was asked
 * @e: namespace and kernel state
 * @l: connections
 * @c: counters
 */
void stat_print_prom(FILE *f, const struct stat_opts *o,
		     const struct env *e, const struct conn_list *l,
		     const struct counters *c)
{
	fputs("# HELP ktls_module_loaded 1 when kernel TLS is available in this network namespace (/proc/net/tls_stat exists)\n",
	      f);
	fputs("# TYPE ktls_module_loaded gauge\n", f);
	fprintf(f, "ktls_module_loaded %d\n", c->present);
	fputs("# HELP ktls_ulp_visible 1 when ktls-stat may see sockets' ULP state (CAP_NET_ADMIN)\n",
	      f);
	fputs("# TYPE ktls_ulp_visible gauge\n", f);
	fprintf(f, "ktls_ulp_visible %d\n", e->net_admin);
	if (o->conns)
		prom_conns(f, l);
	if (o->global)
		prom_counters(f, c);
}
