// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-cat: what it tells people (stderr) and scripts (--json, stderr).
 * stdout carries only the peer's data.
 */
#include <string.h>

#include "cat.h"
#include "json.h"

static const char *vname(unsigned int v)
{
	return v == KTLS_TLS_1_3 ? "1.3" : "1.2";
}

void cat_report_info(const struct ktls_session *s, const struct cat_opts *o)
{
	struct ktls_info in;

	if (ktls_get_info(s, &in))
		return;
	if (o->json) {
		fprintf(stderr, "{\"event\":\"info\",\"version\":\"%s\",\"cipher\":",
			vname(in.version));
		tool_json_string(stderr, in.cipher);
		fprintf(stderr, ",\"tx\":\"%s\",\"rx\":\"%s\",\"resumed\":%s,\"alpn\":",
			ktls_carrier_name(in.tx), ktls_carrier_name(in.rx),
			in.resumed ? "true" : "false");
		tool_json_string(stderr, in.alpn);
		fprintf(stderr, ",\"server_name\":");
		tool_json_string(stderr, in.server_name);
		fprintf(stderr, "}\n");
		return;
	}
	fprintf(stderr, "ktls-cat: TLS %s, %s\n", vname(in.version), in.cipher);
	fprintf(stderr, "ktls-cat: tx %s, rx %s%s%s%s\n",
		ktls_carrier_name(in.tx), ktls_carrier_name(in.rx),
		in.resumed ? ", resumed" : "",
		in.alpn[0] ? ", alpn " : "", in.alpn);
}

void cat_report_peer(const struct ktls_session *s, const struct cat_opts *o)
{
	struct ktls_peer_cert pc;

	if (ktls_get_peer_cert(s, &pc)) {
		if (o->json)
			fprintf(stderr, "{\"event\":\"peer\",\"certificate\":null}\n");
		else
			fprintf(stderr, "ktls-cat: peer sent no certificate\n");
		return;
	}
	if (o->json) {
		fprintf(stderr, "{\"event\":\"peer\",\"subject\":");
		tool_json_string(stderr, pc.subject);
		fprintf(stderr, ",\"issuer\":");
		tool_json_string(stderr, pc.issuer);
		fprintf(stderr, ",\"san\":");
		tool_json_string(stderr, pc.sans);
		fprintf(stderr, ",\"sha256\":\"%s\"}\n", pc.sha256);
		return;
	}
	fprintf(stderr, "ktls-cat: peer %s, issuer %s\n", pc.subject,
		pc.issuer);
	fprintf(stderr, "ktls-cat: peer SAN %s, sha256 %s\n",
		pc.sans[0] ? pc.sans : "(none)", pc.sha256);
}

void cat_report_error(const struct cat_opts *o, const struct ktls_session *s,
		      const char *what, int err)
{
	enum ktls_reason r = s ? ktls_reason(s) : KTLS_R_NONE;
	const char *text = s ? ktls_reason_text(s) : "";

	if (o->json) {
		fprintf(stderr, "{\"event\":\"error\",\"during\":");
		tool_json_string(stderr, what);
		fprintf(stderr, ",\"errno\":");
		tool_json_string(stderr, strerror(-err));
		fprintf(stderr, ",\"reason\":\"%s\",\"message\":",
			ktls_reason_name(r));
		tool_json_string(stderr, text[0] ? text : strerror(-err));
		fprintf(stderr, "}\n");
		return;
	}
	if (text[0])
		fprintf(stderr, "ktls-cat: %s failed: %s\n", what, text);
	else
		fprintf(stderr, "ktls-cat: %s failed: %s\n", what,
			strerror(-err));
}

void cat_report_done(const struct cat_opts *o, unsigned long long sent,
		     unsigned long long received)
{
	if (o->json)
		fprintf(stderr, "{\"event\":\"done\",\"sent\":%llu,\"received\":%llu}\n",
			sent, received);
	else if (o->info)
		fprintf(stderr, "ktls-cat: sent %llu bytes, received %llu bytes\n",
			sent, received);
}
