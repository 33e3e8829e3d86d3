// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command-line helpers shared by the tools: one number parser (decimal,
 * with a range, optionally with a K/M/G size suffix) and one way to
 * answer a usage error. The sentences tell the three failures apart (not
 * a number, something after the number, out of range), because "bad
 * value" makes the user guess which.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *prog = "ktlskit";
static FILE *stream;

/**
 * cli_init() - name the program in every message
 * @name: e.g. "ktls-cat"
 */
void cli_init(const char *name)
{
	prog = name;
}

/**
 * cli_set_stream() - where messages go (tests); NULL: stderr
 * @f: stream
 */
void cli_set_stream(FILE *f)
{
	stream = f;
}

static FILE *out(void)
{
	return stream ? stream : stderr;
}

/**
 * cli_try_help() - where to read more, after getopt's own complaint
 *
 * Return: CLI_EXIT_USAGE.
 */
int cli_try_help(void)
{
	fprintf(out(), "Try '%s --help'.\n", prog);
	return CLI_EXIT_USAGE;
}

/**
 * cli_bad() - a usage error: what was wrong, then where to read more
 * @fmt: the sentence, without the program name or a final newline
 *
 * Return: CLI_EXIT_USAGE, the exit status for a usage error.
 */
int cli_bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(out(), "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
	fputc('\n', out());
	return cli_try_help();
}

/* 1073741824 as "1G": limits read the way the user writes them. */
static void fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char sfx[] = "KMG";
	int i = -1;

	while (i < 2 && v && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, sfx[i]);
}

/*
 * The one parser. @shift_ok: a K, M or G suffix multiplies by 1024^n.
 * Return: 0, -EINVAL (not a number), -EBADMSG (junk after it), -ERANGE.
 */
static int parse(const char *arg, bool shift_ok, uint64_t min, uint64_t max,
		 uint64_t *v, const char **junk)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	*junk = NULL;
	/* strtoull takes "-1" as a huge number and skips blanks: not we */
	if (!arg || !isdigit((unsigned char)arg[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (shift_ok && *end) {
		const char *p = strchr("kmg", tolower((unsigned char)*end));

		if (p && *p) {
			shift = 10 * (int)(p - "kmg" + 1);
			end++;
		}
	}
	if (*end) {
		*junk = end;
		return -EBADMSG;
	}
	if (shift && n > (UINT64_MAX >> shift))
		return -ERANGE;
	n <<= shift;
	if (n < min || n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

static int number(const char *opt, const char *arg, const char *what,
		  bool size, uint64_t min, uint64_t max, uint64_t *v)
{
	char lo[32], hi[32];
	const char *junk;
	int ret;

	ret = parse(arg, size, min, max, v, &junk);
	if (!ret)
		return 0;
	if (size) {
		fmt_size(lo, sizeof(lo), min);
		fmt_size(hi, sizeof(hi), max);
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)max);
	}
	if (ret == -EBADMSG)
		cli_bad("%s wants %s from %s to %s, and \"%s\" has \"%s\" after the number",
			opt, what, lo, hi, arg, junk);
	else if (ret == -ERANGE)
		cli_bad("%s wants %s from %s to %s; %s is out of range",
			opt, what, lo, hi, arg);
	else
		cli_bad("%s wants %s from %s to %s, not \"%s\"",
			opt, what, lo, hi, arg ? arg : "");
	return -EINVAL;
}

/**
 * cli_u64() - a decimal number from @min to @max
 * @opt: the option as the user wrote it, e.g. "--count"
 * @arg: its argument
 * @what: what it is, for the sentence: "a count", "seconds"
 * @min: smallest allowed
 * @max: largest allowed
 * @v: the number
 *
 * Return: 0, or -EINVAL after the sentence (exit with CLI_EXIT_USAGE).
 */
int cli_u64(const char *opt, const char *arg, const char *what,
	    uint64_t min, uint64_t max, uint64_t *v)
{
	return number(opt, arg, what, false, min, max, v);
}

/**
 * cli_uint() - cli_u64() into an unsigned int
 * @opt: the option
 * @arg: its argument
 * @what: what it is
 * @min: smallest allowed
 * @max: largest allowed
 * @v: the number
 *
 * Return: 0 or -EINVAL, as cli_u64().
 */
int cli_uint(const char *opt, const char *arg, const char *what,
	     unsigned int min, unsigned int max, unsigned int *v)
{
	uint64_t n;
	int ret = number(opt, arg, what, false, min, max, &n);

	if (!ret)
		*v = n;
	return ret;
}

/**
 * cli_size() - a byte count: a decimal number with an optional K, M or G
 * (1024, 1024^2, 1024^3; either case)
 * @opt: the option
 * @arg: its argument
 * @min: smallest allowed
 * @max: largest allowed
 * @v: the bytes
 *
 * Return: 0 or -EINVAL, as cli_u64().
 */
int cli_size(const char *opt, const char *arg, uint64_t min, uint64_t max,
	     uint64_t *v)
{
	return number(opt, arg, "a size in bytes (K, M, G: times 1024)", true,
		      min, max, v);
}
