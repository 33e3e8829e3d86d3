// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding a request: every length, type and value checked before use.
 * Pure functions over a buffer, so the fuzzers (selftests/fuzz/) can
 * drive them alone.
 */
#include <errno.h>
#include <string.h>

#include "ktlsd.h"

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool alpn_ok(const char *s)
{
	const char *p = s;
	size_t n = 0;

	for (; *p; p++) {
		if (*p == ',') {
			if (!n)
				return false;
			n = 0;
		} else if (++n > 255) {
			return false;
		}
	}
	return n && printable(s);
}

static int copy_str(char *dst, size_t cap, const unsigned char *v, __u16 n)
{
	if (!ktlsd_str_ok(v, n) || n >= cap)
		return -EBADMSG;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int get_u32(__u32 *dst, const unsigned char *v, __u16 n)
{
	if (n != sizeof(*dst))
		return -EBADMSG;
	memcpy(dst, v, sizeof(*dst));
	return 0;
}

/* Which attributes each request takes. */
static unsigned int allowed_attrs(__u16 type)
{
	switch (type) {
	case KTLSD_MSG_HANDSHAKE:
		return 1u << KTLSD_A_ROLE | 1u << KTLSD_A_PROFILE |
		       1u << KTLSD_A_SERVER_NAME | 1u << KTLSD_A_ALPN |
		       1u << KTLSD_A_TIMEOUT_MS;
	case KTLSD_MSG_POST_HANDSHAKE:
		return 1u << KTLSD_A_SESSION_ID | 1u << KTLSD_A_MESSAGE |
		       1u << KTLSD_A_TIMEOUT_MS;
	case KTLSD_MSG_REKEY:
		return 1u << KTLSD_A_SESSION_ID | 1u << KTLSD_A_REKEY_FLAGS |
		       1u << KTLSD_A_TIMEOUT_MS;
	}
	return 0;
}

static unsigned int required_attrs(__u16 type)
{
	switch (type) {
	case KTLSD_MSG_HANDSHAKE:
		return 1u << KTLSD_A_ROLE | 1u << KTLSD_A_PROFILE;
	case KTLSD_MSG_POST_HANDSHAKE:
		return 1u << KTLSD_A_SESSION_ID | 1u << KTLSD_A_MESSAGE;
	case KTLSD_MSG_REKEY:
		return 1u << KTLSD_A_SESSION_ID;
	}
	return 0;
}

/**
 * ktlsd_request_parse() - check and decode a whole request
 * @msg: header and attributes
 * @len: their length; the header must say exactly this
 * @req: filled in; strings are copied, the message points into @msg
 * @why: set to what was wrong
 *
 * Return: 0 or -EBADMSG.
 */
int ktlsd_request_parse(const unsigned char *msg, size_t len,
			struct ktlsd_request *req, const char **why)
{
	const unsigned char *a = msg + sizeof(struct ktlsd_hdr);
	size_t off = 0;
	unsigned int seen = 0, allowed;
	struct ktlsd_hdr h;
	const unsigned char *v;
	__u16 type, n;
	int ret;

	memset(req, 0, sizeof(*req));
	if (len < sizeof(h)) {
		*why = "message shorter than its header";
		return -EBADMSG;
	}
	memcpy(&h, msg, sizeof(h));
	ret = ktlsd_request_header(&h, why);
	if (ret)
		return ret;
	if (h.len != len - sizeof(h)) {
		*why = "length does not match the message";
		return -EBADMSG;
	}
	len = h.len;
	req->type = h.type;
	allowed = allowed_attrs(h.type);
	*why = "malformed attribute";
	while ((ret = ktlsd_attr_next(a, len, &off, &type, &v, &n)) > 0) {
		if (type >= 32 || !(allowed & (1u << type))) {
			*why = "attribute not valid in this request";
			return -EBADMSG;
		}
		if (seen & (1u << type)) {
			*why = "attribute repeated";
			return -EBADMSG;
		}
		seen |= 1u << type;
		switch (type) {
		case KTLSD_A_ROLE:
			ret = get_u32(&req->role, v, n);
			if (!ret && req->role > KTLS_SERVER)
				ret = -EBADMSG;
			*why = "role must be 0 (client) or 1 (server)";
			break;
		case KTLSD_A_PROFILE:
			ret = copy_str(req->profile, sizeof(req->profile), v, n);
			*why = "profile name must be 1 to 63 bytes without NUL";
			break;
		case KTLSD_A_SERVER_NAME:
			ret = copy_str(req->sni, sizeof(req->sni), v, n);
			if (!ret && !printable(req->sni))
				ret = -EBADMSG;
			*why = "server name must be 1 to 255 printable bytes";
			break;
		case KTLSD_A_ALPN:
			ret = copy_str(req->alpn, sizeof(req->alpn), v, n);
			if (!ret && !alpn_ok(req->alpn))
				ret = -EBADMSG;
			*why = "ALPN must be a comma-separated list of 1 to 255 byte names";
			break;
		case KTLSD_A_TIMEOUT_MS:
			ret = get_u32(&req->timeout_ms, v, n);
			*why = "timeout must be a u32";
			break;
		case KTLSD_A_SESSION_ID:
			ret = n == sizeof(req->session_id) ? 0 : -EBADMSG;
			if (!ret)
				memcpy(&req->session_id, v, n);
			*why = "session id must be a u64";
			break;
		case KTLSD_A_MESSAGE:
			ret = n >= 4 ? 0 : -EBADMSG;
			req->message = v;
			req->message_len = n;
			*why = "message must be a whole handshake message";
			break;
		case KTLSD_A_REKEY_FLAGS:
			ret = get_u32(&req->rekey_flags, v, n);
			if (!ret && (req->rekey_flags & ~KTLSD_REKEY_REQUEST_PEER))
				ret = -EBADMSG;
			*why = "unknown rekey flags";
			break;
		}
		if (ret)
			return -EBADMSG;
	}
	if (ret < 0) {
		*why = "attribute runs past the end of the message";
		return -EBADMSG;
	}
	if ((seen & required_attrs(req->type)) != required_attrs(req->type)) {
		*why = "a required attribute is missing";
		return -EBADMSG;
	}
	return 0;
}

/**
 * ktlsd_request_wants_fd() - whether a request type carries a socket
 * @type: KTLSD_MSG_*
 *
 * Return: true for requests that work on a socket.
 */
bool ktlsd_request_wants_fd(__u16 type)
{
	return type != KTLSD_MSG_STATS;
}

/**
 * ktlsd_request_header() - check a request header
 * @h: header as received
 * @why: set to what was wrong
 *
 * Return: 0, -EBADMSG, or -EPROTONOSUPPORT for another protocol version.
 */
int ktlsd_request_header(const struct ktlsd_hdr *h, const char **why)
{
	if (h->magic != KTLSD_MAGIC) {
		*why = "not a ktlsd request (bad magic)";
		return -EBADMSG;
	}
	if (h->version != KTLSD_PROTO_VERSION) {
		*why = "protocol version not supported (this ktlsd speaks 1)";
		return -EPROTONOSUPPORT;
	}
	if (h->flags || h->len > KTLSD_MAX_MSG - sizeof(*h)) {
		*why = "malformed request header (flags set or too long)";
		return -EBADMSG;
	}
	if (h->type != KTLSD_MSG_STATS && !allowed_attrs(h->type)) {
		*why = "unknown request type";
		return -EBADMSG;
	}
	return 0;
}
