// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/tlsdevsim/
 *   new_pair             write a number N: create tds<N>a/tds<N>b
 *   del_pair             write a number N: remove that pair
 *   <dev>/drop_every     drop every Nth transmitted packet (0: off)
 *   <dev>/reorder_every  hold every Nth packet back behind the next
 *   <dev>/corrupt_tag    corrupt the tag of the next N records sent
 *   <dev>/force_resync   make the next N received packets lose RX sync
 *   <dev>/fail_add       fail the next N tls_dev_add calls
 *   <dev>/resync_mode    RX resync mode for new flows (0, 1, 2)
 *   <dev>/down           write 1: take the device down and up again
 * Each fault has a counter in ethtool -S.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "tlsdevsim.h"

struct dentry *tds_debugfs_root;

static int tds_parse_uint(const char __user *ubuf, size_t count,
			  unsigned int *val)
{
	char buf[16];

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return kstrtouint(strim(buf), 0, val);
}

static ssize_t tds_new_pair_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned int id;
	int err;

	err = tds_parse_uint(ubuf, count, &id);
	if (!err)
		err = tds_pair_create(id);
	return err ? err : count;
}

static ssize_t tds_del_pair_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned int id;
	int err;

	err = tds_parse_uint(ubuf, count, &id);
	if (!err)
		err = tds_pair_destroy(id);
	return err ? err : count;
}

static ssize_t tds_down_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct tds_dev *tds = file->private_data;
	unsigned int val;
	int err;

	err = tds_parse_uint(ubuf, count, &val);
	if (err)
		return err;
	if (val)
		tds_dev_bounce(tds);
	return count;
}

static const struct file_operations tds_new_pair_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= tds_new_pair_write,
	.llseek	= noop_llseek,
};

static const struct file_operations tds_del_pair_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= tds_del_pair_write,
	.llseek	= noop_llseek,
};

static const struct file_operations tds_down_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= tds_down_write,
	.llseek	= noop_llseek,
};

/**
 * tds_debugfs_dev_init - create a device's fault injection files
 * @tds: the device
 *
 * debugfs failures are not fatal; the device works without its knobs.
 */
void tds_debugfs_dev_init(struct tds_dev *tds)
{
	struct dentry *d;

	tds->resync_mode = READ_ONCE(tds_default_resync_mode);
	d = debugfs_create_dir(netdev_name(tds->dev), tds_debugfs_root);
	tds->ddir = d;
	debugfs_create_u32("drop_every", 0600, d, &tds->drop_every);
	debugfs_create_u32("reorder_every", 0600, d, &tds->reorder_every);
	debugfs_create_u32("resync_mode", 0600, d, &tds->resync_mode);
	debugfs_create_atomic_t("corrupt_tag", 0600, d, &tds->corrupt_tag);
	debugfs_create_atomic_t("force_resync", 0600, d, &tds->force_resync);
	debugfs_create_atomic_t("fail_add", 0600, d, &tds->fail_add);
	debugfs_create_file("down", 0200, d, tds, &tds_down_fops);
}

/**
 * tds_debugfs_dev_exit - remove a device's files, waiting for writers
 * @tds: the device
 */
void tds_debugfs_dev_exit(struct tds_dev *tds)
{
	debugfs_remove_recursive(tds->ddir);
	tds->ddir = NULL;
}

/**
 * tds_debugfs_init - create /sys/kernel/debug/tlsdevsim
 *
 * Return: 0; debugfs errors are ignored as the kernel asks.
 */
int tds_debugfs_init(void)
{
	tds_debugfs_root = debugfs_create_dir(TDS_DRV_NAME, NULL);
	debugfs_create_file("new_pair", 0200, tds_debugfs_root, NULL,
			    &tds_new_pair_fops);
	debugfs_create_file("del_pair", 0200, tds_debugfs_root, NULL,
			    &tds_del_pair_fops);
	return 0;
}

/**
 * tds_debugfs_exit - remove /sys/kernel/debug/tlsdevsim
 */
void tds_debugfs_exit(void)
{
	debugfs_remove_recursive(tds_debugfs_root);
}
