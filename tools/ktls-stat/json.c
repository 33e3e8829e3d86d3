// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --json: one object with the namespace, the connections, the counters and
 * the notes. Whatever the kernel did not report is null, not guessed.
 */
#include <string.h>
#include <sys/socket.h>

#include "stat.h"

static const char *or_null(const char *s)
{
	return s && *s ? s : NULL;
}

static void json_flag(FILE *f, const struct conn *c, bool v)
{
	fputs(!c->d.tls ? "null" : v ? "true" : "false", f);
}

static void json_conn(FILE *f, const struct conn *c)
{
	char vb[16], cb[24];

	fprintf(f, "{\"family\":\"%s\",\"local\":",
		c->d.family == AF_INET6 ? "ipv6" : "ipv4");
	tool_json_string(f, c->laddr);
	fprintf(f, ",\"local_port\":%u,\"peer\":", c->d.lport);
	tool_json_string(f, c->paddr);
	fprintf(f, ",\"peer_port\":%u,\"state\":", c->d.pport);
	tool_json_string(f, stat_state_name(c->d.state));
	fputs(",\"ulp\":", f);
	tool_json_string(f, or_null(c->d.ulp));
	fputs(",\"tls_version\":", f);
	tool_json_string(f, stat_version_name(c->d.version, vb, sizeof(vb)));
	fputs(",\"cipher\":", f);
	tool_json_string(f, stat_cipher_name(c->d.cipher, cb, sizeof(cb)));
	fputs(",\"tx\":", f);
	tool_json_string(f, stat_conf_name(c->d.txconf));
	fputs(",\"rx\":", f);
	tool_json_string(f, stat_conf_name(c->d.rxconf));
	fputs(",\"zerocopy_sendfile\":", f);
	json_flag(f, c, c->d.zc_ro_tx);
	fputs(",\"rx_no_pad\":", f);
	json_flag(f, c, c->d.rx_no_pad);
	fprintf(f, ",\"uid\":%u,\"inode\":%u,\"interface\":", c->d.uid,
		c->d.inode);
	tool_json_string(f, or_null(c->ifname));
	fputs(",\"why_tx_sw\":", f);
	tool_json_string(f, or_null(c->why[0]));
	fputs(",\"why_rx_sw\":", f);
	tool_json_string(f, or_null(c->why[1]));
	fputs(",\"note\":", f);
	tool_json_string(f, or_null(c->note));
	fputc('}', f);
}

static void json_counters(FILE *f, const struct counters *c)
{
	size_t i;

	if (!c->present) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (i = 0; i < c->n; i++) {
		if (i)
			fputc(',', f);
		tool_json_string(f, c->v[i].name);
		fprintf(f, ":%llu", c->v[i].value);
	}
	fputc('}', f);
}

/**
 * stat_print_json() - the report as one JSON object and a newline
 * @f: output
 * @o: what was asked: "connections" and "counters" appear only if asked
 * @e: namespace and kernel state
 * @l: connections
 * @c: counters
 */
void stat_print_json(FILE *f, const struct stat_opts *o,
		     const struct env *e, const struct conn_list *l,
		     const struct counters *c)
{
	unsigned int i;

	fputs("{\"netns\":", f);
	tool_json_string(f, e->netns);
	fprintf(f, ",\"net_admin\":%s,\"tls_module\":%s,\"tls_ulp\":%s",
		e->net_admin ? "true" : "false",
		e->module_loaded || c->present ? "true" : "false",
		e->ulp_available ? "true" : "false");
	if (o->conns) {
		fputs(",\"connections\":[", f);
		for (i = 0; i < l->n; i++) {
			if (i)
				fputc(',', f);
			json_conn(f, &l->v[i]);
		}
		fputc(']', f);
	}
	if (o->global) {
		fputs(",\"counters\":", f);
		json_counters(f, c);
	}
	fputs(",\"notes\":[", f);
	for (i = 0; i < e->nnotes; i++) {
		if (i)
			fputc(',', f);
		tool_json_string(f, e->notes[i]);
	}
	fputs("]}\n", f);
}
