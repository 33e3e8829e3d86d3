/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel API difference tlsdevsim meets, in one place. The
 * TDS_HAVE_* macros come from the compile probes in probes/ (see Kbuild),
 * never from version numbers: Debian backports helpers into 6.1.
 */
#ifndef _TDS_COMPAT_H
#define _TDS_COMPAT_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/tls.h>

#ifndef TDS_HAVE_SKB_DECRYPTED
#error "tlsdevsim needs skb->decrypted (CONFIG_TLS_DEVICE / CONFIG_SKB_DECRYPTED)"
#endif

/* Is this skb from a socket whose TLS TX is offloaded to some device? */
static inline bool tds_skb_tx_offloaded(struct sk_buff *skb)
{
#ifdef TDS_HAVE_SKB_TX_OFFLOADED
	return tls_is_skb_tx_device_offloaded(skb);
#else
	return skb->sk && tls_is_sk_tx_device_offloaded(skb->sk);
#endif
}

static inline void tds_skb_set_decrypted(struct sk_buff *skb, bool val)
{
	skb->decrypted = val;
}

static inline void tds_set_lltx(struct net_device *dev)
{
#ifdef TDS_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void
tds_resync_async_start(struct sock *sk, struct tls_offload_resync_async *a,
		       __be32 seq, u16 len)
{
#ifdef TDS_HAVE_RESYNC_ASYNC_PTR
	tls_offload_rx_resync_async_request_start(a, seq, len);
#else
	tls_offload_rx_resync_async_request_start(sk, seq, len);
#endif
}

static inline void
tds_resync_async_end(struct sock *sk, struct tls_offload_resync_async *a,
		     __be32 seq)
{
#ifdef TDS_HAVE_RESYNC_ASYNC_PTR
	tls_offload_rx_resync_async_request_end(a, seq);
#else
	tls_offload_rx_resync_async_request_end(sk, seq);
#endif
}

#endif /* _TDS_COMPAT_H */
