// SPDX-License-Identifier: GPL-2.0
/*
 * The receive engine. Per offloaded flow it follows TLS record boundaries
 * across TCP segments and decrypts what it can prove:
 *
 * - a record wholly inside one packet: AEAD decrypt and tag check in place
 *   on a private copy of the packet;
 * - a record spread over packets: each part is decrypted with AES-CTR as it
 *   passes (as a NIC does) and kept; the tag is checked over the whole
 *   record when its last part arrives, and that part stays encrypted if
 *   the check fails, so the core sees a mixed record, re-encrypts it and
 *   reports the error itself.
 *
 * A packet is marked decrypted only if every ciphertext byte in it was
 * decrypted; otherwise it passes unmodified. Out of order or lost data
 * drops the flow out of sync: it then looks for something like a record
 * header, follows record lengths from there, and asks the core to confirm
 * the record number (the resync modes of tls_offload_sync_type).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/gcm.h>
#include <crypto/skcipher.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "compat.h"
#include "tlsdevsim.h"

#define TDS_NONCE_SIZE		8	/* TLS 1.2 AES-GCM explicit nonce */
#define TDS_TAG_SIZE		16
#define TDS_SALT_SIZE		4
#define TDS_PREFIX		(TLS_HEADER_SIZE + TDS_NONCE_SIZE)
#define TDS_AAD_SIZE		13
/* TLS 1.2 allows 2^14 + 2048 bytes of ciphertext per record. */
#define TDS_MAX_BODY		(16384 + 2048)
#define TDS_MIN_BODY		(TDS_NONCE_SIZE + TDS_TAG_SIZE)
#define TDS_HIST		128
#define TDS_TYPE_APPDATA	23

struct tds_rec_start {
	u32 seq;
	u64 idx;
};

struct tds_rx_flow {
	struct list_head list;
	struct rcu_work free_work;
	spinlock_t lock;	/* the receive path against resync and del */
	bool dead;

	/* the connection, as seen by packets arriving from the peer */
	struct sock *sk;
	struct tls_context *tls_ctx;
	bool ipv6;
	__be32 saddr4, daddr4;
	struct in6_addr saddr6, daddr6;
	__be16 sport, dport;
	enum tds_resync_mode mode;

	struct crypto_aead *aead;
	struct aead_request *aead_req;
	struct crypto_sync_skcipher *ctr;
	u8 salt[TDS_SALT_SIZE];
	struct tls_offload_resync_async async;

	/* position in the byte stream */
	u32 next_seq;		/* next TCP sequence number expected */
	bool synced;		/* record boundaries known */
	bool sn_known;		/* and the record number too */
	u64 sn;			/* record number of the current record */

	/* the current record */
	u32 rec_seq;		/* TCP sequence of its first byte */
	u32 rec_len;		/* header included, valid once have >= 5 */
	u32 rec_have;		/* bytes of it seen so far */
	bool rec_dec;		/* every part so far was decrypted */
	u8 hdr[TDS_PREFIX];
	u8 *body;		/* nonce excluded: ciphertext and tag */

	/* record starts seen since sync was (re)gained, for resync */
	u64 rec_idx;
	struct tds_rec_start hist[TDS_HIST];
	unsigned int hist_n;
	u32 cand_seq;		/* the guessed record start awaiting proof */
	bool async_pending;

	/* a resync point the core gave for data not yet seen */
	bool pend;
	u32 pend_seq;
	u64 pend_sn;

	u8 scratch[16];
	u8 aad[TDS_AAD_SIZE];
};

/* One received packet being worked on. */
struct tds_rx_seg {
	struct sk_buff *skb;	/* as received, never written */
	struct sk_buff *copy;	/* private linear copy, made on demand */
	unsigned int poff;	/* TCP payload offset from skb->data */
	u32 seq;
	u32 len;
	bool fail;		/* some ciphertext in it stays encrypted */
	bool any;		/* something in the copy was decrypted */
	unsigned int records;
	unsigned int split;
};

