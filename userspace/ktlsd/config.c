// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd.conf: an INI file with one [global] section and one
 * [profile NAME] section per profile (see ktlsd.conf(5)). Loading collects
 * every problem with its file and line instead of stopping at the first,
 * then builds a libktls context per profile, which is where certificates
 * and keys are read (once: the daemon keeps only the contexts).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "ktlsd.h"
#include "sni_spec.h"

/**
 * ktlsd_problem() - record one problem with the configuration
 * @p: parser
 * @line: where in the file (0: the file as a whole)
 * @fmt: the sentence; outside strings in it escaped by the caller
 *
 * A sentence starting with "warning: " is advice: the load goes on.
 */
void ktlsd_problem(struct ktlsd_parser *p, int line, const char *fmt, ...)
{
	char raw[512], msg[1024], *out, **nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	ktlsd_sanitize(msg, sizeof(msg), raw);
	/* names in the sentences are escaped; the path is ours to escape */
	if (asprintf(&out, "%s:%d: %s", ktlsd_esc(p->file), line, msg) < 0)
		return;
	nl = realloc(p->pr->lines, (p->pr->n + 1) * sizeof(*nl));
	if (!nl) {
		free(out);
		return;
	}
	p->pr->lines = nl;
	nl[p->pr->n++] = out;
}

/**
 * ktlsd_problems_free() - release a problem list
 * @pr: list
 */
void ktlsd_problems_free(struct ktlsd_problems *pr)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		free(pr->lines[i]);
	free(pr->lines);
	pr->lines = NULL;
	pr->n = 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/**
 * ktlsd_parse_ms() - a duration like "10s", "500ms" or "2m"
 * @v: value
 * @ms: result
 *
 * Return: 0 or -EINVAL.
 */
int ktlsd_parse_ms(const char *v, unsigned int *ms)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		n *= 1000;
	else if (!strcmp(end, "m"))
		n *= 60000;
	else
		return -EINVAL;
	if (n > UINT_MAX)
		return -ERANGE;
	*ms = n;
	return 0;
}

