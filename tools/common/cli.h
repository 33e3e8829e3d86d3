/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line helpers shared by the tools (and ktlsd): numbers and sizes
 * with a range, and usage errors. Every failure is one sentence on stderr
 * that names the option and what it wants, then a line saying where help
 * is; the callers exit with status 2.
 */
#ifndef KTLS_TOOLS_CLI_H
#define KTLS_TOOLS_CLI_H

#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_USAGE	2

void cli_init(const char *prog);
void cli_set_stream(FILE *f);
int cli_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_try_help(void);
int cli_u64(const char *opt, const char *arg, const char *what,
	    uint64_t min, uint64_t max, uint64_t *v);
int cli_uint(const char *opt, const char *arg, const char *what,
	     unsigned int min, unsigned int max, unsigned int *v);
int cli_size(const char *opt, const char *arg, uint64_t min, uint64_t max,
	     uint64_t *v);

#endif /* KTLS_TOOLS_CLI_H */