static struct tds_rx_flow *tds_flow_of(struct tls_context *ctx)
{
	return *(struct tds_rx_flow **)__tls_driver_ctx(ctx,
							TLS_OFFLOAD_CTX_DIR_RX);
}

static void tds_flow_free(struct tds_rx_flow *f)
{
	/* the last record decrypted, in the clear */
	kfree_sensitive(f->body);
	aead_request_free(f->aead_req);
	if (!IS_ERR_OR_NULL(f->aead))
		crypto_free_aead(f->aead);
	if (!IS_ERR_OR_NULL(f->ctr))
		crypto_free_sync_skcipher(f->ctr);
	kfree_sensitive(f);
}

static void tds_flow_free_work(struct work_struct *work)
{
	tds_flow_free(container_of(to_rcu_work(work), struct tds_rx_flow,
				   free_work));
}

static int tds_flow_crypto(struct tds_rx_flow *f, struct tls_crypto_info *info)
{
	const u8 *key, *salt;
	unsigned int keylen;
	int err;

	if (info->cipher_type == TLS_CIPHER_AES_GCM_128) {
		struct tls12_crypto_info_aes_gcm_128 *c = (void *)info;

		key = c->key;
		keylen = sizeof(c->key);
		salt = c->salt;
		f->sn = be64_to_cpup((__be64 *)c->rec_seq);
	} else {
		struct tls12_crypto_info_aes_gcm_256 *c = (void *)info;

		key = c->key;
		keylen = sizeof(c->key);
		salt = c->salt;
		f->sn = be64_to_cpup((__be64 *)c->rec_seq);
	}
	memcpy(f->salt, salt, TDS_SALT_SIZE);

	/* synchronous implementations only: this runs in softirq context */
	f->aead = crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(f->aead))
		return PTR_ERR(f->aead);
	err = crypto_aead_setkey(f->aead, key, keylen);
	if (err)
		return err;
	err = crypto_aead_setauthsize(f->aead, TDS_TAG_SIZE);
	if (err)
		return err;
	f->aead_req = aead_request_alloc(f->aead, GFP_KERNEL);
	if (!f->aead_req)
		return -ENOMEM;

	f->ctr = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(f->ctr))
		return PTR_ERR(f->ctr);
	return crypto_sync_skcipher_setkey(f->ctr, key, keylen);
}

/* The addresses and ports packets from the peer carry. */
static void tds_flow_addrs(struct tds_rx_flow *f, struct sock *sk)
{
	f->sport = inet_sk(sk)->inet_dport;
	f->dport = inet_sk(sk)->inet_sport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		f->ipv6 = true;
		f->saddr6 = sk->sk_v6_daddr;
		f->daddr6 = sk->sk_v6_rcv_saddr;
		return;
	}
#endif
	f->saddr4 = inet_sk(sk)->inet_daddr;
	f->daddr4 = inet_sk(sk)->inet_rcv_saddr;
}

/**
 * tds_rx_flow_add - start RX offload for a connection
 * @tds: the receiving device
 * @sk: the socket
 * @info: TLS 1.2 AES-GCM keys, already checked
 * @start_seq: TCP sequence number of the first record to decrypt
 *
 * Return: 0 or negative errno.
 */
int tds_rx_flow_add(struct tds_dev *tds, struct sock *sk,
		    struct tls_crypto_info *info, u32 start_seq)
{
	struct tls_context *ctx = tls_get_ctx(sk);
	struct tds_rx_flow *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	INIT_RCU_WORK(&f->free_work, tds_flow_free_work);

	f->body = kmalloc(TDS_MAX_BODY, GFP_KERNEL);
	if (!f->body) {
		err = -ENOMEM;
		goto err_free_flow;
	}
	err = tds_flow_crypto(f, info);
	if (err)
		goto err_free_flow;

	f->sk = sk;
	f->tls_ctx = ctx;
	tds_flow_addrs(f, sk);

	f->mode = READ_ONCE(tds->resync_mode);
	if (f->mode >= TDS_RESYNC_NUM)
		f->mode = TDS_RESYNC_DRIVER_REQ;

