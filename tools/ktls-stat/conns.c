// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The connection list: every TCP socket of both families in this network
 * namespace from sock_diag, narrowed to those with a ULP (or those the
 * user asked about by port or address), plus the names the kernel's
 * numbers stand for.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "stat.h"

static const char * const state_names[] = {
	[TCP_ESTABLISHED] = "ESTAB",
	[TCP_SYN_SENT] = "SYN-SENT",
	[TCP_SYN_RECV] = "SYN-RECV",
	[TCP_FIN_WAIT1] = "FIN-WAIT-1",
	[TCP_FIN_WAIT2] = "FIN-WAIT-2",
	[TCP_TIME_WAIT] = "TIME-WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCP_LAST_ACK] = "LAST-ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
	[12] = "NEW-SYN-RECV",		/* TCP_NEW_SYN_RECV, kernel only */
};

/**
 * stat_state_name() - ss-style name of a TCP state
 * @state: idiag_state
 *
 * Return: a static string.
 */
const char *stat_state_name(unsigned int state)
{
	if (state < ARRAY_SIZE(state_names) &&
	    state_names[state])
		return state_names[state];
	return "UNKNOWN";
}

/**
 * stat_version_name() - "1.2", "1.3", or the raw number
 * @v: TLS_INFO_VERSION, 0 when the kernel sent none
 * @buf: room for an unknown version
 * @len: size of @buf
 *
 * Return: the name, or NULL when @v is 0.
 */
const char *stat_version_name(unsigned int v, char *buf, size_t len)
{
	switch (v) {
	case 0:
		return NULL;
	case TLS_1_2_VERSION:
		return "1.2";
	case TLS_1_3_VERSION:
		return "1.3";
	}
	snprintf(buf, len, "0x%04x", v);
	return buf;
}

/**
 * stat_cipher_name() - name of a TLS_CIPHER_* number
 * @c: TLS_INFO_CIPHER, 0 when the kernel sent none
 * @buf: room for an unknown cipher
 * @len: size of @buf
 *
 * Return: the name, or NULL when @c is 0.
 */
const char *stat_cipher_name(unsigned int c, char *buf, size_t len)
{
	switch (c) {
	case 0:
		return NULL;
	case TLS_CIPHER_AES_GCM_128:
		return "aes-gcm-128";
	case TLS_CIPHER_AES_GCM_256:
		return "aes-gcm-256";
	case TLS_CIPHER_AES_CCM_128:
		return "aes-ccm-128";
	case TLS_CIPHER_CHACHA20_POLY1305:
		return "chacha20-poly1305";
	case TLS_CIPHER_SM4_GCM:
		return "sm4-gcm";
	case TLS_CIPHER_SM4_CCM:
		return "sm4-ccm";
	case 57:			/* TLS_CIPHER_ARIA_GCM_128, 6.1+ */
		return "aria-gcm-128";
	case 58:			/* TLS_CIPHER_ARIA_GCM_256 */
		return "aria-gcm-256";
	}
	snprintf(buf, len, "cipher-%u", c);
	return buf;
}

/**
 * stat_conf_name() - who carries one direction
 * @conf: TLS_INFO_TXCONF or TLS_INFO_RXCONF
 *
 * Return: "none" (not handed to the kernel), "sw", "device",
 * "device-record" (the NIC runs the whole record layer), or NULL when the
 * kernel did not say.
 */
const char *stat_conf_name(unsigned int conf)
{
	switch (conf) {
	case 0:
		return NULL;
	case TLS_CONF_BASE:
		return "none";
	case TLS_CONF_SW:
		return "sw";
	case TLS_CONF_HW:
		return "device";
	case TLS_CONF_HW_RECORD:
		return "device-record";
	}
	return "unknown";
}

/**
 * stat_parse_addr() - an --addr argument as sock_diag stores addresses
 * @s: IPv4 or IPv6 address, IPv6 optionally in brackets
 * @family: AF_INET or AF_INET6
 * @a: 16 bytes, the first 4 used for IPv4
 *
 * Return: 0, or -EINVAL.
 */
int stat_parse_addr(const char *s, int *family, unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (n >= 2 && n < sizeof(buf) && s[0] == '[' && s[n - 1] == ']') {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) also matches a.b.c.d. */
static bool addr_eq(int fa, const unsigned char *a, int fb,
		    const unsigned char *b)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (fa == fb)
		return !memcmp(a, b, fa == AF_INET ? 4 : 16);
	if (fa == AF_INET6)
		return !memcmp(a, mapped, 12) && !memcmp(a + 12, b, 4);
	return !memcmp(b, mapped, 12) && !memcmp(b + 12, a, 4);
}

static bool wanted(const struct stat_opts *o, const struct ktls_diag_sock *s)
{
	unsigned int i;
	bool hit;

	if (o->nports) {
		for (hit = false, i = 0; i < o->nports && !hit; i++)
			hit = s->lport == o->ports[i] ||
			      s->pport == o->ports[i];
		if (!hit)
			return false;
	}
	if (o->naddrs) {
		for (hit = false, i = 0; i < o->naddrs && !hit; i++)
			hit = addr_eq(s->family, s->local, o->addrs[i].family,
				      o->addrs[i].a) ||
			      addr_eq(s->family, s->peer, o->addrs[i].family,
				      o->addrs[i].a);
		if (!hit)
			return false;
	}
	if (o->all || s->ulp[0])
		return true;
	/* asked about by port or address: show plain TCP too, not listeners */
	return (o->nports || o->naddrs) && s->state != TCP_LISTEN;
}

struct collect {
	const struct stat_opts *o;
	struct conn_list *l;
};

static int add_conn(const struct ktls_diag_sock *s, void *arg)
{
	struct collect *k = arg;
	struct conn_list *l = k->l;
	struct conn *c;

	if (!wanted(k->o, s))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct conn *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->d = *s;
	inet_ntop(s->family, s->local, c->laddr, sizeof(c->laddr));
	inet_ntop(s->family, s->peer, c->paddr, sizeof(c->paddr));
	return 0;
}

/**
 * stat_collect() - the sockets to list, IPv4 then IPv6
 * @o: filters
 * @l: emptied, then filled; free with stat_conns_free()
 *
 * Return: 0, or a negative errno from sock_diag (an absent IPv6 stack is
 * not an error).
 */
int stat_collect(const struct stat_opts *o, struct conn_list *l)
{
	struct collect k = { .o = o, .l = l };
	int ret;

	l->n = 0;
	ret = __ktls_diag_query(AF_INET, NULL, add_conn, &k);
	if (ret)
		return ret;
	ret = __ktls_diag_query(AF_INET6, NULL, add_conn, &k);
	if (ret == -ENOENT || ret == -EAFNOSUPPORT)
		ret = 0;
	return ret;
}

/**
 * stat_conns_free() - release the list
 * @l: filled by stat_collect()
 */
void stat_conns_free(struct conn_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
