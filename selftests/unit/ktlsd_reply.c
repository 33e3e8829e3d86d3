// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd's reply encoder (userspace/ktlsd/reply.c) on the host: an
 * attribute that does not fit, or a string longer than the protocol
 * allows, is never dropped in silence; the encoder remembers which one,
 * stops, and ktlsd_reply_finish() fails, so the daemon sends an error
 * instead of a reply with a hole in it. And the failure reply has room
 * for the longest sentence the protocol carries.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../userspace/ktlsd/ktlsd.h"

#define HDR	sizeof(struct ktlsd_hdr)

/* Every attribute of a finished reply, checked against the header. */
static int count_attrs(const unsigned char *msg, size_t len)
{
	struct ktlsd_hdr h;
	struct ktlsd_attr a;
	size_t off = HDR;
	int n = 0;

	memcpy(&h, msg, HDR);
	if (h.magic != KTLSD_MAGIC || h.type != KTLSD_MSG_REPLY ||
	    h.len != len - HDR)
		return -1;
	while (off + sizeof(a) <= len) {
		memcpy(&a, msg + off, sizeof(a));
		off += sizeof(a) + KTLSD_ALIGN(a.len);
		n++;
	}
	return off == len ? n : -1;
}

/* A string of @n bytes of @c, for the longest strings the wire takes. */
static void fill(char *s, size_t n, char c)
{
	memset(s, c, n);
	s[n] = '\0';
}

TEST(fits)
{
	unsigned char buf[64];
	struct ktlsd_reply r;

	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, 0);
	ktlsd_reply_put_str(&r, KTLSD_A_CIPHER, "TLS_AES_128_GCM_SHA256");
	ASSERT_EQ(0, ktlsd_reply_finish(&r));
	EXPECT_EQ(HDR + 8 + 4 + 24, r.len);
	EXPECT_EQ(2, count_attrs(buf, r.len));
}

TEST(exact_fit)
{
	unsigned char buf[HDR + 8];
	struct ktlsd_reply r;

	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, 0);
	ASSERT_EQ(0, ktlsd_reply_finish(&r));
	EXPECT_EQ(sizeof(buf), r.len);
}

TEST(tiny_buffer_fails_and_names_the_attribute)
{
	unsigned char buf[HDR + 12];
	struct ktlsd_reply r;

	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, 0);
	ktlsd_reply_put_str(&r, KTLSD_A_CIPHER, "TLS_AES_128_GCM_SHA256");
	/* a later attribute that would fit is not appended after the hole */
	ktlsd_reply_put_u32(&r, KTLSD_A_RESUMED, 0);
	EXPECT_EQ(-EMSGSIZE, ktlsd_reply_finish(&r));
	EXPECT_EQ(KTLSD_A_CIPHER, r.err_type);
	EXPECT_EQ(22u, r.err_len);
	EXPECT_EQ(HDR + 8, r.len);
}

TEST(buffer_smaller_than_header)
{
	unsigned char buf[4];
	struct ktlsd_reply r;

	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, 0);
	EXPECT_EQ(-EMSGSIZE, ktlsd_reply_finish(&r));
}

TEST(oversized_reason_text_is_refused_not_cut)
{
	static unsigned char buf[2 * KTLSD_MAX_STR];
	char text[KTLSD_MAX_STR + 2];
	struct ktlsd_reply r;

	fill(text, sizeof(text) - 1, 'x');
	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_str(&r, KTLSD_A_REASON_TEXT, text);
	EXPECT_EQ(-ENAMETOOLONG, ktlsd_reply_finish(&r));
	EXPECT_EQ(KTLSD_A_REASON_TEXT, r.err_type);
	EXPECT_EQ((size_t)KTLSD_MAX_STR + 1, r.err_len);
}

/* What ktlsd_job_fail() sends with the longest sentence the wire allows. */
TEST(failure_reply_holds_the_longest_sentence)
{
	static unsigned char buf[KTLSD_ERROR_REPLY_MAX];
	char text[KTLSD_MAX_STR + 1];
	struct ktlsd_reply r;

	fill(text, sizeof(text) - 1, 'y');
	ktlsd_reply_init(&r, buf, sizeof(buf));
	ktlsd_reply_put_u32(&r, KTLSD_A_STATUS, (__u32)-EPROTO);
	ktlsd_reply_put_u32(&r, KTLSD_A_REASON, KTLSD_R_BAD_REQUEST);
	ktlsd_reply_put_str(&r, KTLSD_A_REASON_TEXT, text);
	ASSERT_EQ(0, ktlsd_reply_finish(&r));
	EXPECT_EQ(sizeof(buf), r.len);
	EXPECT_EQ(3, count_attrs(buf, r.len));
	/* the 1024-byte buffer used before did not hold it */
	EXPECT_GT(r.len, (size_t)1024);
}

TEST_HARNESS_MAIN