	/* The socket option is set at a record boundary: start in sync. */
	f->next_seq = start_seq;
	f->rec_seq = start_seq;
	f->cand_seq = start_seq;
	f->synced = true;
	f->sn_known = true;

	switch (f->mode) {
	case TDS_RESYNC_CORE_NEXT_HINT:
		tls_offload_ctx_rx(ctx)->resync_type =
			TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT;
		break;
	case TDS_RESYNC_DRIVER_REQ_ASYNC:
		tls_offload_ctx_rx(ctx)->resync_type =
			TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC;
		tls_offload_ctx_rx(ctx)->resync_async = &f->async;
		break;
	default:
		tls_offload_ctx_rx(ctx)->resync_type =
			TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ;
		break;
	}
	*(struct tds_rx_flow **)__tls_driver_ctx(ctx,
						 TLS_OFFLOAD_CTX_DIR_RX) = f;

	spin_lock_bh(&tds->flows_lock);
	list_add_tail_rcu(&f->list, &tds->rx_flows);
	atomic_inc(&tds->rx_flow_count);
	spin_unlock_bh(&tds->flows_lock);
	return 0;

err_free_flow:
	tds_flow_free(f);
	return err;
}

/**
 * tds_rx_flow_del - stop RX offload for a connection
 * @tds: the receiving device
 * @ctx: the connection's TLS context
 *
 * After this returns the receive path no longer touches the socket; the
 * memory goes after an RCU grace period.
 */
void tds_rx_flow_del(struct tds_dev *tds, struct tls_context *ctx)
{
	struct tds_rx_flow *f = tds_flow_of(ctx);

	spin_lock_bh(&f->lock);
	f->dead = true;
	spin_unlock_bh(&f->lock);

	spin_lock_bh(&tds->flows_lock);
	list_del_rcu(&f->list);
	atomic_dec(&tds->rx_flow_count);
	spin_unlock_bh(&tds->flows_lock);

	queue_rcu_work(tds_wq, &f->free_work);
}

static void tds_hist_push(struct tds_rx_flow *f, u32 seq)
{
	struct tds_rec_start *h = &f->hist[f->hist_n++ % TDS_HIST];

	h->seq = seq;
	h->idx = f->rec_idx;
}

static void tds_lose_sync(struct tds_dev *tds, struct tds_rx_flow *f)
{
	if (f->synced)
		tds_stat_inc(tds, TDS_STAT_RX_TLS_LOST_SYNC);
	f->synced = false;
	f->sn_known = false;
	f->rec_dec = false;
	f->hist_n = 0;
	if (f->async_pending) {
		tls_offload_rx_resync_async_request_cancel(&f->async);
		f->async_pending = false;
	}
}

/* Start following records at @seq, a record start. */
static void tds_sync_at(struct tds_rx_flow *f, u32 seq)
{
	f->synced = true;
	f->cand_seq = seq;
	f->rec_seq = seq;
	f->rec_have = 0;
	f->rec_dec = false;
	f->rec_idx = 0;
	f->hist_n = 0;
}

/**
 * tds_rx_flow_resync - the core tells which record number starts where
 * @tds: the receiving device
 * @sk: the socket
 * @seq: TCP sequence number (DRIVER_REQ: of the header's last byte)
 * @rcd_sn: big-endian record number
 *
 * Return: 0.
 */
int tds_rx_flow_resync(struct tds_dev *tds, struct sock *sk, u32 seq,
		       u8 *rcd_sn)
{
	struct tds_rx_flow *f = tds_flow_of(tls_get_ctx(sk));
	u64 sn = be64_to_cpup((__be64 *)rcd_sn);
	unsigned int i, n;
	bool found = false;

	if (f->mode == TDS_RESYNC_DRIVER_REQ)
		seq -= TLS_HEADER_SIZE - 1;

	spin_lock_bh(&f->lock);
	if (f->dead)
		goto out;

	if (f->synced && seq == f->cand_seq) {
		/* the guess: rec_idx counts from it */
		f->sn = sn + f->rec_idx;
		found = true;
	} else if (f->synced) {
		n = min_t(unsigned int, f->hist_n, TDS_HIST);
		for (i = 0; i < n; i++) {
			struct tds_rec_start *h = &f->hist[i];

			if (h->seq != seq)
				continue;
			f->sn = sn + (f->rec_idx - h->idx);
			found = true;
			break;
		}
	}

	if (found) {
		if (!f->sn_known)
			tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC_OK);
		f->sn_known = true;
	} else if (!f->sn_known && !before(seq, f->next_seq)) {
		/* not here yet: apply when it arrives */
		f->pend = true;
		f->pend_seq = seq;
		f->pend_sn = sn;
	} else if (!f->sn_known) {
		tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC_MISS);
	}
