// SPDX-License-Identifier: GPL-2.0
/*
 * The device pair: what one end transmits, the other end receives, like
 * veth. The TLS work happens in tds_tls_tx() on transmit and in the
 * receiving end's rx_handler, so a capture on either end of the "wire"
 * (tcpdump on the receiving device) shows what really crossed it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "compat.h"
#include "tlsdevsim.h"

#define TDS_FEATURES	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE | \
			 NETIF_F_HW_TLS_TX | NETIF_F_HW_TLS_RX)

struct tds_pair {
	struct list_head list;
	unsigned int id;
	struct net_device *a;
	struct net_device *b;
};

static LIST_HEAD(tds_pairs);
static DEFINE_MUTEX(tds_pairs_lock);

const char tds_stat_names[TDS_STAT_NUM][ETH_GSTRING_LEN] = {
	[TDS_STAT_TX_CTX_ADD]		= "tx_tls_ctx_add",
	[TDS_STAT_TX_CTX_DEL]		= "tx_tls_ctx_del",
	[TDS_STAT_TX_CTX_REJECT]	= "tx_tls_ctx_reject",
	[TDS_STAT_TX_TLS_PACKETS]	= "tx_tls_encrypted_packets",
	[TDS_STAT_TX_TLS_BYTES]		= "tx_tls_encrypted_bytes",
	[TDS_STAT_TX_TLS_RECORDS]	= "tx_tls_encrypted_records",
	[TDS_STAT_TX_TLS_ENCRYPT_FAIL]	= "tx_tls_encrypt_fail",
	[TDS_STAT_TX_TLS_RESYNC]	= "tx_tls_resync",
	[TDS_STAT_RX_CTX_ADD]		= "rx_tls_ctx_add",
	[TDS_STAT_RX_CTX_DEL]		= "rx_tls_ctx_del",
	[TDS_STAT_RX_CTX_REJECT]	= "rx_tls_ctx_reject",
	[TDS_STAT_RX_TLS_PACKETS]	= "rx_tls_decrypted_packets",
	[TDS_STAT_RX_TLS_BYTES]		= "rx_tls_decrypted_bytes",
	[TDS_STAT_RX_TLS_RECORDS]	= "rx_tls_decrypted_records",
	[TDS_STAT_RX_TLS_RECORDS_SPLIT]	= "rx_tls_decrypted_split_records",
	[TDS_STAT_RX_TLS_AUTH_FAIL]	= "rx_tls_auth_fail",
	[TDS_STAT_RX_TLS_PASSED]	= "rx_tls_passed_encrypted",
	[TDS_STAT_RX_TLS_NOMEM]		= "rx_tls_nomem",
	[TDS_STAT_RX_TLS_LOST_SYNC]	= "rx_tls_lost_sync",
	[TDS_STAT_RX_TLS_RESYNC_REQ]	= "rx_tls_resync_req",
	[TDS_STAT_RX_TLS_RESYNC]	= "rx_tls_resync",
	[TDS_STAT_RX_TLS_RESYNC_OK]	= "rx_tls_resync_ok",
	[TDS_STAT_RX_TLS_RESYNC_MISS]	= "rx_tls_resync_miss",
	[TDS_STAT_TX_DROPPED]		= "tx_dropped_no_peer",
	[TDS_STAT_FAULT_DROP]		= "fault_drop",
	[TDS_STAT_FAULT_REORDER]	= "fault_reorder",
	[TDS_STAT_FAULT_CORRUPT]	= "fault_corrupt_tag",
	[TDS_STAT_FAULT_FORCE_RESYNC]	= "fault_force_resync",
	[TDS_STAT_FAULT_ADD_FAIL]	= "fault_add_fail",
	[TDS_STAT_FAULT_DOWN]		= "fault_down",
};

#define TDS_RXQ_MAX	1024

/*
 * Hand a packet to the peer. One queue and one NAPI context per receiving
 * end keep the order a NIC keeps; netif_rx() would spread a flow over the
 * backlogs of whichever CPUs happened to transmit.
 */
