// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key handoff: read the traffic keys, IVs and sequence numbers wolfSSL
 * negotiated and give them to the kernel with setsockopt(SOL_TLS).
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

union crypto_info {
	struct tls_crypto_info base;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_aes_ccm_128 ccm128;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

static void put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

/*
 * AES-GCM and AES-CCM share one layout: salt is the implicit IV (TLS 1.2)
 * or the first 4 bytes of the 12-byte IV (TLS 1.3); iv is the rest, or for
 * TLS 1.2 any unique explicit nonce, so the sequence number.
 */
static void fill_aes(unsigned char *key, unsigned char *salt,
		     unsigned char *iv, unsigned char *rec_seq,
		     const unsigned char *wkey, int keysz,
		     const unsigned char *wiv, unsigned int version,
		     const unsigned char *seq)
{
	memcpy(key, wkey, keysz);
	memcpy(salt, wiv, 4);
	if (version == KTLS_TLS_1_3)
		memcpy(iv, wiv + 4, 8);
	else
		memcpy(iv, seq, 8);
	memcpy(rec_seq, seq, 8);
}

/* Fill @ci for one direction; returns its size or a negative errno. */
static int fill_info(struct ktls_session *s, int dir, union crypto_info *ci)
{
	WOLFSSL *ssl = s->ssl;
	bool client = wolfSSL_GetSide(ssl) == WOLFSSL_CLIENT_END;
	bool ours = (dir == TLS_TX) == client;
	const unsigned char *key, *iv;
	unsigned char seq[8];
	word64 n = 0;
	int keysz, ret;

	key = ours ? wolfSSL_GetClientWriteKey(ssl) :
		     wolfSSL_GetServerWriteKey(ssl);
	iv = ours ? wolfSSL_GetClientWriteIV(ssl) :
		    wolfSSL_GetServerWriteIV(ssl);
	keysz = wolfSSL_GetKeySize(ssl);
	if (!key || !iv || keysz <= 0)
		return -EINVAL;
	/* 1 means "sequence is 0", 0 means "it is not": only < 0 is bad */
	if (dir == TLS_TX)
		ret = wolfSSL_GetSequenceNumber(ssl, &n);
	else
		ret = wolfSSL_GetPeerSequenceNumber(ssl, &n);
	if (ret < 0)
		return -EINVAL;
	if (dir == TLS_RX)
		s->wolf_rx_seq = n;
	put_be64(seq, n);

	memset(ci, 0, sizeof(*ci));
	ci->base.version = s->version == KTLS_TLS_1_3 ? TLS_1_3_VERSION :
							TLS_1_2_VERSION;
	ci->base.cipher_type = s->kcipher;
	switch (s->kcipher) {
	case TLS_CIPHER_AES_GCM_128:
		fill_aes(ci->gcm128.key, ci->gcm128.salt, ci->gcm128.iv,
			 ci->gcm128.rec_seq, key, keysz, iv, s->version, seq);
		ret = sizeof(ci->gcm128);
		break;
	case TLS_CIPHER_AES_GCM_256:
		fill_aes(ci->gcm256.key, ci->gcm256.salt, ci->gcm256.iv,
			 ci->gcm256.rec_seq, key, keysz, iv, s->version, seq);
		ret = sizeof(ci->gcm256);
		break;
	case TLS_CIPHER_AES_CCM_128:
		fill_aes(ci->ccm128.key, ci->ccm128.salt, ci->ccm128.iv,
			 ci->ccm128.rec_seq, key, keysz, iv, s->version, seq);
		ret = sizeof(ci->ccm128);
		break;
	case TLS_CIPHER_CHACHA20_POLY1305:
		memcpy(ci->chacha.key, key, keysz);
		memcpy(ci->chacha.iv, iv, 12);
		memcpy(ci->chacha.rec_seq, seq, 8);
		ret = sizeof(ci->chacha);
		break;
	default:
		ret = -EOPNOTSUPP;
	}
	explicit_bzero(seq, sizeof(seq));
	return ret;
}

static int kernel_cipher_fail(struct ktls_session *s, int err)
{
	const char *name = __ktls_kernel_cipher_name(s->kcipher);

	if (s->kcipher == TLS_CIPHER_CHACHA20_POLY1305)
		return __ktls_fail(s, KTLS_R_KERNEL_CIPHER, -err,
				   "the kernel cannot do %s (needs 5.11 and the chacha20poly1305 module): %s",
				   name, strerror(err));
	return __ktls_fail(s, KTLS_R_KERNEL_CIPHER, -err,
			   "the kernel cannot do %s for %s: %s (is its crypto module available?)",
			   name, __ktls_version_name(s->version),
			   strerror(err));
}

/**
 * __ktls_install() - give the kernel the current keys for one direction
 * @s: session
 * @dir: TLS_TX or TLS_RX
 *
 * Also used for rekeying on 6.14+, where the same call is repeated.
 *
 * Return: 0 or a negative errno (the positive errno is in errno).
 */
int __ktls_install(struct ktls_session *s, int dir)
{
	union crypto_info ci;
	int len, ret;

	len = fill_info(s, dir, &ci);
	if (len < 0)
		return len;
	ret = setsockopt(s->fd, SOL_TLS, dir, &ci, len);
	explicit_bzero(&ci, sizeof(ci));
	return ret ? -errno : 0;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, SOL_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

/*
 * The peer's FIN came with (or right behind) its last handshake flight:
 * the socket is in CLOSE_WAIT and the kernel attaches the tls ULP only to
 * ESTABLISHED sockets, so neither direction can move to the kernel. An
 * application that does no TLS itself (every ktlsd client) would write its
 * data in the clear, and an on-path attacker needs only one injected FIN
 * for that. So unless the caller said it can go on with user-space TLS,
 * fail by name and shut the socket down: no byte may leave it now.
 */
static int peer_closed_early(struct ktls_session *s)
{
	if (s->ctx->cfg.flags & KTLS_F_ALLOW_USERSPACE) {
		/* wolfSSL carries what is left of this connection */
		s->reason = KTLS_R_NONE;
		s->text[0] = '\0';
		s->offloaded = true;
		return 0;
	}
	shutdown(s->fd, SHUT_RDWR);
	return __ktls_fail(s, KTLS_R_PEER_CLOSED_EARLY, -ENOTCONN,
			   "the peer closed its side of the connection right after the handshake, before kernel TLS could take it over (the kernel attaches only to an open connection); the connection was shut down so that nothing is sent in the clear");
}

static int attach_ulp(struct ktls_session *s)
{
	int err;

	if (!setsockopt(s->fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		return 0;
	err = errno;
	switch (err) {
	case ENOENT:
		return __ktls_fail(s, KTLS_R_NO_KERNEL_TLS, -ENOENT,
				   "the kernel has no TLS support: load the tls module (modprobe tls)");
	case ENOTCONN:
		/* the common case is named by ktls_offload() */
		if (tcp_state(s->fd) == TCP_CLOSE_WAIT)
			return -ENOTCONN;
		return __ktls_fail(s, KTLS_R_PEER_CLOSED, -ENOTCONN,
				   "the connection was closed or reset right after the handshake, before kernel TLS could take it over");
	case EOPNOTSUPP:
	case ENOPROTOOPT:
	case ENOTSOCK:
		return __ktls_fail(s, KTLS_R_NOT_TCP, -err,
				   "fd %d is not a TCP socket: kernel TLS needs one",
				   s->fd);
	case EEXIST:
		return __ktls_fail(s, KTLS_R_NOT_TCP, -EEXIST,
				   "the socket already has a TCP upper layer protocol");
	}
	return __ktls_fail(s, KTLS_R_IO, -err,
			   "attaching the tls upper layer failed: %s",
			   strerror(err));
}

/* Whatever wolfSSL decrypted beyond the handshake is handed out first. */
static int drain_pending(struct ktls_session *s)
{
	int n;

	while ((n = wolfSSL_pending(s->ssl)) > 0) {
		unsigned char *p = realloc(s->pend, s->pend_len + n);

		if (!p)
			return -ENOMEM;
		s->pend = p;
		n = wolfSSL_read(s->ssl, p + s->pend_len, n);
		if (n <= 0)
			return -EIO;
		s->pend_len += n;
	}
	return 0;
}

/**
 * ktls_offload() - hand both directions of a finished handshake to the kernel
 * @s: session whose handshake_step returned 0
 *
 * On success both directions are carried by the kernel, with one
 * exception: when the peer closed its side before the tls ULP could attach
 * and the context has KTLS_F_ALLOW_USERSPACE, wolfSSL keeps carrying the
 * session (ktls_get_info() then reports KTLS_CARRIER_USER, and only
 * ktls_send()/ktls_recv() may move data). Without that flag the same case
 * fails with KTLS_R_PEER_CLOSED_EARLY and the socket is shut down.
 *
 * Return: 0 or a negative errno (see ktls_reason()).
 */
KTLS_EXPORT int ktls_offload(struct ktls_session *s)
{
	const char *name;
	int ret, one = 1;

	if (!s->done)
		return -EINVAL;
	if (s->offloaded)
		return 0;
	s->version = wolfSSL_version(s->ssl) == TLS1_3_VERSION ?
		     KTLS_TLS_1_3 : KTLS_TLS_1_2;
	if (__ktls_kernel_cipher(s->ssl, &s->kcipher)) {
		name = wolfSSL_get_cipher_name(s->ssl);
		return __ktls_fail(s, KTLS_R_CIPHER_NOT_OFFLOADABLE,
				   -EOPNOTSUPP,
				   "negotiated %s, which kernel TLS cannot carry: leave it out of the cipher list",
				   name ? name : "an unknown suite");
	}
	if (s->rec_hdr_have)
		return __ktls_fail(s, KTLS_R_INTERNAL, -EPROTO,
				   "handshake ended inside a record");
	ret = drain_pending(s);
	if (ret)
		return __ktls_fail(s, KTLS_R_INTERNAL, ret,
				   "could not drain data buffered at the switch");
	s->rekey_limit = s->ctx->cfg.rekey_records ?
			 s->ctx->cfg.rekey_records :
			 ktls_record_limit(s->kcipher);
	ret = attach_ulp(s);
	if (ret == -ENOTCONN && !s->reason)
		return peer_closed_early(s);
	if (ret)
		return ret;
	/*
	 * Nothing is in the kernel yet: a caller may still go on with
	 * wolfSSL (the tls ULP without keys passes records through).
	 */
	ret = __ktls_install(s, TLS_TX);
	if (ret)
		return kernel_cipher_fail(s, -ret);
	s->tx_kernel = true;
	if (s->ctx->cfg.flags & KTLS_F_ZEROCOPY_SENDFILE)
		setsockopt(s->fd, SOL_TLS, TLS_TX_ZEROCOPY_RO, &one,
			   sizeof(one));
	ret = __ktls_install(s, TLS_RX);
	if (ret) {
		/*
		 * TX is in the kernel now and RX can never be: wolfSSL cannot
		 * take the connection back, and nobody could read it. Shut
		 * it down rather than leave it half carried.
		 */
		shutdown(s->fd, SHUT_RDWR);
		return kernel_cipher_fail(s, -ret);
	}
	s->rx_kernel = true;
	/*
	 * TLS 1.3 peers do not pad in practice: told so (Linux 6.0+), the
	 * kernel decrypts a data record straight into the reader's buffer
	 * instead of through a copy. A padded or control record is simply
	 * decrypted again (counted in TlsDecryptRetry); older kernels refuse
	 * the option, which changes nothing.
	 */
	if (s->version == KTLS_TLS_1_3)
		setsockopt(s->fd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
			   sizeof(one));
	s->offloaded = true;
	return 0;
}