out:
	spin_unlock_bh(&f->lock);
	return 0;
}

static bool tds_hdr_ok(const u8 *h, u32 *len)
{
	u32 body = get_unaligned_be16(h + 3);

	if (h[0] < 20 || h[0] > 24 || h[1] != 3 || h[2] != 3)
		return false;
	if (body < TDS_MIN_BODY || body > TDS_MAX_BODY)
		return false;
	*len = TLS_HEADER_SIZE + body;
	return true;
}

/*
 * Look for something like a record header in the packet, whose length
 * leads to another one if that is in the packet too. Returns its offset
 * in the payload or -1.
 */
static int tds_scan(struct tds_rx_seg *s)
{
	u8 win[64 + TLS_HEADER_SIZE];
	u32 off, n, i, len;
	u8 h2[TLS_HEADER_SIZE];

	for (off = 0; off + TLS_HEADER_SIZE <= s->len; off += 64) {
		n = min_t(u32, sizeof(win), s->len - off);
		if (skb_copy_bits(s->skb, s->poff + off, win, n))
			return -1;
		for (i = 0; i + TLS_HEADER_SIZE <= n && i < 64; i++) {
			u32 next;

			if (win[i] != TDS_TYPE_APPDATA ||
			    !tds_hdr_ok(win + i, &len))
				continue;
			next = off + i + len;
			if (next + TLS_HEADER_SIZE <= s->len) {
				if (skb_copy_bits(s->skb, s->poff + next, h2,
						  sizeof(h2)) ||
				    !tds_hdr_ok(h2, &len))
					continue;
			}
			return off + i;
		}
	}
	return -1;
}

static u8 *tds_seg_data(struct tds_dev *tds, struct tds_rx_seg *s)
{
	if (!s->copy && !s->fail) {
		s->copy = skb_copy(s->skb, GFP_ATOMIC);
		if (!s->copy) {
			tds_stat_inc(tds, TDS_STAT_RX_TLS_NOMEM);
			s->fail = true;
		}
	}
	return s->copy ? s->copy->data + s->poff : NULL;
}

static void tds_make_aad(struct tds_rx_flow *f)
{
	put_unaligned_be64(f->sn, f->aad);
	memcpy(f->aad + 8, f->hdr, 3);
	put_unaligned_be16(f->rec_len - TDS_PREFIX - TDS_TAG_SIZE,
			   f->aad + 11);
}

/* AEAD decrypt of @len bytes of ciphertext and tag at @buf, in place. */
static int tds_aead(struct tds_rx_flow *f, u8 *buf, u32 len)
{
	struct scatterlist sg[2];
	u8 iv[GCM_AES_IV_SIZE];

	memcpy(iv, f->salt, TDS_SALT_SIZE);
	memcpy(iv + TDS_SALT_SIZE, f->hdr + TLS_HEADER_SIZE, TDS_NONCE_SIZE);
	tds_make_aad(f);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], f->aad, TDS_AAD_SIZE);
	sg_set_buf(&sg[1], buf, len);
	aead_request_set_tfm(f->aead_req, f->aead);
	aead_request_set_callback(f->aead_req, 0, NULL, NULL);
	aead_request_set_crypt(f->aead_req, sg, sg, len, iv);
	aead_request_set_ad(f->aead_req, TDS_AAD_SIZE);
	return crypto_aead_decrypt(f->aead_req);
}

