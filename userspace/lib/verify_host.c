// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Target host check of the peer's leaf certificate, done by us rather than
 * by wolfSSL_check_domain_name(): wolfSSL always accepts wildcards and
 * always falls back to the CN, and Debian's build does not parse IP
 * subjectAltNames. So the extensions are read from the DER here.
 *
 * Rules: subjectAltName DNS entries for a name, IP entries for an address;
 * the subject CN only when there is no subjectAltName at all (and the
 * fallback is not turned off); a wildcard only when allowed, only as the
 * whole left-most label, and covering exactly one label.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Read one DER header; return the content start or NULL. */
static const unsigned char *der_next(const unsigned char *p,
				     const unsigned char *end,
				     unsigned int *tag, size_t *len)
{
	size_t n, i, nb;

	if (end - p < 2)
		return NULL;
	*tag = *p++;
	n = *p++;
	if (n & 0x80) {
		nb = n & 0x7f;
		if (!nb || nb > 4 || (size_t)(end - p) < nb)
			return NULL;
		for (n = 0, i = 0; i < nb; i++)
			n = (n << 8) | *p++;
	}
	if ((size_t)(end - p) < n)
		return NULL;
	*len = n;
	return p;
}

/**
 * __ktls_cert_ext() - find an extension's value in a certificate
 * @x: certificate
 * @oid: DER content of the extension's OID
 * @oid_len: its length
 * @val: the extnValue OCTET STRING's content
 * @val_len: its length
 *
 * Return: 1 if found, 0 if not, -1 if the certificate cannot be parsed.
 */
int __ktls_cert_ext(WOLFSSL_X509 *x, const unsigned char *oid, size_t oid_len,
		    const unsigned char **val, size_t *val_len)
{
	const unsigned char *der, *p, *end, *q, *qend, *e, *eend;
	unsigned int tag;
	size_t len;
	int sz = 0;

	der = wolfSSL_X509_get_der(x, &sz);
	if (!der || sz <= 0)
		return -1;
	/* Certificate, then TBSCertificate */
	p = der_next(der, der + sz, &tag, &len);
	if (!p || tag != 0x30)
		return -1;
	p = der_next(p, p + len, &tag, &len);
	if (!p || tag != 0x30)
		return -1;
	end = p + len;
	while (p < end) {
		q = der_next(p, end, &tag, &len);
		if (!q)
			return -1;
		p = q + len;
		if (tag != 0xa3)
			continue;
		/* [3] { SEQUENCE OF Extension } */
		q = der_next(q, p, &tag, &len);
		if (!q || tag != 0x30)
			return -1;
		qend = q + len;
		while (q < qend) {
			e = der_next(q, qend, &tag, &len);
			if (!e || tag != 0x30)
				return -1;
			q = e + len;
			eend = q;
			e = der_next(e, eend, &tag, &len);
			if (!e || tag != 0x06)
				return -1;
			if (len != oid_len || memcmp(e, oid, len))
				continue;
			e += len;
			e = der_next(e, eend, &tag, &len);
			if (e && tag == 0x01) {		/* critical */
				e += len;
				e = der_next(e, eend, &tag, &len);
			}
			if (!e || tag != 0x04)
				return -1;
			*val = e;
			*val_len = len;
			return 1;
		}
		return 0;
	}
	return 0;
}

static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };

struct san_walk {
	const unsigned char *p, *end;
};

/* Start walking the GeneralNames; returns 1 if the certificate has a SAN. */
static int san_start(WOLFSSL_X509 *x, struct san_walk *w)
{
	const unsigned char *val;
	unsigned int tag;
	size_t len;

	if (__ktls_cert_ext(x, oid_san, sizeof(oid_san), &val, &len) != 1)
		return 0;
	w->p = der_next(val, val + len, &tag, &len);
	if (!w->p || tag != 0x30)
		return 0;
	w->end = w->p + len;
	return 1;
}

static int san_next(struct san_walk *w, unsigned int *tag,
		    const unsigned char **v, size_t *len)
{
	const unsigned char *q;

	if (!w->p || w->p >= w->end)
		return 0;
	q = der_next(w->p, w->end, tag, len);
	if (!q)
		return 0;
	*v = q;
	w->p = q + *len;
	return 1;
}

static void append(char *buf, size_t size, const char *fmt, const char *a)
{
	size_t n = strlen(buf);

	if (n < size)
		snprintf(buf + n, size - n, fmt, a);
}

/**
 * __ktls_cert_sans() - subjectAltName DNS and IP entries as text
 * @x: certificate
 * @buf: "DNS:a, IP:127.0.0.1" or ""
 * @len: size of @buf
 *
 * Return: number of entries.
 */
