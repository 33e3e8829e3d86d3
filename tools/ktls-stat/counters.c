// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/net/tls_stat: one "Name value" line per counter, per network
 * namespace, present only while the tls module is loaded. Kernels add
 * counters over time (6.14 the rekey ones), so take whatever lines come.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stat.h"

/**
 * stat_read_counters() - read this namespace's kTLS counters
 * @c: filled; @c->present is false when the file does not exist
 *
 * Return: 0 (also when absent), or a negative errno on a read error.
 */
int stat_read_counters(struct counters *c)
{
	char line[128], name[48];
	unsigned long long v;
	FILE *f;

	memset(c, 0, sizeof(*c));
	f = fopen("/proc/net/tls_stat", "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	c->present = true;
	while (fgets(line, sizeof(line), f) && c->n < STAT_MAX_COUNTERS) {
		if (sscanf(line, "%47s %llu", name, &v) != 2)
			continue;
		snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s",
			 name);
		c->v[c->n++].value = v;
	}
	fclose(f);
	return 0;
}

/**
 * stat_counter() - one counter by name
 * @c: counters read
 * @name: e.g. "TlsTxSw"
 *
 * Return: the counter, or NULL when this kernel has no such counter.
 */
const struct counter *stat_counter(const struct counters *c,
				   const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

/**
 * stat_is_gauge() - whether a counter counts what is open now
 * @name: counter name
 *
 * TlsCurr* rise and fall with open sockets; the rest only ever grow.
 *
 * Return: true for a gauge.
 */
bool stat_is_gauge(const char *name)
{
	return !strncmp(name, "TlsCurr", 7);
}