/* AES-CTR over @len ciphertext bytes at @buf, @ctoff into the record's. */
static int tds_ctr(struct tds_rx_flow *f, u8 *buf, u32 len, u32 ctoff)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, f->ctr);
	u32 skip = ctoff % 16;
	struct scatterlist sg[2];
	u8 iv[16];
	int err;

	memcpy(iv, f->salt, TDS_SALT_SIZE);
	memcpy(iv + TDS_SALT_SIZE, f->hdr + TLS_HEADER_SIZE, TDS_NONCE_SIZE);
	/* GCM: counter 1 makes the tag mask, data starts at 2 */
	put_unaligned_be32(2 + ctoff / 16, iv + 12);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], f->scratch, skip ? skip : 1);
	sg_set_buf(&sg[1], buf, len);
	skcipher_request_set_sync_tfm(req, f->ctr);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	if (skip)
		skcipher_request_set_crypt(req, sg, sg, skip + len, iv);
	else
		skcipher_request_set_crypt(req, &sg[1], &sg[1], len, iv);
	err = crypto_skcipher_decrypt(req);
	skcipher_request_zero(req);
	return err;
}

/*
 * Bytes [a, b) of the current record sit at offset @o of the payload.
 * The header bytes are already in f->hdr.
 */
static void tds_rx_part(struct tds_dev *tds, struct tds_rx_flow *f,
			struct tds_rx_seg *s, u32 o, u32 a, u32 b)
{
	u32 ct_end = f->rec_len - TDS_TAG_SIZE;
	u32 ct_lo = max_t(u32, a, TDS_PREFIX);
	u32 ct_hi = min_t(u32, b, ct_end);
	u32 lo = max_t(u32, a, TDS_PREFIX);
	u8 *data;
	int err;

	if (a < TDS_PREFIX && b > TLS_HEADER_SIZE) {
		u32 from = max_t(u32, a, TLS_HEADER_SIZE);
		u32 to = min_t(u32, b, TDS_PREFIX);

		if (skb_copy_bits(s->skb, s->poff + o + (from - a),
				  f->hdr + from, to - from))
			goto fail;
	}

	if (!f->rec_dec)
		goto fail;

	if (a == 0 && b == f->rec_len) {
		data = tds_seg_data(tds, s);
		if (!data)
			goto fail;
		err = tds_aead(f, data + o + TDS_PREFIX,
			       f->rec_len - TDS_PREFIX);
		if (err) {
			tds_stat_inc(tds, TDS_STAT_RX_TLS_AUTH_FAIL);
			goto fail;
		}
		s->any = true;
		s->records++;
		return;
	}

	/* A record over several packets: keep its body for the tag check. */
	if (b > lo && skb_copy_bits(s->skb, s->poff + o + (lo - a),
				    f->body + lo - TDS_PREFIX, b - lo))
		goto fail;

	if (b < f->rec_len) {
		if (ct_hi <= ct_lo)
			return;
		data = tds_seg_data(tds, s);
		if (!data)
			goto fail;
		if (tds_ctr(f, data + o + (ct_lo - a), ct_hi - ct_lo,
			    ct_lo - TDS_PREFIX))
			goto fail;
		s->any = true;
		return;
	}

	/* the last part: check the tag over the whole record */
	err = tds_aead(f, f->body, f->rec_len - TDS_PREFIX);
	if (err) {
		tds_stat_inc(tds, TDS_STAT_RX_TLS_AUTH_FAIL);
		goto fail;
	}
	if (ct_hi > ct_lo) {
		data = tds_seg_data(tds, s);
		if (!data)
			goto fail;
		memcpy(data + o + (ct_lo - a), f->body + ct_lo - TDS_PREFIX,
		       ct_hi - ct_lo);
	}
	s->any = true;
	s->records++;
	s->split++;
	return;

fail:
	f->rec_dec = false;
	/* only ciphertext left encrypted spoils the packet's mark */
	if (ct_hi > ct_lo || b == f->rec_len)
		s->fail = true;
}

