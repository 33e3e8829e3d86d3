// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevsim: virtual Ethernet device pairs with kTLS device offload that
 * does real AES-GCM, for testing tls_device.c without offload hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "tlsdevsim.h"

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs,
		 "Number of device pairs (tds<N>a/tds<N>b) created at load, default 1; more can be added through debugfs new_pair");

unsigned int tds_default_resync_mode = TDS_RESYNC_DRIVER_REQ;
module_param_named(resync_mode, tds_default_resync_mode, uint, 0644);
MODULE_PARM_DESC(resync_mode,
		 "RX resync mode of new devices: 0 driver_req (default), 1 core_next_hint, 2 driver_req_async; per device in debugfs");

static int __init tds_module_init(void)
{
	unsigned int i;
	int err;

	if (tds_default_resync_mode >= TDS_RESYNC_NUM)
		return -EINVAL;

	err = tds_debugfs_init();
	if (err)
		return err;

	for (i = 0; i < pairs; i++) {
		err = tds_pair_create(i);
		if (err)
			goto err_destroy_pairs;
	}
	return 0;

err_destroy_pairs:
	tds_pair_destroy_all();
	tds_debugfs_exit();
	return err;
}

static void __exit tds_module_exit(void)
{
	tds_pair_destroy_all();
	tds_debugfs_exit();
}

module_init(tds_module_init);
module_exit(tds_module_exit);

MODULE_AUTHOR("ktlskit");
MODULE_DESCRIPTION("Virtual NIC pairs with kTLS offload doing real crypto");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: tls");
