// SPDX-License-Identifier: GPL-2.0
/* skb->decrypted exists (CONFIG_TLS_DEVICE <= 6.9, CONFIG_SKB_DECRYPTED). */
#include <linux/skbuff.h>

void tds_probe(struct sk_buff *skb);
void tds_probe(struct sk_buff *skb)
{
	skb->decrypted = 0;
}
