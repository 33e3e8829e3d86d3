// SPDX-License-Identifier: GPL-2.0
/* 6.12+: NETIF_F_LLTX became the dev->lltx flag. */
#include <linux/netdevice.h>

void tds_probe(struct net_device *dev);
void tds_probe(struct net_device *dev)
{
	dev->lltx = true;
}
