// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdev_ops and the transmit engine. The core hands this device
 * plaintext records (header, explicit nonce, data, room for the tag) in
 * ordinary TCP skbs; they are encrypted here, into a new skb, before the
 * peer sees them. The pages of the original belong to the socket's
 * retransmit queue and to the page cache, so they are never written.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "compat.h"
#include "tlsdevsim.h"

/* Device mode is TLS 1.2 AES-GCM only; the core falls back to software. */
static int tds_check_crypto(struct tls_crypto_info *info)
{
	if (info->version != TLS_1_2_VERSION)
		return -EOPNOTSUPP;
	if (info->cipher_type != TLS_CIPHER_AES_GCM_128 &&
	    info->cipher_type != TLS_CIPHER_AES_GCM_256)
		return -EOPNOTSUPP;
	return 0;
}

static int tds_tls_dev_add(struct net_device *netdev, struct sock *sk,
			   enum tls_offload_ctx_dir direction,
			   struct tls_crypto_info *crypto_info,
			   u32 start_offload_tcp_sn)
{
	struct tds_dev *tds = netdev_priv(netdev);
	bool tx = direction == TLS_OFFLOAD_CTX_DIR_TX;
	int err;

	err = tds_check_crypto(crypto_info);
	if (!err && atomic_add_unless(&tds->fail_add, -1, 0)) {
		tds_stat_inc(tds, TDS_STAT_FAULT_ADD_FAIL);
		err = -ENOSPC;
	}
	if (err) {
		tds_stat_inc(tds, tx ? TDS_STAT_TX_CTX_REJECT :
				       TDS_STAT_RX_CTX_REJECT);
		return err;
	}

	if (tx) {
		/* tls_encrypt_skb() keeps its state in the core's context. */
		tds_stat_inc(tds, TDS_STAT_TX_CTX_ADD);
		return 0;
	}

	err = tds_rx_flow_add(tds, sk, crypto_info, start_offload_tcp_sn);
	if (err) {
		tds_stat_inc(tds, TDS_STAT_RX_CTX_REJECT);
		return err;
	}
	tds_stat_inc(tds, TDS_STAT_RX_CTX_ADD);
	return 0;
}

static void tds_tls_dev_del(struct net_device *netdev,
			    struct tls_context *ctx,
			    enum tls_offload_ctx_dir direction)
{
	struct tds_dev *tds = netdev_priv(netdev);

	if (direction == TLS_OFFLOAD_CTX_DIR_TX) {
		tds_stat_inc(tds, TDS_STAT_TX_CTX_DEL);
		return;
	}
	tds_rx_flow_del(tds, ctx);
	tds_stat_inc(tds, TDS_STAT_RX_CTX_DEL);
}

static int tds_tls_dev_resync(struct net_device *netdev, struct sock *sk,
			      u32 seq, u8 *rcd_sn,
			      enum tls_offload_ctx_dir direction)
{
	struct tds_dev *tds = netdev_priv(netdev);

	if (direction == TLS_OFFLOAD_CTX_DIR_TX) {
		/* tls_encrypt_skb() finds the record itself; nothing to do */
		tds_stat_inc(tds, TDS_STAT_TX_TLS_RESYNC);
		return 0;
	}
	tds_stat_inc(tds, TDS_STAT_RX_TLS_RESYNC);
	return tds_rx_flow_resync(tds, sk, seq, rcd_sn);
}

const struct tlsdev_ops tds_tlsdev_ops = {
	.tls_dev_add	= tds_tls_dev_add,
	.tls_dev_del	= tds_tls_dev_del,
	.tls_dev_resync	= tds_tls_dev_resync,
};

/*
 * Count the records that end in [seq, end) and, if asked to, flip the last
 * byte of one of their tags in the (private, linear) encrypted skb.
 */
static unsigned int tds_tx_records(struct tds_dev *tds, struct sock *sk,
				   struct sk_buff *nskb, u32 seq, u32 end)
{
	struct tls_offload_context_tx *otx =
		tls_offload_ctx_tx(tls_get_ctx(sk));
	unsigned int poff = skb_tcp_all_headers(nskb);
	struct tls_record_info *rec;
	unsigned int n = 0;
	unsigned long flags;
	bool corrupt;
	u64 rcd_sn;

	corrupt = atomic_read(&tds->corrupt_tag) > 0;

	spin_lock_irqsave(&otx->lock, flags);
	rec = tls_get_record(otx, end - 1, &rcd_sn);
	for (; rec && &rec->list != &otx->records_list;
	     rec = list_prev_entry(rec, list)) {
		if (tls_record_is_start_marker(rec) || !after(rec->end_seq, seq))
			break;
		if (after(rec->end_seq, end))
			continue;
		n++;
		if (corrupt && atomic_add_unless(&tds->corrupt_tag, -1, 0)) {
			nskb->data[poff + rec->end_seq - 1 - seq] ^= 0x5a;
			tds_stat_inc(tds, TDS_STAT_FAULT_CORRUPT);
			corrupt = false;
		}
	}
	spin_unlock_irqrestore(&otx->lock, flags);
	return n;
}

/**
 * tds_tls_tx - encrypt an skb of a connection offloaded to this device
 * @tds: the transmitting device
 * @skb: the packet, consumed
 *
 * Return: the packet to send (@skb itself if it needs no work), or NULL
 * if it was dropped.
 */
struct sk_buff *tds_tls_tx(struct tds_dev *tds, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct sk_buff *nskb;
	unsigned int plen;
	u32 seq;

	if (!tds_skb_tx_offloaded(skb) ||
	    rcu_access_pointer(tls_get_ctx(sk)->netdev) != tds->dev)
		return skb;

	plen = skb->len - skb_tcp_all_headers(skb);
	if (!plen)
		return skb;
	seq = ntohl(tcp_hdr(skb)->seq);

	/* keep sk: tls_encrypt_skb() moves the owner over to the new skb */
	nskb = tls_encrypt_skb(skb);
	if (!nskb) {
		tds_stat_inc(tds, TDS_STAT_TX_TLS_ENCRYPT_FAIL);
		return NULL;
	}
	if (nskb->sk == sk && !skb_cloned(nskb) && !skb_is_nonlinear(nskb))
		tds_stat_add(tds, TDS_STAT_TX_TLS_RECORDS,
			     tds_tx_records(tds, sk, nskb, seq, seq + plen));

	tds_stat_inc(tds, TDS_STAT_TX_TLS_PACKETS);
	tds_stat_add(tds, TDS_STAT_TX_TLS_BYTES, plen);
	return nskb;
}
