// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 KeyUpdate with the kernel holding the keys (6.14+), and the AEAD
 * usage limit that nobody else enforces once kTLS owns the keys.
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/*
 * The kernel refused a new key: the connection cannot go on, so close it
 * for real, or whoever waits on it (a reader in another thread, the peer)
 * waits forever. When our TX key is still the one the peer reads with (we
 * failed to follow the peer's update), it gets a fatal internal_error
 * first; after our own KeyUpdate went out it would read nothing sent under
 * the old key, so it only sees the close.
 */
static int keyupdate_unsupported(struct ktls_session *s, int err,
				 bool tx_usable)
{
	int ret = __ktls_fail(s, KTLS_R_PROTOCOL, -EKEYEXPIRED,
			      "the kernel cannot change kTLS keys (TLS 1.3 KeyUpdate needs Linux 6.14): connection closed (%s)",
			      strerror(err));

	if (tx_usable)
		ktls_send_alert(s, KTLS_ALERT_LEVEL_FATAL,
				KTLS_ALERT_INTERNAL_ERROR);
	shutdown(s->fd, SHUT_RDWR);
	return ret;
}

/* Derive the next TX key in wolfSSL; its own KeyUpdate record is dropped. */
static int wolf_next_tx(struct ktls_session *s)
{
	int ret;

	s->feeding = true;
	ret = wolfSSL_update_keys(s->ssl);
	s->feeding = false;
	if (ret != WOLFSSL_SUCCESS &&
	    wolfSSL_get_error(s->ssl, ret) != WOLFSSL_ERROR_WANT_WRITE)
		return -EIO;
	return 0;
}

static int roll_tx(struct ktls_session *s, int request_peer)
{
	unsigned char ku[5] = { KTLS_HS_KEY_UPDATE, 0, 0, 1, !!request_peer };
	ssize_t n;
	int ret;

	/* only ktlsd holds the keys of its sessions (daemon_mode.c) */
	if (s->daemon)
		return __ktls_daemon_roll_tx(s, request_peer);
	/* our KeyUpdate goes out under the old key, as RFC 8446 4.6.3 says */
	n = ktls_send_record(s, KTLS_CT_HANDSHAKE, ku, sizeof(ku));
	if (n < 0)
		return n;
	ret = wolf_next_tx(s);
	if (ret)
		return ret;
	ret = __ktls_install(s, TLS_TX);
	if (ret)
		return keyupdate_unsupported(s, -ret, false);
	s->tx_records = 0;
	return 0;
}

/**
 * __ktls_peer_key_update() - follow a KeyUpdate received from the peer
 * @s: offloaded TLS 1.3 session
 * @update_requested: the peer wants us to update our key too
 *
 * Return: 0 or a negative errno.
 */
int __ktls_peer_key_update(struct ktls_session *s, int update_requested)
{
	unsigned char ku[5] = { KTLS_HS_KEY_UPDATE, 0, 0, 1, update_requested };
	unsigned char before[32];
	const unsigned char *k;
	int ret, keysz = wolfSSL_GetKeySize(s->ssl);
	bool client = s->ctx->cfg.role == KTLS_CLIENT;
	bool tx_rolled;

	if (s->version != KTLS_TLS_1_3)
		return -EPROTO;
	k = client ? wolfSSL_GetClientWriteKey(s->ssl) :
		     wolfSSL_GetServerWriteKey(s->ssl);
	memcpy(before, k, keysz);
	ret = __ktls_feed(s, ku, sizeof(ku));
	if (ret)
		goto out;
	/* wolfSSL resets its RX sequence for the new key */
	ret = __ktls_install(s, TLS_RX);
	if (ret) {
		ret = keyupdate_unsupported(s, -ret, true);
		goto out;
	}
	if (!update_requested)
		goto out;
	/* did wolfSSL already answer (and move its TX key)? */
	tx_rolled = memcmp(before, k, keysz) != 0;
	{
		unsigned char ans[5] = { KTLS_HS_KEY_UPDATE, 0, 0, 1, 0 };

		ssize_t n = ktls_send_record(s, KTLS_CT_HANDSHAKE, ans,
					     sizeof(ans));

		if (n < 0) {
			ret = n;
			goto out;
		}
	}
	if (!tx_rolled) {
		ret = wolf_next_tx(s);
		if (ret)
			goto out;
	}
	ret = __ktls_install(s, TLS_TX);
	if (ret)
		ret = keyupdate_unsupported(s, -ret, false);
	else
		s->tx_records = 0;
out:
	explicit_bzero(before, sizeof(before));
	return ret;
}

