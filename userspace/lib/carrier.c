// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who carries each direction: the kernel reports TLS_CONF_SW or
 * TLS_CONF_HW per direction only through sock_diag (INET_DIAG_ULP_INFO),
 * so ask it about our own socket.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

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

/* Walk nested attributes of @len bytes at @a looking for @type. */
static struct rtattr *find_attr(struct rtattr *a, int len, int type)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if ((a->rta_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static void parse_reply(struct nlmsghdr *h, enum ktls_carrier *tx,
			enum ktls_carrier *rx)
{
	struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct rtattr *ulp, *tls, *c;

	ulp = find_attr((struct rtattr *)(m + 1), len, INET_DIAG_ULP_INFO);
	if (!ulp)
		return;
	tls = find_attr(RTA_DATA(ulp), RTA_PAYLOAD(ulp), INET_ULP_INFO_TLS);
	if (!tls)
		return;
	c = find_attr(RTA_DATA(tls), RTA_PAYLOAD(tls), TLS_INFO_TXCONF);
	if (c)
		*tx = conf_carrier(*(__u16 *)RTA_DATA(c));
	c = find_attr(RTA_DATA(tls), RTA_PAYLOAD(tls), TLS_INFO_RXCONF);
	if (c)
		*rx = conf_carrier(*(__u16 *)RTA_DATA(c));
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
	struct sockaddr_storage la, pa;
	socklen_t ll = sizeof(la), pl = sizeof(pa);
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl nladdr = { .nl_family = AF_NETLINK };
	char buf[8192];
	struct nlmsghdr *h;
	int nl, n, ret = -ENOENT;

	if (getsockname(fd, (void *)&la, &ll) ||
	    getpeername(fd, (void *)&pa, &pl))
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.r.sdiag_family = la.ss_family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0u;
	req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (la.ss_family == AF_INET) {
		struct sockaddr_in *l = (void *)&la, *p = (void *)&pa;

		req.r.id.idiag_sport = l->sin_port;
		req.r.id.idiag_dport = p->sin_port;
		memcpy(req.r.id.idiag_src, &l->sin_addr, 4);
		memcpy(req.r.id.idiag_dst, &p->sin_addr, 4);
	} else if (la.ss_family == AF_INET6) {
		struct sockaddr_in6 *l = (void *)&la, *p = (void *)&pa;

		req.r.id.idiag_sport = l->sin6_port;
		req.r.id.idiag_dport = p->sin6_port;
		memcpy(req.r.id.idiag_src, &l->sin6_addr, 16);
		memcpy(req.r.id.idiag_dst, &p->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	req.r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	if (sendto(nl, &req, sizeof(req), 0, (void *)&nladdr,
		   sizeof(nladdr)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(nl, buf, sizeof(buf), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	for (h = (void *)buf; NLMSG_OK(h, (unsigned int)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			break;
		parse_reply(h, tx, rx);
		ret = 0;
		break;
	}
out:
	close(nl);
	return ret;
}