static void tds_deliver(struct tds_dev *tds, struct sk_buff *skb)
{
	struct net_device *peer;
	struct tds_dev *ptds;
	unsigned int len;

	rcu_read_lock();
	peer = rcu_dereference(tds->peer);
	if (unlikely(!peer || !netif_running(peer)))
		goto drop;
	ptds = netdev_priv(peer);
	if (skb_queue_len(&ptds->rxq) >= TDS_RXQ_MAX)
		goto drop;

	len = skb->len;
	if (__dev_forward_skb(peer, skb)) {
		/* already freed */
		tds_stat_inc(tds, TDS_STAT_TX_DROPPED);
		rcu_read_unlock();
		return;
	}
	skb_queue_tail(&ptds->rxq, skb);
	napi_schedule(&ptds->napi);
	dev_sw_netstats_tx_add(tds->dev, 1, len);
	rcu_read_unlock();
	return;

drop:
	rcu_read_unlock();
	tds_stat_inc(tds, TDS_STAT_TX_DROPPED);
	kfree_skb(skb);
}

static int tds_poll(struct napi_struct *napi, int budget)
{
	struct tds_dev *tds = container_of(napi, struct tds_dev, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&tds->rxq))) {
		dev_sw_netstats_rx_add(tds->dev, skb->len + ETH_HLEN);
		netif_receive_skb(skb);
		done++;
	}
	if (done < budget && napi_complete_done(napi, done) &&
	    !skb_queue_empty(&tds->rxq))
		napi_schedule(napi);
	return done;
}

static void tds_hold_flush(struct tds_dev *tds)
{
	struct sk_buff *skb;

	spin_lock_bh(&tds->hold_lock);
	skb = tds->held;
	tds->held = NULL;
	spin_unlock_bh(&tds->hold_lock);

	if (skb)
		tds_deliver(tds, skb);
}

/* A held packet that no later packet overtook still has to go out. */
static void tds_hold_work(struct work_struct *work)
{
	struct tds_dev *tds = container_of(to_delayed_work(work),
					   struct tds_dev, hold_work);

	local_bh_disable();
	tds_hold_flush(tds);
	local_bh_enable();
}

/* Returns true if the packet was held back to be sent after the next. */
static bool tds_fault_reorder(struct tds_dev *tds, struct sk_buff *skb,
			      u64 n)
{
	u32 every = READ_ONCE(tds->reorder_every);
	bool held = false;

	if (!every || n % every)
		return false;

	spin_lock(&tds->hold_lock);
	if (!tds->held) {
		tds->held = skb;
		held = true;
	}
	spin_unlock(&tds->hold_lock);

	if (held) {
		tds_stat_inc(tds, TDS_STAT_FAULT_REORDER);
		schedule_delayed_work(&tds->hold_work, 1);
	}
	return held;
}

static netdev_tx_t tds_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);
	u32 drop_every = READ_ONCE(tds->drop_every);
	u64 n = atomic64_inc_return(&tds->xmit_count);

	if (drop_every && !(n % drop_every)) {
		tds_stat_inc(tds, TDS_STAT_FAULT_DROP);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	skb = tds_tls_tx(tds, skb);
	if (!skb)
		return NETDEV_TX_OK;

	/* What leaves a NIC is never plaintext under a decrypted mark. */
	tds_skb_set_decrypted(skb, false);
	skb_tx_timestamp(skb);
	skb_orphan(skb);

	if (tds_fault_reorder(tds, skb, n))
		return NETDEV_TX_OK;

	tds_deliver(tds, skb);
	tds_hold_flush(tds);
	return NETDEV_TX_OK;
}

static rx_handler_result_t tds_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct tds_dev *tds = rcu_dereference(skb->dev->rx_handler_data);

	if (!atomic_read(&tds->rx_flow_count))
		return RX_HANDLER_PASS;

	*pskb = tds_tls_rx(tds, skb);
	return RX_HANDLER_PASS;
}

