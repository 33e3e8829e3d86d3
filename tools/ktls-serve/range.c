// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Range header (RFC 9110 14.2), single range only. A list of ranges
 * is answered with the whole file, which RFC 9110 14.2 allows: multipart
 * bodies buy clients little and cost a second code path.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

/* Digits only, no sign, no overflow; *@p moves past them. */
static int read_num(const char **p, off_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*s++ - '0');
	}
	if (n > INT64_MAX)
		return -1;
	*v = n;
	*p = s;
	return 0;
}

/**
 * http_range_parse() - decide what a Range header asks of a file
 * @value: the header's value
 * @size: file size
 * @r: the range, when RANGE_OK
 *
 * Return: RANGE_NONE to send the whole file (unknown unit, bad syntax,
 * several ranges), RANGE_OK, or RANGE_UNSATISFIABLE (416).
 */
int http_range_parse(const char *value, off_t size, struct http_range *r)
{
	const char *p = value;
	off_t a, b;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes", 5))
		return RANGE_NONE;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return RANGE_NONE;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strchr(p, ','))
		return RANGE_NONE;

	if (*p == '-') {
		/* suffix: the last N bytes */
		p++;
		if (read_num(&p, &b))
			return RANGE_NONE;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return RANGE_NONE;
		if (b == 0 || size == 0)
			return RANGE_UNSATISFIABLE;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
		return RANGE_OK;
	}
	if (read_num(&p, &a) || *p++ != '-')
		return RANGE_NONE;
	if (!*p) {
		b = -1;
	} else {
		if (read_num(&p, &b))
			return RANGE_NONE;
		if (b < a)
			return RANGE_NONE;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return RANGE_NONE;
	if (a >= size)
		return RANGE_UNSATISFIABLE;
	r->first = a;
	r->last = (b < 0 || b >= size) ? size - 1 : b;
	return RANGE_OK;
}
