// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Feeding a post-handshake message back into wolfSSL. Without exported
 * traffic secrets, the only way to let wolfSSL process a NewSessionTicket
 * or derive the keys after a KeyUpdate is to hand it a record it can
 * decrypt: the message, encrypted under wolfSSL's own (unchanged) RX key
 * and its stale RX sequence number, read through the memory I/O mode of
 * our recv callback.
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
	bool client = s->ctx->cfg.role == KTLS_CLIENT;
	const unsigned char *key, *iv;
	unsigned char nonce[NONCE_LEN];
	unsigned char *rec;
	size_t inner = len + 1, reclen = KTLS_REC_HDR + inner + TAG_LEN;
	unsigned char buf[64];
	int i, ret, keysz = wolfSSL_GetKeySize(s->ssl);

	if (s->version != KTLS_TLS_1_3 || inner + TAG_LEN > 16384 + 256)
		return -EINVAL;
	key = client ? wolfSSL_GetServerWriteKey(s->ssl) :
		       wolfSSL_GetClientWriteKey(s->ssl);
	iv = client ? wolfSSL_GetServerWriteIV(s->ssl) :
		      wolfSSL_GetClientWriteIV(s->ssl);
	if (!key || !iv)
		return -EINVAL;
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
