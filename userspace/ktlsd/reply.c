// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reply encoding: a header and attributes into a buffer of fixed size.
 * The first attribute that does not fit stops the encoding and is
 * remembered, so that ktlsd_reply_finish() fails and the caller sends an
 * error instead of a reply with holes in it. Nothing here logs or
 * allocates: the host unit test (selftests/unit/ktlsd_reply.c) builds it
 * alone.
 */
#include <errno.h>
#include <string.h>

#include "ktlsd.h"

#define HDR	sizeof(struct ktlsd_hdr)

/**
 * ktlsd_reply_init() - start a reply in @buf
 * @r: encoder
 * @buf: where the message goes, header first
 * @cap: its size
 */
void ktlsd_reply_init(struct ktlsd_reply *r, unsigned char *buf, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->cap = cap;
	r->len = HDR;
	if (!buf || cap < HDR) {
		r->err = -EMSGSIZE;
		r->len = 0;
	}
}

static void failed(struct ktlsd_reply *r, int err, __u16 type, size_t n)
{
	r->err = err;
	r->err_type = type;
	r->err_len = n;
}

/**
 * ktlsd_reply_put() - append one attribute
 * @r: encoder
 * @type: KTLSD_A_*
 * @v: value
 * @n: its length
 *
 * After a failure every later attribute is skipped: see ktlsd_reply_finish().
 */
void ktlsd_reply_put(struct ktlsd_reply *r, __u16 type, const void *v,
		     size_t n)
{
	size_t off;
	int ret;

	if (r->err)
		return;
	off = r->len - HDR;
	ret = ktlsd_attr_put(r->buf + HDR, r->cap - HDR, &off, type, v, n);
	if (ret)
		failed(r, ret, type, n);
	else
		r->len = off + HDR;
}

/**
 * ktlsd_reply_put_u32() - append a u32 attribute
 * @r: encoder
 * @type: KTLSD_A_*
 * @v: value
 */
void ktlsd_reply_put_u32(struct ktlsd_reply *r, __u16 type, __u32 v)
{
	ktlsd_reply_put(r, type, &v, sizeof(v));
}

/**
 * ktlsd_reply_put_str() - append a string attribute (no NUL on the wire)
 * @r: encoder
 * @type: KTLSD_A_*
 * @s: string; longer than KTLSD_MAX_STR is a failure (-ENAMETOOLONG),
 *	never cut short
 */
void ktlsd_reply_put_str(struct ktlsd_reply *r, __u16 type, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (r->err)
		return;
	if (n > KTLSD_MAX_STR) {
		failed(r, -ENAMETOOLONG, type, n);
		return;
	}
	ktlsd_reply_put(r, type, s, n);
}

/**
 * ktlsd_reply_finish() - write the header of a complete reply
 * @r: encoder
 *
 * Return: 0 when every attribute went in (the message is @r->len bytes
 * from @r->buf), else the first failure (-EMSGSIZE: no room for
 * @r->err_type of @r->err_len bytes; -ENAMETOOLONG: a string above
 * KTLSD_MAX_STR), and nothing is to be sent.
 */
int ktlsd_reply_finish(struct ktlsd_reply *r)
{
	struct ktlsd_hdr h = {
		.magic = KTLSD_MAGIC,
		.version = KTLSD_PROTO_VERSION,
		.type = KTLSD_MSG_REPLY,
	};

	if (r->err)
		return r->err;
	h.len = r->len - HDR;
	memcpy(r->buf, &h, HDR);
	return 0;
}