static int tds_open(struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(tds->peer);

	napi_enable(&tds->napi);
	if (peer && netif_running(peer)) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int tds_stop(struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(tds->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	napi_disable(&tds->napi);
	skb_queue_purge(&tds->rxq);
	return 0;
}

static int tds_init(struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	netif_napi_add(dev, &tds->napi, tds_poll);
	return 0;
}

static void tds_uninit(struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);

	cancel_delayed_work_sync(&tds->hold_work);
	kfree_skb(tds->held);
	tds->held = NULL;
	netif_napi_del(&tds->napi);
	skb_queue_purge(&tds->rxq);
	free_percpu(dev->tstats);
}

static void tds_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *stats)
{
	struct tds_dev *tds = netdev_priv(dev);

	dev_fetch_sw_netstats(stats, dev->tstats);
	stats->tx_dropped = atomic64_read(&tds->stats[TDS_STAT_TX_DROPPED]) +
		atomic64_read(&tds->stats[TDS_STAT_FAULT_DROP]);
}

static const struct net_device_ops tds_netdev_ops = {
	.ndo_init		= tds_init,
	.ndo_uninit		= tds_uninit,
	.ndo_open		= tds_open,
	.ndo_stop		= tds_stop,
	.ndo_start_xmit		= tds_xmit,
	.ndo_get_stats64	= tds_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void tds_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	strscpy(info->driver, TDS_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, "virtual", sizeof(info->bus_info));
}

static int tds_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? TDS_STAT_NUM : -EOPNOTSUPP;
}

static void tds_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset == ETH_SS_STATS)
		memcpy(buf, tds_stat_names, sizeof(tds_stat_names));
}

static void tds_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct tds_dev *tds = netdev_priv(dev);
	int i;

	for (i = 0; i < TDS_STAT_NUM; i++)
		data[i] = atomic64_read(&tds->stats[i]);
}

static const struct ethtool_ops tds_ethtool_ops = {
	.get_drvinfo		= tds_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= tds_get_sset_count,
	.get_strings		= tds_get_strings,
	.get_ethtool_stats	= tds_get_ethtool_stats,
};

static void tds_setup(struct net_device *dev)
{
	struct tds_dev *tds = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &tds_netdev_ops;
	dev->ethtool_ops = &tds_ethtool_ops;
	dev->tlsdev_ops = &tds_tlsdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->features |= TDS_FEATURES;
	dev->hw_features |= TDS_FEATURES;
	tds_set_lltx(dev);
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(dev);

	tds->dev = dev;
	skb_queue_head_init(&tds->rxq);
	spin_lock_init(&tds->hold_lock);
	INIT_DELAYED_WORK(&tds->hold_work, tds_hold_work);
	spin_lock_init(&tds->flows_lock);
	INIT_LIST_HEAD(&tds->rx_flows);
	atomic_set(&tds->rx_flow_count, 0);
}

static struct net_device *tds_dev_alloc(unsigned int id, char end)
{
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "tds%u%c", id, end);
	return alloc_netdev(sizeof(struct tds_dev), name, NET_NAME_PREDICTABLE,
			    tds_setup);
}

static int tds_dev_register(struct net_device *dev)
{
	int err;

	err = register_netdevice(dev);
	if (err)
		return err;

	err = netdev_rx_handler_register(dev, tds_rx_handler,
					 netdev_priv(dev));
	if (err)
		goto err_unregister;
	netif_carrier_off(dev);
	return 0;

err_unregister:
	/* the caller frees it, as after a failed register_netdevice() */
	dev->needs_free_netdev = false;
	unregister_netdevice(dev);
	return err;
}

static void tds_dev_unregister(struct net_device *dev)
{
	netdev_rx_handler_unregister(dev);
	unregister_netdevice(dev);
}

/**
 * tds_pair_create - create the device pair tds<id>a / tds<id>b
 * @id: pair number, unique
 *
 * Return: 0 or negative errno.
 */
