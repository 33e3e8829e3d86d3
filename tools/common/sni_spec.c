// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "NAME:CERT:KEY[:CHAIN[:OCSP]]" into the list struct ktls_config's
 * sni_certs takes. Command-line and configuration syntax, so it lives
 * with the programs, not in libktls.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sni_spec.h"

#define FIELDS		5	/* name, cert, key, chain, OCSP */
#define REQUIRED	3

/* Checked before anything is cut, so that @spec can still be quoted. */
static bool spec_ok(const char *spec)
{
	const char *p = spec, *end;
	unsigned int i;

	for (i = 0; p; i++) {
		end = strchr(p, ':');
		if (i < REQUIRED && (end ? end == p : !*p))
			return false;
		p = end ? end + 1 : NULL;
	}
	return i >= REQUIRED && i <= FIELDS;
}

static void split_spec(char *spec, struct ktls_sni_cert *e)
{
	const char **field[FIELDS] = { &e->name, &e->cert_file, &e->key_file,
				       &e->chain_file, &e->ocsp_response };
	unsigned int i;
	char *p = spec;

	memset(e, 0, sizeof(*e));
	for (i = 0; p && i < FIELDS; i++) {
		*field[i] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
		if (!**field[i])
			*field[i] = NULL;
	}
}

/**
 * sni_spec_add() - append "NAME:CERT:KEY[:CHAIN[:OCSP]]" to a list
 * @listp: NULL-terminated list for ktls_config.sni_certs, or NULL to
 *	start one; grown with realloc(), release it with free()
 * @spec: the text; its colons become NULs and the entry points into it,
 *	so it must live as long as the list. Empty CHAIN or OCSP: none.
 *	Left whole when it is refused, for the error message.
 *
 * Return: 0, -EINVAL when a field is missing or there are too many, or
 * -ENOMEM.
 */
int sni_spec_add(struct ktls_sni_cert **listp, char *spec)
{
	struct ktls_sni_cert e, *nl;
	size_t n = 0;

	if (!spec_ok(spec))
		return -EINVAL;
	while (*listp && (*listp)[n].name)
		n++;
	nl = realloc(*listp, (n + 2) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	split_spec(spec, &e);
	nl[n] = e;
	memset(&nl[n + 1], 0, sizeof(nl[n + 1]));
	*listp = nl;
	return 0;
}
