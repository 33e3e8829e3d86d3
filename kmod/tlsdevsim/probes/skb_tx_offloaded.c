// SPDX-License-Identifier: GPL-2.0
/* 6.5+: tls_is_skb_tx_device_offloaded() replaced the sk variant. */
#include <linux/skbuff.h>
#include <net/tls.h>

bool tds_probe(const struct sk_buff *skb);
bool tds_probe(const struct sk_buff *skb)
{
	return tls_is_skb_tx_device_offloaded(skb);
}