int tds_pair_create(unsigned int id)
{
	struct tds_dev *ta, *tb;
	struct tds_pair *pair;
	int err;

	mutex_lock(&tds_pairs_lock);
	list_for_each_entry(pair, &tds_pairs, list) {
		if (pair->id == id) {
			err = -EEXIST;
			goto err_unlock;
		}
	}

	pair = kzalloc(sizeof(*pair), GFP_KERNEL);
	if (!pair) {
		err = -ENOMEM;
		goto err_unlock;
	}
	pair->id = id;

	pair->a = tds_dev_alloc(id, 'a');
	if (!pair->a) {
		err = -ENOMEM;
		goto err_free_pair;
	}
	pair->b = tds_dev_alloc(id, 'b');
	if (!pair->b) {
		err = -ENOMEM;
		goto err_free_a;
	}
	ta = netdev_priv(pair->a);
	tb = netdev_priv(pair->b);

	rtnl_lock();
	err = tds_dev_register(pair->a);
	if (err)
		goto err_rtnl_unlock;
	err = tds_dev_register(pair->b);
	if (err)
		goto err_unregister_a;
	rcu_assign_pointer(ta->peer, pair->b);
	rcu_assign_pointer(tb->peer, pair->a);
	rtnl_unlock();

	tds_debugfs_dev_init(ta);
	tds_debugfs_dev_init(tb);
	list_add_tail(&pair->list, &tds_pairs);
	mutex_unlock(&tds_pairs_lock);
	return 0;

err_unregister_a:
	/* needs_free_netdev: unregistering frees it */
	tds_dev_unregister(pair->a);
	pair->a = NULL;
err_rtnl_unlock:
	rtnl_unlock();
	free_netdev(pair->b);
err_free_a:
	if (pair->a)
		free_netdev(pair->a);
err_free_pair:
	kfree(pair);
err_unlock:
	mutex_unlock(&tds_pairs_lock);
	return err;
}

/* Called with tds_pairs_lock held. */
static void tds_pair_free(struct tds_pair *pair)
{
	struct tds_dev *ta = netdev_priv(pair->a);
	struct tds_dev *tb = netdev_priv(pair->b);

	/* debugfs writers may take rtnl_lock: remove their files first. */
	tds_debugfs_dev_exit(ta);
	tds_debugfs_dev_exit(tb);

	rtnl_lock();
	RCU_INIT_POINTER(ta->peer, NULL);
	RCU_INIT_POINTER(tb->peer, NULL);
	tds_dev_unregister(pair->a);
	tds_dev_unregister(pair->b);
	rtnl_unlock();

	list_del(&pair->list);
	kfree(pair);
}

/**
 * tds_pair_destroy - remove one device pair
 * @id: pair number
 *
 * Return: 0 or -ENOENT.
 */
int tds_pair_destroy(unsigned int id)
{
	struct tds_pair *pair;
	int err = -ENOENT;

	mutex_lock(&tds_pairs_lock);
	list_for_each_entry(pair, &tds_pairs, list) {
		if (pair->id == id) {
			tds_pair_free(pair);
			err = 0;
			break;
		}
	}
	mutex_unlock(&tds_pairs_lock);
	return err;
}

/**
 * tds_pair_destroy_all - remove every device pair, at module exit
 */
void tds_pair_destroy_all(void)
{
	struct tds_pair *pair, *tmp;

	mutex_lock(&tds_pairs_lock);
	list_for_each_entry_safe(pair, tmp, &tds_pairs, list)
		tds_pair_free(pair);
	mutex_unlock(&tds_pairs_lock);
}

/**
 * tds_dev_bounce - take the device down and up again
 * @tds: the device
 *
 * The kTLS core tears down every offloaded connection on NETDEV_DOWN and
 * moves it to software, which is what a NIC reset does to live flows.
 */
void tds_dev_bounce(struct tds_dev *tds)
{
	rtnl_lock();
	if (netif_running(tds->dev)) {
		dev_close(tds->dev);
		dev_open(tds->dev, NULL);
	}
	rtnl_unlock();
	tds_stat_inc(tds, TDS_STAT_FAULT_DOWN);
}
