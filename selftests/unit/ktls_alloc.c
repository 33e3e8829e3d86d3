// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls when an allocation fails: the library's strdup() calls are
 * wrapped at link time (-Wl,--wrap=strdup) so that copying one chosen
 * string fails. A context whose server name could not be copied must not
 * be built: it would be a client that checks no host name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include <ktls/ktls.h>

char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);

static const char *fail_copy_of;

char *__wrap_strdup(const char *s)
{
	if (fail_copy_of && s && !strcmp(s, fail_copy_of))
		return NULL;
	return __real_strdup(s);
}

static int ctx_with(const char *fail, struct ktls_ctx **ctxp)
{
	struct ktls_config cfg = {
		.role = KTLS_CLIENT,
		.server_name = "server.test",
		.ciphers = "TLS13-AES128-GCM-SHA256",
		.alpn = "http/1.1",
		.policy = KTLS_P_SYSTEM_CA,
	};
	int ret;

	fail_copy_of = fail;
	ret = ktls_ctx_new(&cfg, ctxp);
	fail_copy_of = NULL;
	return ret;
}

TEST(copies_succeed)
{
	struct ktls_ctx *ctx;

	ASSERT_EQ(0, ctx_with(NULL, &ctx));
	ktls_ctx_free(ctx);
}

TEST(server_name_copy_fails)
{
	struct ktls_ctx *ctx;

	EXPECT_EQ(-ENOMEM, ctx_with("server.test", &ctx));
	if (ctx)
		EXPECT_STREQ("out of memory", ktls_ctx_error(ctx));
	ktls_ctx_free(ctx);
}

TEST(cipher_list_copy_fails)
{
	struct ktls_ctx *ctx;

	EXPECT_EQ(-ENOMEM, ctx_with("TLS13-AES128-GCM-SHA256", &ctx));
	ktls_ctx_free(ctx);
}

TEST(alpn_copy_fails)
{
	struct ktls_ctx *ctx;

	EXPECT_EQ(-ENOMEM, ctx_with("http/1.1", &ctx));
	ktls_ctx_free(ctx);
}

TEST_HARNESS_MAIN
