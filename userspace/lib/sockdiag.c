// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One inet_diag request (a dump of every TCP socket of a family, or the
 * lookup of one socket) and the parsing of each reply into struct
 * ktls_diag_sock, with the TLS ULP attributes tls_get_info() emits.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockdiag.h"

/* Walk attributes of @len bytes at @a looking for @type. */
static struct rtattr *find_attr(struct rtattr *a, int len, int type)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if ((a->rta_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static __u16 attr_u16(struct rtattr *nest, int type)
{
	struct rtattr *a = find_attr(RTA_DATA(nest), RTA_PAYLOAD(nest), type);
	__u16 v;

	if (!a || RTA_PAYLOAD(a) < sizeof(v))
		return 0;
	memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

/*
 * Older kernels simply leave out attributes they do not know, so every
 * field stays zero (or false) unless its attribute came.
 */
static void parse_tls(struct rtattr *tls, struct ktls_diag_sock *s)
{
	int len = RTA_PAYLOAD(tls);

	s->tls = true;
	s->version = attr_u16(tls, TLS_INFO_VERSION);
	s->cipher = attr_u16(tls, TLS_INFO_CIPHER);
	s->txconf = attr_u16(tls, TLS_INFO_TXCONF);
	s->rxconf = attr_u16(tls, TLS_INFO_RXCONF);
	s->zc_ro_tx = find_attr(RTA_DATA(tls), len, TLS_INFO_ZC_RO_TX);
	s->rx_no_pad = find_attr(RTA_DATA(tls), len, TLS_INFO_RX_NO_PAD);
}

static void parse_reply(const struct nlmsghdr *h, struct ktls_diag_sock *s)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct rtattr *ulp, *a;

	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	memcpy(s->local, m->id.idiag_src, sizeof(s->local));
	memcpy(s->peer, m->id.idiag_dst, sizeof(s->peer));
	s->lport = ntohs(m->id.idiag_sport);
	s->pport = ntohs(m->id.idiag_dport);
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;

	ulp = find_attr((struct rtattr *)(m + 1), len, INET_DIAG_ULP_INFO);
	if (!ulp)
		return;
	a = find_attr(RTA_DATA(ulp), RTA_PAYLOAD(ulp), INET_ULP_INFO_NAME);
	if (a && RTA_PAYLOAD(a) > 0) {
		size_t n = RTA_PAYLOAD(a);

		if (n > sizeof(s->ulp) - 1)
			n = sizeof(s->ulp) - 1;
		memcpy(s->ulp, RTA_DATA(a), n);
		s->ulp[n] = '\0';
	}
	a = find_attr(RTA_DATA(ulp), RTA_PAYLOAD(ulp), INET_ULP_INFO_TLS);
	if (a)
		parse_tls(a, s);
}

static void fill_request(struct inet_diag_req_v2 *r, int family,
			 const struct ktls_diag_sock *match)
{
	memset(r, 0, sizeof(*r));
	r->sdiag_family = family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = ~0u;
	/* the ULP is reported only along with INET_DIAG_INFO */
	r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (!match)
		return;
	r->id.idiag_sport = htons(match->lport);
	r->id.idiag_dport = htons(match->pport);
	memcpy(r->id.idiag_src, match->local, sizeof(r->id.idiag_src));
	memcpy(r->id.idiag_dst, match->peer, sizeof(r->id.idiag_dst));
}

/*
 * Read replies until the dump is done (or, for a lookup, the one answer
 * came). Returns 1 when done, 0 to read on, or a negative errno.
 */
static int handle_batch(char *buf, int n, bool dump,
			int (*cb)(const struct ktls_diag_sock *s, void *arg),
			void *arg, int *seen)
{
	struct ktls_diag_sock s;
	struct nlmsghdr *h;
	int ret;

	for (h = (void *)buf; NLMSG_OK(h, (unsigned int)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error ? e->error : 1;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		parse_reply(h, &s);
		(*seen)++;
		ret = cb(&s, arg);
		if (ret)
			return ret < 0 ? ret : 1;
		if (!dump)
			return 1;
	}
	return 0;
}

/**
 * __ktls_diag_query() - describe TCP sockets through sock_diag
 * @family: AF_INET or AF_INET6
 * @match: NULL to walk every TCP socket of @family in this network
 *	namespace, or the socket to look up (family, addresses and ports)
 * @cb: called with each socket; a negative return stops the walk and is
 *	returned, a positive one stops it with success
 * @arg: passed to @cb
 *
 * Return: 0 (a lookup that found nothing returns -ENOENT), or a negative
 * errno from netlink or @cb.
 */
int __ktls_diag_query(int family, const struct ktls_diag_sock *match,
		      int (*cb)(const struct ktls_diag_sock *s, void *arg),
		      void *arg)
{
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	/* a dump fills up to 32 KiB per read when offered that much */
	const size_t bufsz = 32768;
	char *buf;
	int nl, n, ret = 0, seen = 0;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST | (match ? 0 : NLM_F_DUMP);
	fill_request(&req.r, family, match);

	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0) {
		ret = -errno;
		goto err_free_buf;
	}
	if (sendto(nl, &req, sizeof(req), 0, (void *)&nladdr,
		   sizeof(nladdr)) < 0) {
		ret = -errno;
		goto out;
	}
	while (!ret) {
		n = recv(nl, buf, bufsz, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		ret = handle_batch(buf, n, !match, cb, arg, &seen);
	}
	if (ret > 0)
		ret = 0;
	if (!ret && match && !seen)
		ret = -ENOENT;
out:
	close(nl);
err_free_buf:
	free(buf);
	return ret;
}
