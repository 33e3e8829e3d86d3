// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Feeding a post-handshake message back into wolfSSL. Without exported
 * traffic secrets, the only way to let wolfSSL process a NewSessionTicket
 * or derive the keys after a KeyUpdate is to hand it a record it can
 * decrypt: the message, encrypted under wolfSSL's own (unchanged) RX key
 * and its stale RX sequence number, read through the memory I/O mode of
 * our recv callback.
 *
 * This file is also the one place that infers wolfSSL's state after the
 * switch (internal.h lists the calls): which of its keys serves which
 * direction, its RX sequence, whether it moved its TX key on its own, and
 * how to have it derive the next one. rekey.c and the post-handshake code
 * use these calls and never read wolfSSL's keys themselves.
 */
#include "internal.h"

#include <errno.h>
#include <linux/tls.h>
#include <stdlib.h>
#include <string.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>

#define TAG_LEN		16
#define NONCE_LEN	12

static int seal(unsigned int kcipher, const unsigned char *key, int keysz,
		const unsigned char *nonce, const unsigned char *aad,
		unsigned char *out, const unsigned char *in, size_t len,
		unsigned char *tag)
{
	Aes aead;
	int ret;

	if (kcipher == TLS_CIPHER_CHACHA20_POLY1305)
		return wc_ChaCha20Poly1305_Encrypt(key, nonce, aad,
						   KTLS_REC_HDR, in, len,
						   out, tag) ? -EIO : 0;
	if (wc_AesInit(&aead, NULL, INVALID_DEVID))
		return -EIO;
	if (kcipher == TLS_CIPHER_AES_CCM_128)
		ret = wc_AesCcmSetKey(&aead, key, keysz) ||
		      wc_AesCcmEncrypt(&aead, out, in, len, nonce, NONCE_LEN,
				       tag, TAG_LEN, aad, KTLS_REC_HDR);
	else
		ret = wc_AesGcmSetKey(&aead, key, keysz) ||
		      wc_AesGcmEncrypt(&aead, out, in, len, nonce, NONCE_LEN,
				       tag, TAG_LEN, aad, KTLS_REC_HDR);
	wc_AesFree(&aead);
	/* wc_AesFree() leaves the expanded round keys on the stack */
	explicit_bzero(&aead, sizeof(aead));
	return ret ? -EIO : 0;
}

/*
 * The key and IV wolfSSL holds for the peer's direction (@ours false) or
 * ours: wolfSSL names them by side, not by direction.
 */
static int wolf_keys(struct ktls_session *s, bool ours,
		     const unsigned char **key, const unsigned char **iv)
{
	bool client_key = (s->ctx->cfg.role == KTLS_CLIENT) == ours;

	*key = client_key ? wolfSSL_GetClientWriteKey(s->ssl) :
			    wolfSSL_GetServerWriteKey(s->ssl);
	*iv = client_key ? wolfSSL_GetClientWriteIV(s->ssl) :
			   wolfSSL_GetServerWriteIV(s->ssl);
	return *key && *iv ? wolfSSL_GetKeySize(s->ssl) : -EINVAL;
}

/**
 * __ktls_wolf_mark_tx() - remember which TX key wolfSSL holds now
 * @s: offloaded session
 * @m: filled in; wiped by __ktls_wolf_tx_moved()
 */
void __ktls_wolf_mark_tx(struct ktls_session *s, struct __ktls_wolf_mark *m)
{
	const unsigned char *key, *iv;

	m->len = wolf_keys(s, true, &key, &iv);
	if (m->len > (int)sizeof(m->key))
		m->len = -EINVAL;
	if (m->len > 0)
		memcpy(m->key, key, m->len);
}

/**
 * __ktls_wolf_tx_moved() - did wolfSSL change its TX key since @m?
 * @s: offloaded session
 * @m: from __ktls_wolf_mark_tx(); wiped here
 *
 * wolfSSL answers a KeyUpdate that asks for ours by itself on some paths
 * and not on others, and does not say which: its key bytes do.
 *
 * Return: true when the key it holds is no longer the one marked.
 */