/* A new record's header is complete in f->hdr. */
static bool tds_rec_start(struct tds_dev *tds, struct tds_rx_flow *f)
{
	if (!tds_hdr_ok(f->hdr, &f->rec_len))
		return false;

	if (f->pend && f->pend_seq == f->rec_seq) {
		f->sn = f->pend_sn;
		f->pend = false;
		if (!f->sn_known)
			tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC_OK);
		f->sn_known = true;
	}
	tds_hist_push(f, f->rec_seq);

	/* the guess led to a second header: ask the core to confirm it */
	if (f->async_pending && f->rec_seq != f->cand_seq) {
		tds_resync_async_end(f->sk, &f->async, htonl(f->cand_seq));
		f->async_pending = false;
	}

	f->rec_dec = f->sn_known;
	return true;
}

/* Follow (and decrypt) records from payload offset @o to the end. */
static void tds_rx_walk(struct tds_dev *tds, struct tds_rx_flow *f,
			struct tds_rx_seg *s, u32 o)
{
	while (o < s->len) {
		u32 a = f->rec_have, b;

		if (a < TLS_HEADER_SIZE) {
			u32 h = min_t(u32, s->len - o, TLS_HEADER_SIZE - a);

			if (skb_copy_bits(s->skb, s->poff + o, f->hdr + a, h))
				goto lost;
			if (a + h < TLS_HEADER_SIZE) {
				f->rec_have += h;
				return;
			}
			if (!tds_rec_start(tds, f))
				goto lost;
		}

		b = min_t(u32, f->rec_len, a + (s->len - o));
		tds_rx_part(tds, f, s, o, a, b);
		o += b - a;
		f->rec_have = b;
		if (b == f->rec_len) {
			f->rec_seq += f->rec_len;
			f->rec_have = 0;
			f->rec_idx++;
			if (f->sn_known)
				f->sn++;
		}
	}
	return;

lost:
	tds_lose_sync(tds, f);
	s->fail = true;
}

static void tds_rx_request_resync(struct tds_dev *tds, struct tds_rx_flow *f)
{
	switch (f->mode) {
	case TDS_RESYNC_DRIVER_REQ:
		tls_offload_rx_resync_request(f->sk,
					      htonl(f->cand_seq +
						    TLS_HEADER_SIZE - 1));
		break;
	case TDS_RESYNC_DRIVER_REQ_ASYNC:
		tds_resync_async_start(f->sk, &f->async, htonl(f->cand_seq),
				       0);
		f->async_pending = true;
		break;
	default:
		/* CORE_NEXT_HINT: the core sends hints on its own */
		return;
	}
	tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC_REQ);
}

static void tds_rx_segment(struct tds_dev *tds, struct tds_rx_flow *f,
			   struct tds_rx_seg *s)
{
	u32 end = s->seq + s->len;
	int off;

	if (atomic_add_unless(&tds->force_resync, -1, 0)) {
		tds_stat_inc(tds, TDS_STAT_FAULT_FORCE_RESYNC);
		tds_lose_sync(tds, f);
	}

	if (f->synced && s->seq != f->next_seq) {
		/* a retransmission of data already seen changes nothing */
		if (!after(end, f->next_seq)) {
			s->fail = true;
			return;
		}
		tds_lose_sync(tds, f);
	}
	f->next_seq = end;

	if (f->synced) {
		tds_rx_walk(tds, f, s, 0);
		goto out;
	}

	/* out of sync: the bytes before a sync point stay encrypted */
	s->fail = true;
	if (f->pend && !before(f->pend_seq, s->seq) &&
	    before(f->pend_seq, end)) {
		tds_sync_at(f, f->pend_seq);
		tds_rx_walk(tds, f, s, f->pend_seq - s->seq);
		goto out;
	}

	off = tds_scan(s);
	if (off < 0)
		goto out;
	tds_sync_at(f, s->seq + off);
	tds_rx_request_resync(tds, f);
	tds_rx_walk(tds, f, s, off);

out:
	/* a part left encrypted spoils the rest of its record */
	if (s->fail && f->rec_have)
		f->rec_dec = false;
	if (f->pend && before(f->pend_seq, f->next_seq) &&
	    (!f->synced || f->pend_seq != f->rec_seq)) {
		f->pend = false;
		tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC_MISS);
	}
}

