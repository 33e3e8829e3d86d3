/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsdevsim: a pair of virtual Ethernet devices with TLS offload that does
 * real crypto, so the kernel's kTLS device path can be tested without
 * offload hardware.
 */
#ifndef _TLSDEVSIM_H
#define _TLSDEVSIM_H

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/ethtool.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/tls.h>

#define TDS_DRV_NAME	"tlsdevsim"

enum tds_resync_mode {
	TDS_RESYNC_DRIVER_REQ,
	TDS_RESYNC_CORE_NEXT_HINT,
	TDS_RESYNC_DRIVER_REQ_ASYNC,
	TDS_RESYNC_NUM,
};

/* Device counters, shown by ethtool -S in this order (see tds_stat_names). */
enum tds_stat {
	TDS_STAT_TX_CTX_ADD,
	TDS_STAT_TX_CTX_DEL,
	TDS_STAT_TX_CTX_REJECT,
	TDS_STAT_TX_TLS_PACKETS,
	TDS_STAT_TX_TLS_BYTES,
	TDS_STAT_TX_TLS_RECORDS,
	TDS_STAT_TX_TLS_ENCRYPT_FAIL,
	TDS_STAT_TX_TLS_RESYNC,
	TDS_STAT_RX_CTX_ADD,
	TDS_STAT_RX_CTX_DEL,
	TDS_STAT_RX_CTX_REJECT,
	TDS_STAT_RX_TLS_PACKETS,
	TDS_STAT_RX_TLS_BYTES,
	TDS_STAT_RX_TLS_RECORDS,
	TDS_STAT_RX_TLS_RECORDS_SPLIT,
	TDS_STAT_RX_TLS_AUTH_FAIL,
	TDS_STAT_RX_TLS_PASSED,
	TDS_STAT_RX_TLS_NOMEM,
	TDS_STAT_RX_TLS_LOST_SYNC,
	TDS_STAT_RX_TLS_RESYNC_REQ,
	TDS_STAT_RX_TLS_RESYNC,
	TDS_STAT_RX_TLS_RESYNC_OK,
	TDS_STAT_RX_TLS_RESYNC_MISS,
	TDS_STAT_TX_DROPPED,
	TDS_STAT_FAULT_DROP,
	TDS_STAT_FAULT_REORDER,
	TDS_STAT_FAULT_CORRUPT,
	TDS_STAT_FAULT_FORCE_RESYNC,
	TDS_STAT_FAULT_ADD_FAIL,
	TDS_STAT_FAULT_DOWN,
	TDS_STAT_NUM,
};

extern const char tds_stat_names[TDS_STAT_NUM][ETH_GSTRING_LEN];

struct tds_dev {
	struct net_device *dev;
	struct net_device __rcu *peer;
	struct dentry *ddir;

	/* Fault injection knobs, written through debugfs. */
	u32 drop_every;
	u32 reorder_every;
	u32 resync_mode;
	atomic_t corrupt_tag;
	atomic_t force_resync;
	atomic_t fail_add;
	atomic64_t xmit_count;

	/* What the peer sent us, received in order by one NAPI context. */
	struct napi_struct napi;
	struct sk_buff_head rxq;

	/* A packet held back by reorder injection, sent after the next one. */
	spinlock_t hold_lock;
	struct sk_buff *held;
	struct delayed_work hold_work;

	/* RX offloaded flows, looked up under RCU from the receive path. */
	spinlock_t flows_lock;
	struct list_head rx_flows;
	atomic_t rx_flow_count;

	atomic64_t stats[TDS_STAT_NUM];
};

static inline void tds_stat_add(struct tds_dev *tds, enum tds_stat s, u64 n)
{
	atomic64_add(n, &tds->stats[s]);
}

static inline void tds_stat_inc(struct tds_dev *tds, enum tds_stat s)
{
	atomic64_inc(&tds->stats[s]);
}

/* main.c */
extern unsigned int tds_default_resync_mode;
extern struct workqueue_struct *tds_wq;

/* netdev.c */
int tds_pair_create(unsigned int id);
void tds_pair_destroy_all(void);
int tds_pair_destroy(unsigned int id);
void tds_dev_bounce(struct tds_dev *tds);

/* tls_tx.c */
extern const struct tlsdev_ops tds_tlsdev_ops;
struct sk_buff *tds_tls_tx(struct tds_dev *tds, struct sk_buff *skb);

/* tls_rx.c */
int tds_rx_flow_add(struct tds_dev *tds, struct sock *sk,
		    struct tls_crypto_info *info, u32 start_seq);
void tds_rx_flow_del(struct tds_dev *tds, struct tls_context *ctx);
int tds_rx_flow_resync(struct tds_dev *tds, struct sock *sk, u32 seq,
		       u8 *rcd_sn);
struct sk_buff *tds_tls_rx(struct tds_dev *tds, struct sk_buff *skb);

/* debugfs.c */
extern struct dentry *tds_debugfs_root;
int tds_debugfs_init(void);
void tds_debugfs_exit(void);
void tds_debugfs_dev_init(struct tds_dev *tds);
void tds_debugfs_dev_exit(struct tds_dev *tds);

#endif /* _TLSDEVSIM_H */
