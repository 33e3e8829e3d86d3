// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The [kernel] section of ktlsd.conf: how ktlsd answers the kernel's own
 * TLS users (see kjob.c). Its presence turns the netlink front door on.
 *
 *	[kernel]
 *	ca = /etc/ktlsd/kernel-ca.pem	# peers' certificates, both roles
 *	crl = /etc/ktlsd/kernel.crl
 *	server_cert = ...		# nfsd names none: this one is used
 *	server_key = ...
 *	client_cert = ...		# for xprtsec=mtls
 *	client_key = ...
 *	keyrings = .nvme		# linked for PSK lookup
 *	handshake_timeout = 5s		# when the consumer sets none
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ktlsd.h"

/**
 * ktlsd_kernel_section() - start of a [kernel] section
 * @p: parser
 *
 * Return: 0, or -EEXIST for a second [kernel] (its settings are skipped).
 */
int ktlsd_kernel_section(struct ktlsd_parser *p)
{
	struct ktlsd_kernel *k;

	if (p->conf->kernel) {
		ktlsd_problem(p, p->line, "[kernel] already defined at line %d",
			      p->conf->kernel->line);
		return -EEXIST;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		ktlsd_problem(p, p->line, "out of memory");
		return -ENOMEM;
	}
	k->line = p->line;
	/* SUNRPC sets no limit and gives up after 5 s as a server */
	k->handshake_timeout_ms = 5000;
	p->conf->kernel = k;
	return 0;
}

static void add_keyrings(struct ktlsd_parser *p, char *v)
{
	struct ktlsd_kernel *k = p->conf->kernel;
	char *save = NULL, *name, **n;

	for (name = strtok_r(v, " \t,", &save); name;
	     name = strtok_r(NULL, " \t,", &save)) {
		if (strlen(name) > 255) {
			ktlsd_problem(p, p->line, "keyring name too long");
			continue;
		}
		n = realloc(k->keyrings, (k->nkeyrings + 1) * sizeof(*n));
		if (n)
			k->keyrings = n;
		name = n ? strdup(name) : NULL;
		if (!name) {
			ktlsd_problem(p, p->line, "out of memory");
			return;
		}
		k->keyrings[k->nkeyrings++] = name;
	}
}

/**
 * ktlsd_kernel_key() - one setting of [kernel]
 * @p: parser
 * @key: name
 * @v: value
 */
void ktlsd_kernel_key(struct ktlsd_parser *p, const char *key, char *v)
{
	struct ktlsd_kernel *k = p->conf->kernel;
	int ret = 0;

	if (!strcmp(key, "ca"))
		ret = ktlsd_set_str(&k->ca, v);
	else if (!strcmp(key, "crl"))
		ret = ktlsd_set_str(&k->crl, v);
	else if (!strcmp(key, "server_cert"))
		ret = ktlsd_set_str(&k->server_cert, v);
	else if (!strcmp(key, "server_key"))
		ret = ktlsd_set_str(&k->server_key, v);
	else if (!strcmp(key, "client_cert"))
		ret = ktlsd_set_str(&k->client_cert, v);
	else if (!strcmp(key, "client_key"))
		ret = ktlsd_set_str(&k->client_key, v);
	else if (!strcmp(key, "keyrings"))
		add_keyrings(p, v);
	else if (!strcmp(key, "handshake_timeout")) {
		if (ktlsd_parse_ms(v, &k->handshake_timeout_ms) ||
		    !k->handshake_timeout_ms)
			ktlsd_problem(p, p->line, "handshake_timeout must be a duration like 5s or 500ms");
	} else
		ktlsd_problem(p, p->line, "unknown setting %s in [kernel]",
			      ktlsd_quote(key));
	if (ret)
		ktlsd_problem(p, p->line, "out of memory");
}

static void new_ctx(struct ktlsd_parser *p, const char *what,
		    struct ktls_config *cfg, struct ktls_ctx **ctxp)
{
	int ret = ktls_ctx_new(cfg, ctxp);

	if (ret) {
		ktlsd_problem(p, p->conf->kernel->line, "[kernel] %s: %s", what,
			      ktlsd_esc_text(ktls_ctx_error(*ctxp)));
		ktls_ctx_free(*ctxp);
		*ctxp = NULL;
	}
}

static bool pair(struct ktlsd_parser *p, const char *cert, const char *key,
		 const char *name)
{
	if (!cert != !key) {
		ktlsd_problem(p, p->conf->kernel->line,
			      "[kernel] %s_cert and %s_key go together: set both or neither",
			      name, name);
		return false;
	}
	return cert;
}

/**
 * ktlsd_kernel_build() - the contexts of [kernel], every problem recorded
 * @p: parser, after the whole file
 */
void ktlsd_kernel_build(struct ktlsd_parser *p)
{
	struct ktlsd_kernel *k = p->conf->kernel;
	struct ktls_config base, cfg;

	memset(&base, 0, sizeof(base));
	/* every kernel consumer requires TLS 1.3 */
	base.min_version = KTLS_TLS_1_3;
	base.max_version = KTLS_TLS_1_3;
	base.ca_file = k->ca;
	base.crl = k->crl;
	if (!k->ca) {
		base.policy |= KTLS_P_SYSTEM_CA;
		ktlsd_problem(p, k->line, "warning: [kernel] has no ca: peers' certificates are checked against the system's trust store");
		p->warnings++;
	}

	cfg = base;
	cfg.role = KTLS_CLIENT;
	new_ctx(p, "client", &cfg, &k->client);
	if (pair(p, k->client_cert, k->client_key, "client")) {
		cfg.cert_file = k->client_cert;
		cfg.key_file = k->client_key;
		new_ctx(p, "client_cert", &cfg, &k->client_x509);
	}

	cfg = base;
	cfg.role = KTLS_SERVER;
	/* a session's own certificate may come from the consumer's keys */
	cfg.flags = KTLS_F_NO_TICKETS | KTLS_F_ASK_CLIENT_CERT;
	if (pair(p, k->server_cert, k->server_key, "server")) {
		cfg.cert_file = k->server_cert;
		cfg.key_file = k->server_key;
	} else {
		cfg.flags |= KTLS_F_PSK;
	}
	new_ctx(p, "server", &cfg, &k->server);

	memset(&cfg, 0, sizeof(cfg));
	cfg.min_version = KTLS_TLS_1_3;
	cfg.max_version = KTLS_TLS_1_3;
	cfg.flags = KTLS_F_PSK;
	cfg.role = KTLS_CLIENT;
	new_ctx(p, "PSK client", &cfg, &k->psk_client);
	cfg.role = KTLS_SERVER;
	cfg.flags |= KTLS_F_NO_TICKETS;
	new_ctx(p, "PSK server", &cfg, &k->psk_server);
}

/**
 * ktlsd_kernel_free() - release a [kernel] section
 * @k: section or NULL
 */
void ktlsd_kernel_free(struct ktlsd_kernel *k)
{
	if (!k)
		return;
	ktls_ctx_free(k->client);
	ktls_ctx_free(k->client_x509);
	ktls_ctx_free(k->server);
	ktls_ctx_free(k->psk_client);
	ktls_ctx_free(k->psk_server);
	while (k->nkeyrings)
		free(k->keyrings[--k->nkeyrings]);
	free(k->keyrings);
	free(k->ca);
	free(k->crl);
	free(k->server_cert);
	free(k->server_key);
	free(k->client_cert);
	free(k->client_key);
	free(k);
}
