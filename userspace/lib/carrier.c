// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who carries each direction: the kernel reports TLS_CONF_SW or
 * TLS_CONF_HW per direction only through sock_diag (INET_DIAG_ULP_INFO),
 * so ask it about our own socket (sockdiag.c does the asking).
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "sockdiag.h"

static enum ktls_carrier conf_carrier(__u16 conf)
{
	switch (conf) {
	case TLS_CONF_SW:
		return KTLS_CARRIER_KERNEL_SW;
	case TLS_CONF_HW:
	case TLS_CONF_HW_RECORD:
		return KTLS_CARRIER_KERNEL_DEVICE;
	}
	return KTLS_CARRIER_USER;
}

struct carriers {
	enum ktls_carrier *tx, *rx;
};

static int take_carriers(const struct ktls_diag_sock *s, void *arg)
{
	struct carriers *c = arg;

	if (!s->tls)
		return 1;
	if (s->txconf)
		*c->tx = conf_carrier(s->txconf);
	if (s->rxconf)
		*c->rx = conf_carrier(s->rxconf);
	return 1;
}

/* Fill @m with the socket's own four-tuple. */
static int own_tuple(int fd, struct ktls_diag_sock *m)
{
	struct sockaddr_storage la, pa;
	socklen_t ll = sizeof(la), pl = sizeof(pa);

	if (getsockname(fd, (void *)&la, &ll) ||
	    getpeername(fd, (void *)&pa, &pl))
		return -errno;
	memset(m, 0, sizeof(*m));
	m->family = la.ss_family;
	if (la.ss_family == AF_INET) {
		struct sockaddr_in *l = (void *)&la, *p = (void *)&pa;

		m->lport = ntohs(l->sin_port);
		m->pport = ntohs(p->sin_port);
		memcpy(m->local, &l->sin_addr, 4);
		memcpy(m->peer, &p->sin_addr, 4);
	} else if (la.ss_family == AF_INET6) {
		struct sockaddr_in6 *l = (void *)&la, *p = (void *)&pa;

		m->lport = ntohs(l->sin6_port);
		m->pport = ntohs(p->sin6_port);
		memcpy(m->local, &l->sin6_addr, 16);
		memcpy(m->peer, &p->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

/**
 * __ktls_carriers() - ask sock_diag how the kernel carries each direction
 * @fd: connected TCP socket with the tls ULP
 * @tx: set when the kernel answered
 * @rx: set when the kernel answered
 *
 * Return: 0, or a negative errno when the kernel could not tell.
 */
int __ktls_carriers(int fd, enum ktls_carrier *tx, enum ktls_carrier *rx)
{
	struct carriers c = { .tx = tx, .rx = rx };
	struct ktls_diag_sock m;
	int ret;

	ret = own_tuple(fd, &m);
	if (ret)
		return ret;
	return __ktls_diag_query(m.family, &m, take_carriers, &c);
}

/*
 * Are keys installed for @dir? Asked with the 4-byte header only, so the
 * kernel answers with version and cipher and never copies a key out.
 */
static int dir_ready(int fd, int dir)
{
	struct tls_crypto_info ci;
	socklen_t len = sizeof(ci);

	if (getsockopt(fd, SOL_TLS, dir, &ci, &len))
		return -errno;
	return ci.cipher_type ? 0 : -EBUSY;
}

/**
 * ktls_fd_check_kernel() - does the kernel carry both directions of @fd?
 * @fd: a TCP socket, e.g. one ktlsd handed back
 *
 * Asks the kernel itself (the tls ULP is attached and keys are installed
 * for TX and RX), so a caller that does no TLS of its own can refuse to
 * write to a socket that would send in the clear.
 *
 * Return: 0 when both directions are in the kernel; -ENOPROTOOPT when the
 * socket has no kernel TLS at all; -EBUSY when a direction has no keys;
 * another negative errno when the socket could not be asked.
 */
KTLS_EXPORT int ktls_fd_check_kernel(int fd)
{
	char ulp[16] = "";
	socklen_t len = sizeof(ulp);
	int ret;

	if (getsockopt(fd, SOL_TCP, TCP_ULP, ulp, &len))
		return errno == ENOPROTOOPT ? -ENOPROTOOPT : -errno;
	if (strncmp(ulp, "tls", sizeof(ulp)))
		return -ENOPROTOOPT;
	ret = dir_ready(fd, TLS_TX);
	if (!ret)
		ret = dir_ready(fd, TLS_RX);
	/* SOL_TLS getsockopt answers ENOPROTOOPT only without the ULP */
	return ret == -ENOPROTOOPT ? -EBUSY : ret;
}
