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
	ret = __ktls_wolf_next_tx(s);
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
	struct __ktls_wolf_mark before;
	bool tx_rolled;
	int ret;

	if (s->version != KTLS_TLS_1_3)
		return -EPROTO;
	__ktls_wolf_mark_tx(s, &before);
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
	tx_rolled = __ktls_wolf_tx_moved(s, &before);
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
		ret = __ktls_wolf_next_tx(s);
		if (ret)
			goto out;
	}
	ret = __ktls_install(s, TLS_TX);
	if (ret)
		ret = keyupdate_unsupported(s, -ret, false);
	else
		s->tx_records = 0;
out:
	explicit_bzero(&before, sizeof(before));
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

/*
 * Count @recs records against the key; at the limit, change the key (TLS
 * 1.3) or end the session. Called with the session's lock held.
 */
static int charge(struct ktls_session *s, uint64_t recs, bool control)
{
	int ret;

	/*
	 * Control records (alerts, our KeyUpdate) are counted but never
	 * rekey or refuse: they go out while the key changes or the session
	 * ends, and the limit is rounded down from the RFC's (see
	 * ktls_record_limit()), which leaves room for them.
	 */
	if (control || s->tx_records + recs <= s->rekey_limit) {
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
 * __ktls_tx_begin() - the one way into sending on an offloaded session
 * @s: session
 * @bytes: payload about to be handed to the kernel (0 counts one record)
 * @what: KTLS_TX_DATA, or KTLS_TX_CONTROL for an alert or a handshake
 *	record the library itself sends
 *
 * Every data path (send, send of one record, sendfile, splice and the
 * io_uring preparations) goes through here: it takes the session's lock,
 * so no record goes out under a key being changed, and charges the
 * records @bytes makes toward the AEAD usage limit (RFC 8446 5.5),
 * changing the key first when they would pass it. The count is an upper
 * bound: a record left open by MSG_MORE, or a send that moved fewer
 * bytes, still counts whole.
 *
 * Return: 0 with the lock held (the caller sends, then calls
 * __ktls_tx_end()), or a negative errno with the lock released: -EINVAL
 * when kernel TLS does not carry TX, -EKEYEXPIRED when the key is used up
 * and cannot be changed (the session has ended).
 */
int __ktls_tx_begin(struct ktls_session *s, size_t bytes, int what)
{
	uint64_t recs = (bytes + KTLS_MAX_PLAIN - 1) / KTLS_MAX_PLAIN;
	int ret;

	if (!s->tx_kernel)
		return -EINVAL;
	__ktls_lock(s);
	ret = charge(s, recs ? recs : 1, what == KTLS_TX_CONTROL);
	if (ret)
		__ktls_unlock(s);
	return ret;
}

/**
 * __ktls_tx_end() - the send __ktls_tx_begin() allowed is done
 * @s: session
 */
void __ktls_tx_end(struct ktls_session *s)
{
	__ktls_unlock(s);
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
