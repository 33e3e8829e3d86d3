/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktlsd wire protocol: how an application asks the handshake daemon to run
 * a TLS handshake on one of its TCP sockets.
 *
 * Transport: a Unix stream socket, by default /run/ktlsd/ktlsd.sock. One
 * request per connection: the application connects, sends one request,
 * waits for one reply, and the daemon closes the connection. The daemon
 * learns who asks from SO_PEERCRED / SO_PEERGROUPS, never from the request.
 *
 * Message: a fixed header, then @len bytes of attributes. All integers are
 * in host byte order (the socket never leaves the machine).
 *
 *	struct ktlsd_hdr	magic, version, type, len, flags
 *	struct ktlsd_attr	type, len, then len bytes of value,
 *				padded with zeros to a multiple of 4
 *	...
 *
 * A request that needs a socket (HANDSHAKE, POST_HANDSHAKE, REKEY) carries
 * exactly one file descriptor as SCM_RIGHTS ancillary data on the first
 * byte of the header. The daemon works on that socket (the same open file
 * as the application's descriptor) and closes its own copy before it
 * replies: the application's descriptor then has kernel TLS on in both
 * directions. The application must not touch the socket until the reply.
 *
 * Rules the daemon enforces (a request breaking one gets a reply with
 * status -EBADMSG and reason KTLSD_R_BAD_REQUEST, then the connection is
 * closed):
 *  - magic is KTLSD_MAGIC, version is KTLSD_PROTO_VERSION, flags is 0;
 *  - len is at most KTLSD_MAX_MSG - sizeof(struct ktlsd_hdr);
 *  - every attribute lies inside len, its padding is inside len too;
 *  - integers have exactly their size, strings are 1..KTLSD_MAX_STR bytes
 *    without NUL (no terminator on the wire), and each attribute appears
 *    at most once;
 *  - unknown attribute types are an error (a newer client talking to an
 *    older daemon learns it at once instead of silently losing a setting);
 *  - at most one descriptor, and only on requests that take one.
 *
 * Requests and their attributes (R: required, O: optional):
 *
 *  KTLSD_MSG_HANDSHAKE, with the TCP socket:
 *	ROLE (u32, R: 0 client, 1 server; must match the profile's role),
 *	PROFILE (string, R), SERVER_NAME (string, O: client SNI and the name
 *	the certificate must match), ALPN (string, O: comma-separated list,
 *	replaces the profile's), TIMEOUT_MS (u32, O: capped by the daemon).
 *  KTLSD_MSG_POST_HANDSHAKE, with the kTLS socket:
 *	SESSION_ID (u64, R), TIMEOUT_MS (u32, O: how long the daemon may
 *	wait for room to send on the socket; capped by the daemon),
 *	MESSAGE (bytes, R): one TLS handshake message
 *	(4-byte header included) that arrived on the kTLS socket as a record
 *	of type 22: a KeyUpdate (the daemon installs the next RX key and, if
 *	asked, answers and installs the next TX key) or a NewSessionTicket
 *	(client role: kept for resumption per profile and server name).
 *  KTLSD_MSG_REKEY, with the kTLS socket:
 *	SESSION_ID (u64, R), REKEY_FLAGS (u32, O: KTLSD_REKEY_REQUEST_PEER),
 *	TIMEOUT_MS (u32, O, as above): send our KeyUpdate and install the
 *	next TX key.
 *  Both take only the socket the session was negotiated on (the same
 *  connection, kernel TLS still attached): anything else is refused with
 *  KTLSD_R_BAD_SOCKET. A peer that does not read makes them fail with
 *  reason KTLS_R_TIMEOUT once the timeout has passed.
 *  KTLSD_MSG_STATS, no socket, no attributes: TEXT holds counters in the
 *	Prometheus text format.
 *
 * Reply (KTLSD_MSG_REPLY): STATUS (s32 as u32: 0 or a negative errno),
 * on failure REASON (u32) and REASON_TEXT (a sentence a person can act
 * on); on success of a handshake VERSION, CIPHER, KERNEL_CIPHER, ALPN,
 * SERVER_NAME, PEER (subject of the peer certificate, or empty), RESUMED,
 * TX_CARRIER, RX_CARRIER (enum ktls_carrier), and SESSION_ID with KEEP_MS
 * when the daemon keeps the TLS session for later rekeying (0: not kept).
 *
 * Reasons below KTLSD_R_BASE are enum ktls_reason values from libktls; the
 * daemon's own start at KTLSD_R_BASE.
 */
#ifndef KTLS_KTLSD_H
#define KTLS_KTLSD_H

#include <errno.h>
#include <linux/types.h>
#include <stddef.h>
#include <string.h>

#define KTLSD_SOCKET		"/run/ktlsd/ktlsd.sock"
#define KTLSD_MAGIC		0x4b544c44	/* "KTLD" */
#define KTLSD_PROTO_VERSION	1
#define KTLSD_MAX_MSG		8192
#define KTLSD_MAX_STR		1024

/* ktlsd_hdr.type */
enum {
	KTLSD_MSG_HANDSHAKE = 1,
	KTLSD_MSG_POST_HANDSHAKE = 2,
	KTLSD_MSG_REKEY = 3,
	KTLSD_MSG_STATS = 4,
	KTLSD_MSG_REPLY = 0x100,
};

/* ktlsd_attr.type */
enum {
	KTLSD_A_UNSPEC = 0,
	KTLSD_A_ROLE,			/* u32 */
	KTLSD_A_PROFILE,		/* string */
	KTLSD_A_SERVER_NAME,		/* string */
	KTLSD_A_ALPN,			/* string */
	KTLSD_A_TIMEOUT_MS,		/* u32 */
	KTLSD_A_SESSION_ID,		/* u64 */
	KTLSD_A_MESSAGE,		/* bytes */
	KTLSD_A_REKEY_FLAGS,		/* u32 */
	KTLSD_A_STATUS,			/* u32 holding an s32 */
	KTLSD_A_REASON,			/* u32 */
	KTLSD_A_REASON_TEXT,		/* string */
	KTLSD_A_VERSION,		/* u32: 0x0303, 0x0304 */
	KTLSD_A_CIPHER,			/* string */
	KTLSD_A_KERNEL_CIPHER,		/* u32: TLS_CIPHER_* */
	KTLSD_A_PEER,			/* string */
	KTLSD_A_RESUMED,		/* u32 */
	KTLSD_A_TX_CARRIER,		/* u32 */
	KTLSD_A_RX_CARRIER,		/* u32 */
	KTLSD_A_KEEP_MS,		/* u32 */
	KTLSD_A_TEXT,			/* bytes: stats */
	__KTLSD_A_MAX,
};

#define KTLSD_REKEY_REQUEST_PEER	(1u << 0)

/* The daemon's own reasons, after libktls's enum ktls_reason. */
enum {
	KTLSD_R_BASE = 1000,
	KTLSD_R_BAD_REQUEST = KTLSD_R_BASE,	/* malformed request */
	KTLSD_R_DENIED,			/* uid/gid may not use the profile */
	KTLSD_R_NO_PROFILE,		/* no such profile */
	KTLSD_R_BUSY,			/* limits reached and queue full */
	KTLSD_R_SHUTDOWN,		/* daemon is stopping */
	KTLSD_R_NO_SESSION,		/* session not kept (or expired) */
	KTLSD_R_BAD_SOCKET,		/* descriptor is not a connected TCP socket */
	__KTLSD_R_MAX,
};

struct ktlsd_hdr {
	__u32 magic;
	__u16 version;
	__u16 type;
	__u32 len;
	__u32 flags;
};

struct ktlsd_attr {
	__u16 type;
	__u16 len;
};

#define KTLSD_ALIGN(n)		(((n) + 3u) & ~3u)

/**
 * ktlsd_attr_put() - append one attribute to a message being built
 * @buf: the attribute area (after the header)
 * @cap: its size
 * @off: bytes used so far; advanced
 * @type: KTLSD_A_*
 * @val: value
 * @len: value length
 *
 * Return: 0, or -EMSGSIZE when it does not fit.
 */
static inline int ktlsd_attr_put(unsigned char *buf, size_t cap, size_t *off,
				 __u16 type, const void *val, size_t len)
{
	struct ktlsd_attr a = { .type = type, .len = (__u16)len };
	size_t need = sizeof(a) + KTLSD_ALIGN(len);

	if (len > 0xffff || *off > cap || cap - *off < need)
		return -EMSGSIZE;
	memcpy(buf + *off, &a, sizeof(a));
	if (len)
		memcpy(buf + *off + sizeof(a), val, len);
	memset(buf + *off + sizeof(a) + len, 0, KTLSD_ALIGN(len) - len);
	*off += need;
	return 0;
}

static inline int ktlsd_attr_put_u32(unsigned char *buf, size_t cap,
				     size_t *off, __u16 type, __u32 v)
{
	return ktlsd_attr_put(buf, cap, off, type, &v, sizeof(v));
}

static inline int ktlsd_attr_put_str(unsigned char *buf, size_t cap,
				     size_t *off, __u16 type, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > KTLSD_MAX_STR)
		return -ENAMETOOLONG;
	return ktlsd_attr_put(buf, cap, off, type, s, n);
}

/**
 * ktlsd_attr_next() - the next attribute of a received message
 * @buf: the attribute area
 * @len: its length (the header's len, already checked against the buffer)
 * @off: where to read; advanced past the attribute and its padding
 * @type: attribute type
 * @val: points into @buf at the value
 * @vlen: value length
 *
 * Return: 1 for an attribute, 0 at the end, -EBADMSG when the attribute
 * or its padding does not lie inside @len.
 */
static inline int ktlsd_attr_next(const unsigned char *buf, size_t len,
				  size_t *off, __u16 *type,
				  const unsigned char **val, __u16 *vlen)
{
	struct ktlsd_attr a;

	if (*off == len)
		return 0;
	if (*off > len || len - *off < sizeof(a))
		return -EBADMSG;
	memcpy(&a, buf + *off, sizeof(a));
	if (len - *off - sizeof(a) < KTLSD_ALIGN((size_t)a.len))
		return -EBADMSG;
	*type = a.type;
	*vlen = a.len;
	*val = buf + *off + sizeof(a);
	*off += sizeof(a) + KTLSD_ALIGN((size_t)a.len);
	return 1;
}

/* A string attribute is valid when non-empty, short enough, without NUL. */
static inline int ktlsd_str_ok(const unsigned char *v, __u16 n)
{
	return n > 0 && n <= KTLSD_MAX_STR && !memchr(v, 0, n);
}

#endif /* KTLS_KTLSD_H */