static int parse_uint(const char *v, unsigned int max, unsigned int *out)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 0);
	if (errno || *end || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *b)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "1")) {
		*b = true;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") ||
	    !strcmp(v, "0")) {
		*b = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_version(const char *v, unsigned int *out)
{
	if (!strcmp(v, "1.2"))
		*out = KTLS_TLS_1_2;
	else if (!strcmp(v, "1.3"))
		*out = KTLS_TLS_1_3;
	else
		return -EINVAL;
	return 0;
}

/**
 * ktlsd_set_str() - replace a setting's string with a copy of @v
 * @dst: the setting
 * @v: the value
 *
 * Return: 0 or -ENOMEM (the old value is kept).
 */
int ktlsd_set_str(char **dst, const char *v)
{
	char *n = strdup(v);

	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static int resolve_uid(const char *v, uid_t *uid)
{
	struct passwd *pw;
	unsigned int n;

	if (!parse_uint(v, INT_MAX, &n)) {
		*uid = n;
		return 0;
	}
	pw = getpwnam(v);
	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	return 0;
}

static int resolve_gid(const char *v, gid_t *gid)
{
	struct group *gr;
	unsigned int n;

	if (!parse_uint(v, INT_MAX, &n)) {
		*gid = n;
		return 0;
	}
	gr = getgrnam(v);
	if (!gr)
		return -ENOENT;
	*gid = gr->gr_gid;
	return 0;
}

/* allow_uid / allow_gid: comma-separated names or numbers. */
static void parse_ids(struct ktlsd_parser *p, char *v, bool groups)
{
	struct ktlsd_profile *pf = p->prof;
	char *save = NULL, *tok;

	for (tok = strtok_r(v, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		unsigned int id;
		void *n;

		tok = trim(tok);
		if (!*tok)
			continue;
		if (groups) {
			gid_t g;

			if (resolve_gid(tok, &g)) {
				ktlsd_problem(p, p->line, "unknown group %s",
					ktlsd_quote(tok));
				continue;
			}
			id = g;
			n = realloc(pf->gids, (pf->ngids + 1) * sizeof(gid_t));
			if (!n)
				return;
			pf->gids = n;
			pf->gids[pf->ngids++] = id;
		} else {
			uid_t u;

			if (resolve_uid(tok, &u)) {
				ktlsd_problem(p, p->line, "unknown user %s",
					ktlsd_quote(tok));
				continue;
			}
			id = u;
			n = realloc(pf->uids, (pf->nuids + 1) * sizeof(uid_t));
			if (!n)
				return;
			pf->uids = n;
			pf->uids[pf->nuids++] = id;
		}
	}
}

static void set_flag(struct ktlsd_profile *pf, unsigned int flag, bool on)
{
	if (on)
		pf->flags |= flag;
	else
		pf->flags &= ~flag;
}

static void global_key(struct ktlsd_parser *p, const char *k, char *v)
{
	struct ktlsd_conf *c = p->conf;
	unsigned int n;
	bool b;
	int ret = 0;

	if (!strcmp(k, "socket")) {
		if (*v != '/')
			ktlsd_problem(p, p->line, "socket must be an absolute path");
		else
			ret = ktlsd_set_str(&c->socket, v);
	} else if (!strcmp(k, "socket_mode")) {
		if (parse_uint(v, 0777, &n))
			ktlsd_problem(p, p->line, "socket_mode must be an octal mode like 0660");
		else
			c->socket_mode = n;
	} else if (!strcmp(k, "socket_group")) {
		if (resolve_gid(v, &c->socket_gid))
			ktlsd_problem(p, p->line, "unknown group %s", ktlsd_quote(v));
	} else if (!strcmp(k, "user")) {
		struct passwd *pw = getpwnam(v);

		if (!pw) {
			ktlsd_problem(p, p->line, "unknown user %s", ktlsd_quote(v));
		} else {
			ret = ktlsd_set_str(&c->user, v);
			c->uid = pw->pw_uid;
			c->gid = pw->pw_gid;
		}
	} else if (!strcmp(k, "workers")) {
		if (parse_uint(v, 1024, &n))
			ktlsd_problem(p, p->line, "workers must be 0 (one per CPU) to 1024");
		else
			c->workers = n;
	} else if (!strcmp(k, "handshake_timeout")) {
		if (ktlsd_parse_ms(v, &c->handshake_timeout_ms) ||
		    !c->handshake_timeout_ms)
			ktlsd_problem(p, p->line, "handshake_timeout must be a duration like 10s or 500ms");
	} else if (!strcmp(k, "max_timeout")) {
		if (ktlsd_parse_ms(v, &c->max_timeout_ms) || !c->max_timeout_ms)
			ktlsd_problem(p, p->line, "max_timeout must be a duration like 60s");
	} else if (!strcmp(k, "request_timeout")) {
		if (ktlsd_parse_ms(v, &c->request_timeout_ms) ||
		    !c->request_timeout_ms)
			ktlsd_problem(p, p->line, "request_timeout must be a duration like 5s");
	} else if (!strcmp(k, "queue_timeout")) {
		if (ktlsd_parse_ms(v, &c->queue_timeout_ms))
			ktlsd_problem(p, p->line, "queue_timeout must be a duration like 5s");
	} else if (!strcmp(k, "drain_timeout")) {
		if (ktlsd_parse_ms(v, &c->drain_timeout_ms))
			ktlsd_problem(p, p->line, "drain_timeout must be a duration like 5s");
	} else if (!strcmp(k, "max_handshakes")) {
		if (parse_uint(v, 1000000, &c->max_handshakes) ||
		    !c->max_handshakes)
			ktlsd_problem(p, p->line, "max_handshakes must be 1 to 1000000");
	} else if (!strcmp(k, "max_per_uid")) {
		if (parse_uint(v, 1000000, &c->max_per_uid) || !c->max_per_uid)
			ktlsd_problem(p, p->line, "max_per_uid must be 1 to 1000000");
	} else if (!strcmp(k, "max_pending_per_uid")) {
		if (parse_uint(v, 1000000, &c->max_pending_per_uid) ||
		    !c->max_pending_per_uid)
			ktlsd_problem(p, p->line, "max_pending_per_uid must be 1 to 1000000");
	} else if (!strcmp(k, "queue")) {
		if (parse_uint(v, 1000000, &c->queue_max))
			ktlsd_problem(p, p->line, "queue must be 0 to 1000000");
	} else if (!strcmp(k, "keep_sessions")) {
		if (parse_uint(v, 1000000, &c->keep_max))
			ktlsd_problem(p, p->line, "keep_sessions must be 0 to 1000000");
	} else if (!strcmp(k, "keep_sessions_per_uid")) {
		if (parse_uint(v, 1000000, &c->keep_per_uid) ||
		    !c->keep_per_uid)
			ktlsd_problem(p, p->line, "keep_sessions_per_uid must be 1 to 1000000");
	} else if (!strcmp(k, "keep_time")) {
		if (ktlsd_parse_ms(v, &c->keep_ms))
			ktlsd_problem(p, p->line, "keep_time must be a duration like 60s");
	} else if (!strcmp(k, "tickets")) {
		if (parse_uint(v, 1000000, &c->tickets_max))
			ktlsd_problem(p, p->line, "tickets must be 0 to 1000000");
	} else if (!strcmp(k, "ticket_lifetime")) {
		if (ktlsd_parse_ms(v, &c->ticket_ms))
			ktlsd_problem(p, p->line, "ticket_lifetime must be a duration like 1h");
	} else if (!strcmp(k, "log")) {
		if (!strcmp(v, "syslog"))
			c->log_syslog = true;
		else if (!strcmp(v, "stderr"))
			c->log_syslog = false;
		else
			ktlsd_problem(p, p->line, "log must be stderr or syslog");
	} else if (!strcmp(k, "log_level")) {
		if (!strcmp(v, "error"))
			c->log_level = LOG_ERR;
		else if (!strcmp(v, "warning"))
			c->log_level = LOG_WARNING;
		else if (!strcmp(v, "info"))
			c->log_level = LOG_INFO;
		else if (!strcmp(v, "debug"))
			c->log_level = LOG_DEBUG;
		else
			ktlsd_problem(p, p->line, "log_level must be error, warning, info or debug");
	} else if (!strcmp(k, "lock_memory")) {
		if (parse_bool(v, &b))
			ktlsd_problem(p, p->line, "lock_memory must be yes or no");
		else
			c->lock_memory = b;
	} else {
		ktlsd_problem(p, p->line, "unknown setting %s in [global]",
			ktlsd_quote(k));
	}
	if (ret)
		ktlsd_problem(p, p->line, "out of memory");
}

/* One more identity by SNI; the text is kept, the entry points into it. */
static void add_sni_cert(struct ktlsd_parser *p, const char *v)
{
	struct ktlsd_profile *pf = p->prof;
	char **nl, *spec = strdup(v);
	int ret;

	nl = spec ? realloc(pf->sni_specs,
			    (pf->nsni_specs + 1) * sizeof(*nl)) : NULL;
	if (!nl) {
		free(spec);
		ktlsd_problem(p, p->line, "out of memory");
		return;
	}
	pf->sni_specs = nl;
	nl[pf->nsni_specs++] = spec;
	ret = sni_spec_add(&pf->sni_certs, spec);
	if (ret == -EINVAL)
		ktlsd_problem(p, p->line, "sni_cert must be NAME:CERT:KEY[:CHAIN[:OCSP]]");
	else if (ret)
		ktlsd_problem(p, p->line, "out of memory");
}

static void profile_key(struct ktlsd_parser *p, const char *k, char *v)
{
	struct ktlsd_profile *pf = p->prof;
	bool b;
	int ret = 0;

	if (!strcmp(k, "role")) {
		if (!strcmp(v, "server"))
			pf->role = KTLS_SERVER;
		else if (!strcmp(v, "client"))
			pf->role = KTLS_CLIENT;
		else
			ktlsd_problem(p, p->line, "role must be server or client");
	} else if (!strcmp(k, "cert")) {
		ret = ktlsd_set_str(&pf->cert, v);
	} else if (!strcmp(k, "key")) {
		ret = ktlsd_set_str(&pf->key, v);
	} else if (!strcmp(k, "sni_cert")) {
		add_sni_cert(p, v);
	} else if (!strcmp(k, "ocsp_response")) {
		ret = ktlsd_set_str(&pf->ocsp_response, v);
	} else if (!strcmp(k, "keylog_file")) {
		ret = ktlsd_set_str(&pf->keylog_file, v);
	} else if (!strcmp(k, "require_ocsp")) {
		if (parse_bool(v, &b))
			ktlsd_problem(p, p->line, "require_ocsp must be yes or no");
		else if (b)
			pf->policy |= KTLS_P_REQUIRE_OCSP;
		else
			pf->policy &= ~KTLS_P_REQUIRE_OCSP;
	} else if (!strcmp(k, "ca")) {
		ret = ktlsd_set_str(&pf->ca, v);
	} else if (!strcmp(k, "ca_path")) {
		ret = ktlsd_set_str(&pf->ca_path, v);
	} else if (!strcmp(k, "ciphers")) {
		ret = ktlsd_set_str(&pf->ciphers, v);
	} else if (!strcmp(k, "groups")) {
		ret = ktlsd_set_str(&pf->groups, v);
	} else if (!strcmp(k, "alpn")) {
		if (strlen(v) > 255)
			ktlsd_problem(p, p->line, "alpn list is too long");
		else
			ret = ktlsd_set_str(&pf->alpn, v);
	} else if (!strcmp(k, "server_name")) {
		ret = ktlsd_set_str(&pf->server_name, v);
	} else if (!strcmp(k, "min_version")) {
		if (parse_version(v, &pf->min_version))
			ktlsd_problem(p, p->line, "min_version must be 1.2 or 1.3");
	} else if (!strcmp(k, "max_version")) {
		if (parse_version(v, &pf->max_version))
			ktlsd_problem(p, p->line, "max_version must be 1.2 or 1.3");
	} else if (!strcmp(k, "verify")) {
		if (parse_bool(v, &b))
			ktlsd_problem(p, p->line, "verify must be yes or no");
		else
			set_flag(pf, KTLS_F_NO_VERIFY, !b);
	} else if (!strcmp(k, "verify_client")) {
		if (parse_bool(v, &b))
			ktlsd_problem(p, p->line, "verify_client must be yes or no");
		else
			set_flag(pf, KTLS_F_VERIFY_CLIENT, b);
	} else if (!strcmp(k, "tickets")) {
		if (parse_bool(v, &b))
			ktlsd_problem(p, p->line, "tickets must be yes or no");
		else
			set_flag(pf, KTLS_F_NO_TICKETS, !b);
	} else if (!strcmp(k, "tx_only")) {
		ktlsd_problem(p, p->line,
			"tx_only was removed: a socket ktlsd hands back is carried by the kernel in both directions (delete the line)");
	} else if (!strcmp(k, "allow_uid")) {
		parse_ids(p, v, false);
	} else if (!strcmp(k, "allow_gid")) {
		parse_ids(p, v, true);
	} else {
		ktlsd_problem(p, p->line, "unknown setting %s in profile %s",
			ktlsd_quote(k), pf->name);
	}
	if (ret)
		ktlsd_problem(p, p->line, "out of memory");
}

static void section(struct ktlsd_parser *p, char *name)
{
	struct ktlsd_conf *c = p->conf;
	struct ktlsd_profile *n;
	size_t i;

	p->prof = NULL;
	p->in_global = false;
	p->in_kernel = false;
	name = trim(name);
	if (!strcmp(name, "global")) {
		p->in_global = true;
		return;
	}
	if (!strcmp(name, "kernel")) {
		p->in_kernel = !ktlsd_kernel_section(p);
		return;
	}
	if (strncmp(name, "profile", 7) || !isspace((unsigned char)name[7])) {
		ktlsd_problem(p, p->line, "unknown section [%s]: use [global], [kernel] or [profile NAME]",
			ktlsd_esc_text(name));
		return;
	}
	name = trim(name + 7);
	if (!*name || strlen(name) > 63 || strpbrk(name, " \t[]")) {
		ktlsd_problem(p, p->line, "profile name must be 1 to 63 characters without spaces");
		return;
	}
	for (i = 0; i < c->nprofiles; i++)
		if (!strcmp(c->profiles[i].name, name)) {
			ktlsd_problem(p, p->line, "profile %s already defined at line %d",
				name, c->profiles[i].line);
			return;
		}
	n = realloc(c->profiles, (c->nprofiles + 1) * sizeof(*n));
	if (!n)
		return;
	c->profiles = n;
	p->prof = &c->profiles[c->nprofiles];
	memset(p->prof, 0, sizeof(*p->prof));
	p->prof->name = strdup(name);
	p->prof->line = p->line;
	p->prof->role = KTLS_SERVER;
	if (!p->prof->name) {
		p->prof = NULL;
		return;
	}
	c->nprofiles++;
}

static int parse_file(struct ktlsd_parser *p, FILE *f)
{
	char *buf = NULL, *line, *eq;
	size_t cap = 0;
	bool skip = false;

	while (getline(&buf, &cap, f) >= 0) {
		p->line++;
		line = trim(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *end = strchr(line, ']');

			if (!end || trim(end + 1)[0]) {
				ktlsd_problem(p, p->line, "section header must look like [profile NAME]");
				skip = true;
				continue;
			}
			*end = '\0';
			section(p, line + 1);
			skip = !p->in_global && !p->prof && !p->in_kernel;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			ktlsd_problem(p, p->line, "expected \"key = value\"");
			continue;
		}
		*eq = '\0';
		if (skip)
			continue;
		if (p->in_global)
			global_key(p, trim(line), trim(eq + 1));
		else if (p->in_kernel)
			ktlsd_kernel_key(p, trim(line), trim(eq + 1));
		else if (p->prof)
			profile_key(p, trim(line), trim(eq + 1));
		else
			ktlsd_problem(p, p->line, "setting outside a section: start with [global] or [profile NAME]");
	}
	free(buf);
	return 0;
}

/* Where in the file a profile's settings can be blamed. */
static void build_profile(struct ktlsd_parser *p, struct ktlsd_profile *pf)
{
	struct ktls_config cfg;
	int ret;

	if (pf->role == KTLS_SERVER && (!pf->cert || !pf->key)) {
		ktlsd_problem(p, pf->line, "profile %s: a server profile needs cert and key",
			pf->name);
		return;
	}
	if (!pf->nuids && !pf->ngids) {
		ktlsd_problem(p, pf->line, "warning: profile %s has no allow_uid or allow_gid: only root may use it",
			pf->name);
		p->warnings++;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.role = pf->role;
	cfg.cert_file = pf->cert;
	cfg.key_file = pf->key;
	cfg.sni_certs = pf->sni_certs;
	cfg.ocsp_response = pf->ocsp_response;
	cfg.policy = pf->policy;
	/*
	 * Opened by libktls now: at start-up still as root, before the
	 * privileges go, so the file may be one only root can write; a
	 * reload opens it as ktlsd's user.
	 */
	if (pf->keylog_file) {
		cfg.policy |= KTLS_P_KEYLOG;
		cfg.keylog_file = pf->keylog_file;
		ktlsd_problem(p, pf->line, "warning: profile %s writes the secrets of its connections to %s: anyone who reads it can decrypt them",
			pf->name, ktlsd_quote(pf->keylog_file));
		p->warnings++;
	}
	cfg.ca_file = pf->ca;
	cfg.ca_path = pf->ca_path;
	cfg.min_version = pf->min_version;
	cfg.max_version = pf->max_version;
	cfg.ciphers = pf->ciphers;
	/* none: libktls's order, X25519 then P-256 (ktls-policy.7) */
	cfg.groups = pf->groups;
	cfg.flags = pf->flags;
	/* ALPN and server name are set per session, from the request */
	ret = ktls_ctx_new(&cfg, &pf->ctx);
	if (ret) {
		ktlsd_problem(p, pf->line, "profile %s: %s", pf->name,
			ktlsd_esc_text(ktls_ctx_error(pf->ctx)));
		ktls_ctx_free(pf->ctx);
		pf->ctx = NULL;
	}
}

static void defaults(struct ktlsd_conf *c)
{
	c->socket_mode = 0660;
	c->socket_gid = (gid_t)-1;
	c->handshake_timeout_ms = 10000;
	c->max_timeout_ms = 60000;
	c->request_timeout_ms = 5000;
	c->queue_timeout_ms = 5000;
	c->drain_timeout_ms = 5000;
	c->max_handshakes = 4096;
	c->max_per_uid = 1024;
	c->max_pending_per_uid = 2048;
	c->queue_max = 4096;
	c->keep_max = 1024;
	c->keep_per_uid = 256;
	c->keep_ms = 60000;
	c->tickets_max = 1024;
	c->ticket_ms = 3600000;
	c->log_level = LOG_INFO;
	c->lock_memory = true;
}

static void free_profile(struct ktlsd_profile *pf)
{
	ktls_ctx_free(pf->ctx);
	free(pf->name);
	free(pf->cert);
	free(pf->key);
	free(pf->ca);
	free(pf->ca_path);
	free(pf->ciphers);
	free(pf->groups);
	free(pf->alpn);
	free(pf->server_name);
	while (pf->nsni_specs)
		free(pf->sni_specs[--pf->nsni_specs]);
	free(pf->sni_specs);
	free(pf->sni_certs);
	free(pf->ocsp_response);
	free(pf->keylog_file);
	free(pf->uids);
	free(pf->gids);
}

static void conf_free(struct ktlsd_conf *c)
{
	size_t i;

	for (i = 0; i < c->nprofiles; i++)
		free_profile(&c->profiles[i]);
	free(c->profiles);
	ktlsd_kernel_free(c->kernel);
	free(c->path);
	free(c->socket);
	free(c->user);
	free(c);
}

/**
 * ktlsd_conf_load() - read and check a configuration file
 * @path: file
 * @confp: the configuration with one reference, when there is no problem
 * @pr: every problem found, as "file:line: sentence"
 *
 * Problems that are only advice (a profile only root may use) do not make
 * the load fail; they are returned as lines starting with "warning: " in
 * the sentence part.
 *
 * Return: 0, or a negative errno when the file cannot be used.
 */
int ktlsd_conf_load(const char *path, struct ktlsd_conf **confp,
		    struct ktlsd_problems *pr)
{
	static atomic_ulong generation;
	struct ktlsd_parser p = { .file = path, .pr = pr };
	struct ktlsd_conf *c;
	size_t i, hard, start = pr->n;
	FILE *f;
	int ret;

	*confp = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	defaults(c);
	p.conf = c;
	c->path = strdup(path);
	c->socket = strdup(KTLSD_SOCKET);
	if (!c->path || !c->socket) {
		ret = -ENOMEM;
		goto err_free;
	}
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		ktlsd_problem(&p, 0, "cannot open: %s", strerror(errno));
		goto err_free;
	}
	parse_file(&p, f);
	fclose(f);
	if (!c->nprofiles && !c->kernel)
		ktlsd_problem(&p, p.line, "no [profile NAME] or [kernel] section: nothing to serve");
	for (i = 0; i < c->nprofiles; i++)
		build_profile(&p, &c->profiles[i]);
	if (c->kernel)
		ktlsd_kernel_build(&p);
	hard = pr->n - start - p.warnings;
	if (hard) {
		ret = -EINVAL;
		goto err_free;
	}
	atomic_init(&c->refs, 1);
	c->generation = ++generation;
	*confp = c;
	return 0;

err_free:
	conf_free(c);
	return ret;
}

/**
 * ktlsd_conf_get() - take a reference
 * @conf: configuration
 */
void ktlsd_conf_get(struct ktlsd_conf *conf)
{
	atomic_fetch_add(&conf->refs, 1);
}

/**
 * ktlsd_conf_put() - drop a reference; the last one frees the contexts
 * @conf: configuration or NULL
 */
void ktlsd_conf_put(struct ktlsd_conf *conf)
{
	if (conf && atomic_fetch_sub(&conf->refs, 1) == 1)
		conf_free(conf);
}

/**
 * ktlsd_profile_find() - profile by name
 * @conf: configuration
 * @name: profile name
 *
 * Return: the profile or NULL.
 */
const struct ktlsd_profile *ktlsd_profile_find(const struct ktlsd_conf *conf,
					       const char *name)
{
	size_t i;

	for (i = 0; i < conf->nprofiles; i++)
		if (!strcmp(conf->profiles[i].name, name))
			return &conf->profiles[i];
	return NULL;
}

/**
 * ktlsd_profile_allows() - may this peer use the profile
 * @p: profile
 * @uid: peer uid (SO_PEERCRED)
 * @gid: peer primary gid
 * @groups: peer supplementary groups (SO_PEERGROUPS)
 * @ngroups: their number
 *
 * Root may use every profile.
 *
 * Return: true when allowed.
 */
bool ktlsd_profile_allows(const struct ktlsd_profile *p, uid_t uid, gid_t gid,
			  const gid_t *groups, int ngroups)
{
	size_t i;
	int j;

	if (uid == 0)
		return true;
	for (i = 0; i < p->nuids; i++)
		if (p->uids[i] == uid)
			return true;
	for (i = 0; i < p->ngids; i++) {
		if (p->gids[i] == gid)
			return true;
		for (j = 0; j < ngroups; j++)
			if (p->gids[i] == groups[j])
				return true;
	}
	return false;
}