static struct tds_rx_flow *tds_flow_find(struct tds_dev *tds,
					 struct sk_buff *skb,
					 struct tds_rx_seg *s)
{
	struct tcphdr _th, *th;
	struct tds_rx_flow *f;
	unsigned int thoff;
	const struct ipv6hdr *ip6 = NULL;
	const struct iphdr *iph = NULL;
	union {
		struct iphdr v4;
		struct ipv6hdr v6;
	} _ip;
	u32 l3len;

	if (skb->protocol == htons(ETH_P_IP)) {
		iph = skb_header_pointer(skb, 0, sizeof(_ip.v4), &_ip.v4);
		if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP ||
		    ip_is_fragment(iph))
			return NULL;
		thoff = iph->ihl * 4;
		l3len = ntohs(iph->tot_len);
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		ip6 = skb_header_pointer(skb, 0, sizeof(_ip.v6), &_ip.v6);
		if (!ip6 || ip6->nexthdr != IPPROTO_TCP)
			return NULL;
		thoff = sizeof(*ip6);
		l3len = thoff + ntohs(ip6->payload_len);
	} else {
		return NULL;
	}

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->doff < 5)
		return NULL;

	/* GSO packets carry the length of one segment in their header */
	if (skb_is_gso(skb) || !l3len || l3len > skb->len)
		l3len = skb->len;
	s->poff = thoff + th->doff * 4;
	if (l3len <= s->poff)
		return NULL;
	s->len = l3len - s->poff;
	s->seq = ntohl(th->seq);

	list_for_each_entry_rcu(f, &tds->rx_flows, list) {
		if (f->ipv6 != !!ip6 || f->sport != th->source ||
		    f->dport != th->dest)
			continue;
		if (ip6) {
			if (ipv6_addr_equal(&f->saddr6, &ip6->saddr) &&
			    ipv6_addr_equal(&f->daddr6, &ip6->daddr))
				return f;
		} else if (f->saddr4 == iph->saddr &&
			   f->daddr4 == iph->daddr) {
			return f;
		}
	}
	return NULL;
}

/**
 * tds_tls_rx - decrypt what can be proven in a received packet
 * @tds: the receiving device
 * @skb: the packet, network header at skb->data
 *
 * Return: @skb unmodified, or a private copy with every record part in it
 * decrypted and skb->decrypted set (then @skb was consumed).
 */
struct sk_buff *tds_tls_rx(struct tds_dev *tds, struct sk_buff *skb)
{
	struct tds_rx_seg s = { .skb = skb };
	struct tds_rx_flow *f;

	f = tds_flow_find(tds, skb, &s);
	if (!f)
		return skb;

	spin_lock(&f->lock);
	if (f->dead) {
		spin_unlock(&f->lock);
		return skb;
	}
	if (!(tds->dev->features & NETIF_F_HW_TLS_RX)) {
		/* switched off: follow nothing, pick up again by resync */
		tds_lose_sync(tds, f);
		f->next_seq = s.seq + s.len;
		s.fail = true;
	} else {
		tds_rx_segment(tds, f, &s);
	}
	spin_unlock(&f->lock);

	if (!s.copy || s.fail || !s.any) {
		kfree_skb(s.copy);
		tds_stat_inc(tds, TDS_STAT_RX_TLS_PASSED);
		return skb;
	}

	tds_skb_set_decrypted(s.copy, true);
	/* the payload changed under any checksum the packet carried */
	if (s.copy->ip_summed != CHECKSUM_PARTIAL)
		s.copy->ip_summed = CHECKSUM_UNNECESSARY;
	tds_stat_inc(tds, TDS_STAT_RX_TLS_PACKETS);
	tds_stat_add(tds, TDS_STAT_RX_TLS_BYTES, s.len);
	tds_stat_add(tds, TDS_STAT_RX_TLS_RECORDS, s.records);
	tds_stat_add(tds, TDS_STAT_RX_TLS_RECORDS_SPLIT, s.split);
	consume_skb(skb);
	return s.copy;
}