int __ktls_cert_sans(WOLFSSL_X509 *x, char *buf, size_t len)
{
	struct san_walk w;
	const unsigned char *v;
	unsigned int tag;
	size_t n;
	char one[INET6_ADDRSTRLEN + 8];
	int count = 0;

	buf[0] = '\0';
	if (!san_start(x, &w))
		return 0;
	while (san_next(&w, &tag, &v, &n)) {
		if (tag == 0x82) {
			snprintf(one, sizeof(one), "DNS:%.*s",
				 (int)(n > 200 ? 200 : n), v);
		} else if (tag == 0x87 && (n == 4 || n == 16)) {
			char ip[INET6_ADDRSTRLEN];

			inet_ntop(n == 4 ? AF_INET : AF_INET6, v, ip,
				  sizeof(ip));
			snprintf(one, sizeof(one), "IP:%s", ip);
		} else {
			continue;
		}
		append(buf, len, count ? ", %s" : "%s", one);
		count++;
	}
	return count;
}

/* Match one DNS pattern from the certificate against the host. */
static bool dns_match(const char *pat, size_t plen, const char *host,
		      bool wildcards, bool *was_wildcard)
{
	size_t hlen = strlen(host);
	const char *dot;

	if (plen && pat[plen - 1] == '.')
		plen--;
	if (memchr(pat, '\0', plen))
		return false;
	if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
		/* the rest must itself have two labels: no "*.test" */
		if (!memchr(pat + 2, '.', plen - 2))
			return false;
		dot = strchr(host, '.');
		if (!dot || dot == host)
			return false;
		if ((size_t)(host + hlen - dot) != plen - 1 ||
		    strncasecmp(dot, pat + 1, plen - 1))
			return false;
		*was_wildcard = true;
		return wildcards;
	}
	if (memchr(pat, '*', plen))
		return false;		/* partial wildcards are never valid */
	return hlen == plen && !strncasecmp(pat, host, plen);
}

/**
 * __ktls_host_check() - check the leaf against the name we connected to
 * @s: client session; s->certerr.host holds the name
 * @x: the peer's leaf certificate
 *
 * Return: 0 on a match (or when there is no name to check), else -1 with
 * the reason and sentence in s->certerr.
 */
int __ktls_host_check(struct ktls_session *s, WOLFSSL_X509 *x)
{
	struct ktls_certerr *c = &s->certerr;
	unsigned long policy = s->ctx->cfg.policy;
	bool wildcards = policy & KTLS_P_ALLOW_WILDCARDS;
	bool wild_seen = false, has_san;
	unsigned char addr[16];
	char host[256], sans[200], cn[64] = "", first[64] = "";
	const unsigned char *v;
	struct san_walk w;
	unsigned int tag;
	size_t n;
	int alen = 0;

	if (!c->host[0])
		return 0;
	snprintf(host, sizeof(host), "%s", c->host);
	n = strlen(host);
	if (n && host[n - 1] == '.')
		host[n - 1] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1)
		alen = 4;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		alen = 16;

	has_san = san_start(x, &w);
	while (has_san && san_next(&w, &tag, &v, &n)) {
		if (tag == 0x82 && !first[0])
			snprintf(first, sizeof(first), "%.*s",
				 (int)(n > 63 ? 63 : n), v);
		if (tag == 0x82 && !alen &&
		    dns_match((const char *)v, n, host, wildcards, &wild_seen))
			return 0;
		if (tag == 0x87 && alen && n == (size_t)alen &&
		    !memcmp(v, addr, n))
			return 0;
	}
	wolfSSL_X509_NAME_get_text_by_NID(wolfSSL_X509_get_subject_name(x),
					  NID_commonName, cn, sizeof(cn));
	if (!has_san) {
		if (policy & KTLS_P_NO_CN_FALLBACK) {
			snprintf(c->detail, sizeof(c->detail),
				 "certificate for %s has no subjectAltName and the CN fallback is off: it cannot match host %s",
				 cn[0] ? cn : "(no CN)", host);
			goto fail;
		}
		if (cn[0] && (alen ? !strcmp(cn, host) :
			      dns_match(cn, strlen(cn), host, wildcards,
					&wild_seen)))
			return 0;
		snprintf(c->detail, sizeof(c->detail),
			 "certificate for %s does not match host %s: no subjectAltName, CN=%s",
			 cn[0] ? cn : "(no CN)", host, cn);
		goto fail;
	}
	__ktls_cert_sans(x, sans, sizeof(sans));
	snprintf(c->detail, sizeof(c->detail),
		 "certificate for %s does not match host %s: SAN %s%s",
		 first[0] ? first : (sans[0] ? sans : "(no name)"), host,
		 sans[0] ? sans : "(no DNS or IP entries)",
		 wild_seen && !wildcards ?
		 " (wildcards are off; allow them explicitly to accept one)" :
		 "");
fail:
	c->reason = KTLS_R_HOSTNAME_MISMATCH;
	return -1;
}