bool __ktls_wolf_tx_moved(struct ktls_session *s, struct __ktls_wolf_mark *m)
{
	const unsigned char *key, *iv;
	bool moved;

	moved = m->len <= 0 || wolf_keys(s, true, &key, &iv) != m->len ||
		memcmp(m->key, key, m->len) != 0;
	explicit_bzero(m, sizeof(*m));
	return moved;
}

/**
 * __ktls_wolf_next_tx() - have wolfSSL derive our next TX key
 * @s: offloaded TLS 1.3 session
 *
 * Its own KeyUpdate record goes nowhere (s->feeding: io_send() drops it);
 * libktls sends ours through kernel TLS.
 *
 * Return: 0 or -EIO.
 */
int __ktls_wolf_next_tx(struct ktls_session *s)
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

/**
 * __ktls_feed() - let wolfSSL process one TLS 1.3 handshake message
 * @s: offloaded TLS 1.3 session
 * @msg: the handshake message with its 4-byte header
 * @len: its length
 *
 * Return: 0 or a negative errno.
 */
int __ktls_feed(struct ktls_session *s, const unsigned char *msg, size_t len)
{
	const unsigned char *key, *iv;
	unsigned char nonce[NONCE_LEN];
	unsigned char *rec;
	size_t inner = len + 1, reclen = KTLS_REC_HDR + inner + TAG_LEN;
	unsigned char buf[64];
	int i, ret, keysz;

	if (s->version != KTLS_TLS_1_3 || inner + TAG_LEN > 16384 + 256)
		return -EINVAL;
	/* the peer's direction: wolfSSL's RX key, which kTLS left alone */
	keysz = wolf_keys(s, false, &key, &iv);
	if (keysz < 0)
		return keysz;
	rec = malloc(reclen);
	if (!rec)
		return -ENOMEM;
	rec[0] = KTLS_CT_APPLICATION_DATA;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (inner + TAG_LEN) >> 8;
	rec[4] = (inner + TAG_LEN) & 0xff;
	memcpy(rec + KTLS_REC_HDR, msg, len);
	rec[KTLS_REC_HDR + len] = KTLS_CT_HANDSHAKE;
	memcpy(nonce, iv, NONCE_LEN);
	for (i = 0; i < 8; i++)
		nonce[NONCE_LEN - 1 - i] ^= (s->wolf_rx_seq >> (8 * i)) & 0xff;
	ret = seal(s->kcipher, key, keysz, nonce, rec,
		   rec + KTLS_REC_HDR, rec + KTLS_REC_HDR, inner,
		   rec + KTLS_REC_HDR + inner);
	explicit_bzero(nonce, sizeof(nonce));
	if (ret)
		goto out;

	s->feeding = true;
	s->feed_buf = rec;
	s->feed_len = reclen;
	ret = wolfSSL_read(s->ssl, buf, sizeof(buf));
	/* a handshake message yields no data: wolfSSL wants the next record */
	if (ret <= 0 &&
	    wolfSSL_get_error(s->ssl, ret) == WOLFSSL_ERROR_WANT_READ &&
	    !s->feed_len)
		ret = 0;
	else
		ret = -EPROTO;
	s->feeding = false;
	s->feed_buf = NULL;
	s->feed_len = 0;
	if (!ret)
		s->wolf_rx_seq++;
out:
	explicit_bzero(rec, reclen);
	free(rec);
	return ret;
}

/**
 * ktls_save_session() - keep the session's ticket in its context (client)
 * @s: client session that received a ticket
 *
 * The next session made from the context offers it for resumption.
 *
 * Return: 0 or a negative errno.
 */
KTLS_EXPORT int ktls_save_session(struct ktls_session *s)
{
	WOLFSSL_SESSION *sess, *old;

	if (s->ctx->cfg.role != KTLS_CLIENT)
		return -EINVAL;
	sess = wolfSSL_get1_session(s->ssl);
	if (!sess)
		return -ENOENT;
	/* sessions of the same context read it from other threads */
	pthread_mutex_lock(&s->ctx->saved_lock);
	old = s->ctx->saved;
	s->ctx->saved = sess;
	pthread_mutex_unlock(&s->ctx->saved_lock);
	if (old)
		wolfSSL_SESSION_free(old);
	return 0;
}
