// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevsim: virtual Ethernet device pairs with kTLS device offload that
 * does real AES-GCM, for testing tls_device.c without offload hardware.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "tlsdevsim.h"

static unsigned int pairs = 1;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs,
		 "Number of device pairs (tds<N>a/tds<N>b) created at load, default 1; more can be added through debugfs new_pair");

unsigned int tds_default_resync_mode = TDS_RESYNC_DRIVER_REQ;
module_param_named(resync_mode, tds_default_resync_mode, uint, 0644);
MODULE_PARM_DESC(resync_mode,
		 "RX resync mode of new devices: 0 driver_req (default), 1 core_next_hint, 2 driver_req_async; per device in debugfs");

/* Frees RX flow state after RCU; drained before the module text goes. */
struct workqueue_struct *tds_wq;

static int __init tds_module_init(void)
{
	unsigned int i;
	int err;

	if (tds_default_resync_mode >= TDS_RESYNC_NUM)
		return -EINVAL;

	tds_wq = alloc_workqueue(TDS_DRV_NAME, 0, 0);
	if (!tds_wq)
		return -ENOMEM;

	err = tds_debugfs_init();
	if (err)
		goto err_destroy_wq;

	for (i = 0; i < pairs; i++) {
		err = tds_pair_create(i);
		if (err)
			goto err_destroy_pairs;
	}
	return 0;

err_destroy_pairs:
	tds_pair_destroy_all();
	tds_debugfs_exit();
err_destroy_wq:
	rcu_barrier();
	destroy_workqueue(tds_wq);
	return err;
}

static void __exit tds_module_exit(void)
{
	tds_pair_destroy_all();
	tds_debugfs_exit();
	/* flows freed by tls_dev_del wait for RCU, then run on tds_wq */
	rcu_barrier();
	destroy_workqueue(tds_wq);
}

module_init(tds_module_init);
module_exit(tds_module_exit);

MODULE_AUTHOR("ktlskit");
MODULE_DESCRIPTION("Virtual NIC pairs with kTLS offload doing real crypto");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: tls");
