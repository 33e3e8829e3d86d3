// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session calls a handshake daemon needs beyond in-process use: per-request
 * ALPN, the peer's identity for the reply, re-attaching a kept session to
 * the descriptor an application hands back, post-handshake messages that
 * the application read from its kTLS socket, and tickets kept outside the
 * context (per server name rather than one per context).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "ktls_daemon_side.h"

/**
 * ktls_session_set_alpn() - offer (client) or accept (server) these protocols
 * @s: session before the handshake, made from a context without ALPN
 * @list: comma-separated protocol names
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_session_set_alpn(struct ktls_session *s,
				      const char *list)
{
	size_t n;

	if (s->daemon)
		return __ktls_daemon_set_name(s, list, true);
	if (!list || !*list)
		return 0;
	if (s->ctx->cfg.alpn || s->done)
		return -EINVAL;
	n = strlen(list);
	if (n > 1024)
		return -EINVAL;
	if (wolfSSL_UseALPN(s->ssl, (char *)list, n,
			    WOLFSSL_ALPN_FAILED_ON_MISMATCH) != WOLFSSL_SUCCESS)
		return -EINVAL;
	return 0;
}

/* Which socket @fd is: its cookie (never reused) and its inode. */
static int sock_identity(int fd, uint64_t *cookie, struct stat *st)
{
	socklen_t len = sizeof(*cookie);

	if (fstat(fd, st))
		return -errno;
	if (!S_ISSOCK(st->st_mode))
		return -ENOTSOCK;
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len))
		*cookie = 0;
	return 0;
}

/* @fd must be the socket the session was negotiated on, with kTLS on it. */
static int same_socket(struct ktls_session *s, int fd)
{
	char ulp[16] = "";
	socklen_t len = sizeof(ulp) - 1;
	uint64_t cookie;
	struct stat st;
	int ret;

	ret = sock_identity(fd, &cookie, &st);
	if (ret)
		return __ktls_fail(s, KTLS_R_INTERNAL, ret,
				   "the descriptor handed back is not a socket");
	if ((cookie && s->sock_cookie) ? cookie != s->sock_cookie :
	    (st.st_dev != s->sock_dev || st.st_ino != s->sock_ino))
		return __ktls_fail(s, KTLS_R_INTERNAL, -EBADF,
				   "the descriptor handed back is not the connection this session was negotiated on");
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, &len) ||
	    strcmp(ulp, "tls"))
		return __ktls_fail(s, KTLS_R_INTERNAL, -ENOPROTOOPT,
				   "the socket handed back has no kernel TLS (TCP_ULP is \"%s\")",
				   ulp);
	return 0;
}

/**
 * ktls_session_rebind() - the session's socket now has another descriptor
 * @s: session
 * @fd: descriptor of the same socket, or -1 to let go of the current one
 *
 * A daemon closes its copy of a socket once the handshake is done and gets
 * a new copy when the application hands the socket back for a rekey. The
 * session remembers which socket it let go of, and takes back only that
 * socket, still carrying kernel TLS: any other descriptor (another
 * connection, a plain TCP socket) is refused, so that nothing of this
 * session is ever written to a connection it does not protect. Binding
 * starts a new piece of work: the last failure's reason is cleared.
 *
 * Return: 0, -EBADF when @fd is another socket, -ENOPROTOOPT when it has
 * no kernel TLS, -ENOTSOCK (see ktls_reason_text()).
 */
int ktls_session_rebind(struct ktls_session *s, int fd)
{
	int ret;

	if (fd < 0) {
		struct stat st;

		if (s->fd >= 0 &&
		    !sock_identity(s->fd, &s->sock_cookie, &st)) {
			s->sock_dev = st.st_dev;
			s->sock_ino = st.st_ino;
			s->sock_known = true;
		}
		s->fd = -1;
		return 0;
	}
	s->reason = KTLS_R_NONE;
	s->text[0] = '\0';
	if (s->sock_known) {
		ret = same_socket(s, fd);
		if (ret)
			return ret;
	}
	s->fd = fd;
	return 0;
}

/**
 * ktls_session_set_send_timeout() - bound every send the session makes
 * @s: session
 * @timeout_ms: from now; 0 lets sends block as before
 *
 * Records the session sends itself (KeyUpdate, alerts, close_notify) wait
 * for room in the socket buffer only until @timeout_ms from now have
 * passed, then fail with -ETIMEDOUT and reason KTLS_R_TIMEOUT: a peer that
 * stopped reading cannot hold the caller (such as a daemon's worker)
 * forever. The socket's own blocking mode does not matter.
 *
 * Return: 0.
 */
KTLS_EXPORT int ktls_session_set_send_timeout(struct ktls_session *s,
					      unsigned int timeout_ms)
{
	s->send_deadline = timeout_ms ? __ktls_now_ms() + timeout_ms : 0;
	return 0;
}

