// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verified peer certificate as an identity for the application:
 * subject, issuer, subjectAltNames and SHA-256 fingerprint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/**
 * ktls_get_peer_cert() - who the peer proved to be
 * @s: session after a successful handshake
 * @pc: filled in
 *
 * With mutual TLS this is the client a server talks to; a client gets the
 * server's certificate. The certificate was verified unless verification
 * was turned off in the configuration.
 *
 * Return: 0, -ENOENT when the peer sent no certificate, -EINVAL before the
 * handshake finished.
 */
KTLS_EXPORT int ktls_get_peer_cert(const struct ktls_session *s,
				   struct ktls_peer_cert *pc)
{
	unsigned char md[32];
	unsigned int mdlen = sizeof(md), i;
	WOLFSSL_X509_NAME *name;
	WOLFSSL_X509 *x;

	memset(pc, 0, sizeof(*pc));
	if (!s->done)
		return -EINVAL;
	/* ktlsd tells the subject only */
	if (s->daemon)
		return __ktls_daemon_peer(s, pc->subject, sizeof(pc->subject));
	x = wolfSSL_get_peer_certificate(s->ssl);
	if (!x)
		return -ENOENT;
	name = wolfSSL_X509_get_subject_name(x);
	if (name)
		wolfSSL_X509_NAME_oneline(name, pc->subject,
					  sizeof(pc->subject));
	name = wolfSSL_X509_get_issuer_name(x);
	if (name)
		wolfSSL_X509_NAME_oneline(name, pc->issuer, sizeof(pc->issuer));
	__ktls_cert_sans(x, pc->sans, sizeof(pc->sans));
	if (wolfSSL_X509_digest(x, wolfSSL_EVP_sha256(), md, &mdlen)
	    == WOLFSSL_SUCCESS)
		for (i = 0; i < mdlen && i < 32; i++)
			snprintf(pc->sha256 + 2 * i, 3, "%02x", md[i]);
	wolfSSL_X509_free(x);
	return 0;
}