/**
 * ktls_rekey() - update our TX key (TLS 1.3, Linux 6.14+)
 * @s: offloaded session
 * @request_peer: also ask the peer to update its key
 *
 * Return: 0, -EOPNOTSUPP for TLS 1.2, or a negative errno; on kernels
 * before 6.14 the connection cannot continue (-EKEYEXPIRED).
 */
KTLS_EXPORT int ktls_rekey(struct ktls_session *s, int request_peer)
{
	int ret;

	if (!s->tx_kernel)
		return -EINVAL;
	if (s->version != KTLS_TLS_1_3)
		return -EOPNOTSUPP;
	__ktls_lock(s);
	ret = roll_tx(s, request_peer);
	__ktls_unlock(s);
	return ret;
}

/**
 * ktls_record_limit() - records one key may protect, by kernel cipher
 * @kernel_cipher: TLS_CIPHER_* from <linux/tls.h> (struct ktls_info's
 *	kernel_cipher)
 *
 * RFC 8446 5.5 and RFC 9147 4.5.3 bound how many records one AEAD key may
 * protect (2^24.5 for AES-GCM, rounded down here to 2^24; 2^23.5 for
 * AES-CCM, rounded to 2^23). ChaCha20-Poly1305 and the others have no
 * practical limit: 2^62 keeps the arithmetic simple. Whoever sends on a
 * kTLS socket without a session in this process (a socket ktlsd handed
 * back) counts against this and rekeys or closes before it.
 *
 * Return: the limit in records.
 */
KTLS_EXPORT uint64_t ktls_record_limit(unsigned int kernel_cipher)
{
	switch (kernel_cipher) {
	case TLS_CIPHER_AES_GCM_128:
	case TLS_CIPHER_AES_GCM_256:
		return 1ULL << 24;
	case TLS_CIPHER_AES_CCM_128:
		return 1ULL << 23;
	}
	return 1ULL << 62;
}

/**
 * __ktls_tx_account() - count records about to be sent; rekey at the limit
 * @s: offloaded session
 * @bytes: payload about to be written
 *
 * Return: 0 to go on, or a negative errno when the key is used up and
 * cannot be changed (the caller must close).
 */
int __ktls_tx_account(struct ktls_session *s, size_t bytes)
{
	uint64_t recs = (bytes + KTLS_MAX_PLAIN - 1) / KTLS_MAX_PLAIN;
	int ret;

	if (!recs)
		recs = 1;
	if (s->tx_records + recs <= s->rekey_limit) {
		s->tx_records += recs;
		return 0;
	}
	if (s->version == KTLS_TLS_1_3) {
		ret = roll_tx(s, 0);
		if (!ret) {
			s->tx_records = recs;
			return 0;
		}
	}
	ktls_send_alert(s, KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY);
	__ktls_fail(s, KTLS_R_PROTOCOL, -EKEYEXPIRED,
		    "the key reached its usage limit of %llu records and cannot be changed on %s with this kernel: connection closed",
		    (unsigned long long)s->rekey_limit,
		    __ktls_version_name(s->version));
	return -EKEYEXPIRED;
}

/**
 * ktls_records_sent() - records sent under the current TX key (estimate)
 * @s: session
 *
 * Return: count.
 */
KTLS_EXPORT uint64_t ktls_records_sent(const struct ktls_session *s)
{
	return s->tx_records;
}