/**
 * ktls_peer_identity() - who the peer proved to be
 * @s: session after the handshake
 * @buf: filled with the subject of the peer's certificate, e.g.
 *	"/O=Example/CN=host"; after a TLS 1.3 PSK handshake, "psk:" and the
 *	PSK identity (e.g. "psk:NVMe0R01 nqn.host nqn.sub"); "" otherwise.
 *	Not escaped: the identity came from the network.
 * @len: its size (a longer identity is cut, still NUL-terminated)
 *
 * Return: 0, -EINVAL before the handshake, -ENOENT when the peer presented
 * neither a certificate nor a PSK (e.g. a server with
 * KTLS_F_ASK_CLIENT_CERT whose client sent none).
 */
KTLS_EXPORT int ktls_peer_identity(const struct ktls_session *s, char *buf,
				   size_t len)
{
	WOLFSSL_X509 *x;
	WOLFSSL_X509_NAME *name;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	if (!s->done)
		return -EINVAL;
	if (s->daemon)
		return __ktls_daemon_peer(s, buf, len);
	x = wolfSSL_get_peer_certificate(s->ssl);
	if (!x && __ktls_psk_session(s) && s->psk_id && s->psk_len) {
		snprintf(buf, len, "psk:%s", s->psk_id);
		return 0;
	}
	if (!x)
		return -ENOENT;
	name = wolfSSL_X509_get_subject_name(x);
	if (name)
		wolfSSL_X509_NAME_oneline(name, buf, len);
	wolfSSL_X509_free(x);
	return name ? 0 : -ENOENT;
}

/**
 * ktls_post_handshake() - process a handshake message read from kTLS
 * @s: offloaded TLS 1.3 session (the socket may be bound to a new fd)
 * @msg: one whole handshake message, 4-byte header included
 * @len: its length
 *
 * A KeyUpdate installs the peer's next key for RX and, when the peer asked
 * for it, sends ours and installs it for TX (Linux 6.14+). A
 * NewSessionTicket (client) is parsed by wolfSSL, so that
 * ktls_session_get_ticket() then returns a resumable ticket.
 *
 * Return: 0, -EOPNOTSUPP for TLS 1.2 or another message type, -EBADMSG for
 * a malformed message, or a negative errno (see ktls_reason_text()).
 */
int ktls_post_handshake(struct ktls_session *s, const void *msg,
				    size_t len)
{
	char why[128];
	int ret;

	if (!s->offloaded)
		return -EINVAL;
	if (s->version != KTLS_TLS_1_3)
		return -EOPNOTSUPP;
	if (!len || __ktls_hs_whole(msg, len) != len)
		return -EBADMSG;
	ret = __ktls_post_hs(s, msg, false, why, sizeof(why));
	/* ktlsd keeps the session when nothing changed: say which case */
	if (ret == KTLS_ALERT_DECODE_ERROR || ret == KTLS_ALERT_ILLEGAL_PARAMETER)
		return -EBADMSG;
	return ret > 0 ? -EOPNOTSUPP : ret;
}

/**
 * ktls_session_get_ticket() - the session's resumption state (client)
 * @s: client session after the handshake (TLS 1.2), or after a
 *	NewSessionTicket went through ktls_post_handshake() (TLS 1.3)
 * @tp: a new ticket, to free with ktls_ticket_free()
 *
 * Return: 0, or -ENOENT when there is nothing to resume from.
 */
int ktls_session_get_ticket(struct ktls_session *s,
					struct ktls_ticket **tp)
{
	WOLFSSL_SESSION *sess;

	*tp = NULL;
	if (s->ctx->cfg.role != KTLS_CLIENT || !s->done)
		return -EINVAL;
	if (s->version == KTLS_TLS_1_3 && !s->tickets)
		return -ENOENT;
	sess = wolfSSL_get1_session(s->ssl);
	if (!sess)
		return -ENOENT;
	*tp = (struct ktls_ticket *)sess;
	return 0;
}

/**
 * ktls_session_request_ticket() - ask a TLS 1.2 server for a session ticket
 * @s: client session before the handshake
 *
 * Without it the client sends no SessionTicket extension and a TLS 1.2
 * session can only be resumed from the server's session-ID cache.
 *
 * Return: 0 or -EINVAL.
 */
int ktls_session_request_ticket(struct ktls_session *s)
{
	if (s->ctx->cfg.role != KTLS_CLIENT || s->done)
		return -EINVAL;
	return wolfSSL_UseSessionTicket(s->ssl) == WOLFSSL_SUCCESS ? 0 :
	       -EINVAL;
}

/**
 * ktls_session_set_ticket() - offer a kept ticket in this handshake (client)
 * @s: client session before the handshake
 * @t: ticket from ktls_session_get_ticket(), still owned by the caller
 *
 * Return: 0 or -EINVAL.
 */
int ktls_session_set_ticket(struct ktls_session *s,
					const struct ktls_ticket *t)
{
	if (s->ctx->cfg.role != KTLS_CLIENT || s->done || !t)
		return -EINVAL;
	if (wolfSSL_set_session(s->ssl, (WOLFSSL_SESSION *)t) !=
	    WOLFSSL_SUCCESS)
		return -EINVAL;
	return 0;
}

/**
 * ktls_ticket_free() - release a ticket
 * @t: ticket or NULL
 */
void ktls_ticket_free(struct ktls_ticket *t)
{
	if (t)
		wolfSSL_SESSION_free((WOLFSSL_SESSION *)t);
}
