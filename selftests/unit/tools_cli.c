// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tools/common on the host: the number and size parsers every tool and
 * ktlsd use (a bad number, one out of range, and junk after a number each
 * get their own sentence naming the option, then where help is), and the
 * sni_cert syntax "NAME:CERT:KEY[:CHAIN[:OCSP]]".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "cli.h"
#include "sni_spec.h"

FIXTURE(cli) {
	char *text;
	size_t len;
	FILE *f;
};

FIXTURE_SETUP(cli)
{
	self->f = open_memstream(&self->text, &self->len);
	ASSERT_NE(NULL, self->f);
	cli_init("tool");
	cli_set_stream(self->f);
}

FIXTURE_TEARDOWN(cli)
{
	cli_set_stream(NULL);
	fclose(self->f);
	free(self->text);
}

/* What the last call printed, then cleared for the next. */
static const char *printed(FILE *f, char **text)
{
	static char copy[512];

	fflush(f);
	snprintf(copy, sizeof(copy), "%s", *text ? *text : "");
	rewind(f);
	fflush(f);
	if (*text)
		(*text)[0] = '\0';
	printf("# %s", copy[0] ? copy : "(nothing)\n");
	return copy;
}

#define said(self)	printed((self)->f, &(self)->text)

TEST_F(cli, good_numbers_say_nothing)
{
	unsigned int u;
	uint64_t v;

	ASSERT_EQ(0, cli_u64("--count", "42", "a count", 1, 100, &v));
	EXPECT_EQ(42u, v);
	ASSERT_EQ(0, cli_uint("--port", "65535", "a port", 1, 65535, &u));
	EXPECT_EQ(65535u, u);
	ASSERT_EQ(0, cli_u64("--n", "18446744073709551615", "a count", 0,
			     UINT64_MAX, &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_STREQ("", said(self));
}

TEST_F(cli, not_a_number)
{
	static const char *const bad[] = { "abc", "", "-1", " 5", "+5" };
	unsigned int i, u = 7;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, cli_uint("--flows", bad[i], "a count", 1,
					    256, &u));
		EXPECT_EQ(7u, u);
		EXPECT_NE(NULL, strstr(said(self),
				       "tool: --flows wants a count from 1 to 256, not \""));
	}
	EXPECT_EQ(-EINVAL, cli_uint("--flows", NULL, "a count", 1, 256, &u));
	EXPECT_NE(NULL, strstr(said(self), "Try 'tool --help'.\n"));
}

TEST_F(cli, out_of_range)
{
	uint64_t v;

	EXPECT_EQ(-EINVAL, cli_u64("--port", "70000", "a port", 1, 65535, &v));
	EXPECT_STREQ("tool: --port wants a port from 1 to 65535; 70000 is out of range\nTry 'tool --help'.\n",
		     said(self));
	EXPECT_EQ(-EINVAL, cli_u64("--port", "0", "a port", 1, 65535, &v));
	EXPECT_NE(NULL, strstr(said(self), "0 is out of range"));
	/* beyond 64 bits is out of range too, not a wrapped number */
	EXPECT_EQ(-EINVAL, cli_u64("--n", "18446744073709551616", "a count",
				   0, UINT64_MAX, &v));
	EXPECT_NE(NULL, strstr(said(self), "is out of range"));
}

TEST_F(cli, trailing_junk)
{
	unsigned int u;

	EXPECT_EQ(-EINVAL, cli_uint("--timeout", "10s", "seconds", 1, 86400,
				    &u));
	EXPECT_STREQ("tool: --timeout wants seconds from 1 to 86400, and \"10s\" has \"s\" after the number\nTry 'tool --help'.\n",
		     said(self));
	EXPECT_EQ(-EINVAL, cli_uint("--timeout", "0x10", "seconds", 1, 86400,
				    &u));
	EXPECT_NE(NULL, strstr(said(self), "has \"x10\" after the number"));
}

TEST_F(cli, sizes)
{
	uint64_t v;

	ASSERT_EQ(0, cli_size("--size", "16K", 1, 1ull << 30, &v));
	EXPECT_EQ(16384u, v);
	ASSERT_EQ(0, cli_size("--size", "1g", 1, 1ull << 30, &v));
	EXPECT_EQ(1ull << 30, v);
	ASSERT_EQ(0, cli_size("--size", "512", 1, 1ull << 30, &v));
	EXPECT_EQ(512u, v);
	EXPECT_STREQ("", said(self));
	EXPECT_EQ(-EINVAL, cli_size("--size", "2G", 1, 1ull << 30, &v));
	EXPECT_STREQ("tool: --size wants a size in bytes (K, M, G: times 1024) from 1 to 1G; 2G is out of range\nTry 'tool --help'.\n",
		     said(self));
	EXPECT_EQ(-EINVAL, cli_size("--size", "1KB", 1, 1ull << 30, &v));
	EXPECT_NE(NULL, strstr(said(self), "has \"B\" after the number"));
	EXPECT_EQ(-EINVAL, cli_size("--bytes", "T", 1, UINT64_MAX, &v));
	EXPECT_NE(NULL, strstr(said(self), "--bytes wants a size"));
	/* a suffix that would overflow 64 bits */
	EXPECT_EQ(-EINVAL, cli_size("--bytes", "17179869184G", 1, UINT64_MAX,
				    &v));
	EXPECT_NE(NULL, strstr(said(self), "is out of range"));
}

TEST_F(cli, usage_error)
{
	EXPECT_EQ(CLI_EXIT_USAGE, cli_bad("unknown command \"%s\"", "frob"));
	EXPECT_STREQ("tool: unknown command \"frob\"\nTry 'tool --help'.\n",
		     said(self));
}

TEST(sni_spec)
{
	char a[] = "a.test:a.crt:a.key", b[] = "*.b.test:b.crt:b.key:b.pem";
	char c[] = "c.test:c.crt:c.key::c.ocsp";
	char bad1[] = "a.test:a.crt", bad2[] = "a:b:c:d:e:f";
	char bad3[] = ":x.crt:x.key";
	struct ktls_sni_cert *list = NULL;

	ASSERT_EQ(0, sni_spec_add(&list, a));
	ASSERT_EQ(0, sni_spec_add(&list, b));
	ASSERT_EQ(0, sni_spec_add(&list, c));
	EXPECT_EQ(-EINVAL, sni_spec_add(&list, bad1));
	EXPECT_EQ(-EINVAL, sni_spec_add(&list, bad2));
	EXPECT_EQ(-EINVAL, sni_spec_add(&list, bad3));
	/* a refused spec is left whole, for the message that quotes it */
	EXPECT_STREQ("a.test:a.crt", bad1);
	EXPECT_STREQ("a:b:c:d:e:f", bad2);
	EXPECT_STREQ("a.test", list[0].name);
	EXPECT_STREQ("a.key", list[0].key_file);
	EXPECT_EQ(NULL, list[0].chain_file);
	EXPECT_STREQ("b.pem", list[1].chain_file);
	EXPECT_EQ(NULL, list[2].chain_file);
	EXPECT_STREQ("c.ocsp", list[2].ocsp_response);
	EXPECT_EQ(NULL, list[3].name);
	free(list);
}

TEST_HARNESS_MAIN
