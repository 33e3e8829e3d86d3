/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers the command-line tools share (linked into each of them
 * from build/lib/libktls-tools.a; not part of libktls's API).
 */
#ifndef KTLS_TOOLS_JSON_H
#define KTLS_TOOLS_JSON_H

#include <stdio.h>

void tool_json_string(FILE *f, const char *s);

#endif /* KTLS_TOOLS_JSON_H */
