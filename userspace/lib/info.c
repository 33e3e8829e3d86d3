// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What was negotiated, and who carries each direction.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/**
 * ktls_get_info() - version, cipher, ALPN and carriers of a session
 * @s: session after the handshake
 * @info: filled in
 *
 * Return: 0, or -EINVAL before the handshake completed.
 */
KTLS_EXPORT int ktls_get_info(const struct ktls_session *s,
			      struct ktls_info *info)
{
	const char *name;
	char *proto = NULL;
	unsigned short plen = 0;
	void *sni = NULL;
	unsigned short slen;
	int suite;

	memset(info, 0, sizeof(*info));
	if (!s->done)
		return -EINVAL;
	if (s->daemon)
		return __ktls_daemon_info(s, info);
	info->version = wolfSSL_version(s->ssl) == TLS1_3_VERSION ?
			KTLS_TLS_1_3 : KTLS_TLS_1_2;
	suite = wolfSSL_get_current_cipher_suite(s->ssl);
	name = suite < 0 ? NULL :
	       wolfSSL_get_cipher_name_iana_from_suite((suite >> 8) & 0xff,
						       suite & 0xff);
	if (!name)
		name = wolfSSL_get_cipher_name(s->ssl);
	if (name)
		strncpy(info->cipher, name, sizeof(info->cipher) - 1);
	info->kernel_cipher = s->kcipher;
	if (wolfSSL_ALPN_GetProtocol(s->ssl, &proto, &plen) ==
	    WOLFSSL_SUCCESS && proto) {
		if (plen >= sizeof(info->alpn))
			plen = sizeof(info->alpn) - 1;
		memcpy(info->alpn, proto, plen);
	}
	if (s->ctx->cfg.role == KTLS_CLIENT) {
		if (s->ctx->cfg.server_name)
			strncpy(info->server_name, s->ctx->cfg.server_name,
				sizeof(info->server_name) - 1);
	} else {
		slen = wolfSSL_SNI_GetRequest(s->ssl, WOLFSSL_SNI_HOST_NAME,
					      &sni);
		if (sni && slen < sizeof(info->server_name))
			memcpy(info->server_name, sni, slen);
	}
	info->resumed = wolfSSL_session_reused(s->ssl);
	info->tx = s->tx_kernel ? KTLS_CARRIER_KERNEL_SW : KTLS_CARRIER_USER;
	info->rx = s->rx_kernel ? KTLS_CARRIER_KERNEL_SW : KTLS_CARRIER_USER;
	/* the kernel picks device offload at setsockopt time: ask it */
	if (s->tx_kernel || s->rx_kernel) {
		enum ktls_carrier tx = info->tx, rx = info->rx;

		if (!__ktls_carriers(s->fd, &tx, &rx)) {
			if (s->tx_kernel && tx != KTLS_CARRIER_USER)
				info->tx = tx;
			if (s->rx_kernel && rx != KTLS_CARRIER_USER)
				info->rx = rx;
		}
	}
	return 0;
}
