// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON output for ktls-cat, ktls-stat and ktls-bench: every string they
 * print comes from outside (certificate names, kernel strings, error
 * sentences), so each goes through one escaper.
 */
#include <string.h>

#include "json.h"

/**
 * tool_json_string() - write @s as a JSON string, or null
 * @f: output
 * @s: text; NULL writes null
 *
 * Quotes and backslashes are escaped, newline, tab and carriage return
 * get their short forms and other control characters \u00XX. Bytes from
 * 0x80 up pass unchanged: the text is UTF-8 (or ASCII) already.
 */
void tool_json_string(FILE *f, const char *s)
{
	static const char short_form[] = "\"\"\\\\\nn\tt\rr";
	const char *e;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		e = strchr(short_form, *s);
		if (e && (e - short_form) % 2 == 0)
			fprintf(f, "\\%c", e[1]);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
