// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether an interface can offload TLS and whether that is switched on:
 * the feature bits "tls-hw-tx-offload" and "tls-hw-rx-offload" through the
 * ethtool ioctl (what `ethtool -k` shows). Their bit numbers differ between
 * kernels, so look them up by name.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stat.h"

static const char * const tls_feature[2] = {
	"tls-hw-tx-offload", "tls-hw-rx-offload"
};

static int ethtool_ioctl(int fd, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
}

/* Bit numbers of the two TLS features, -1 when the kernel has none. */
static int feature_bits(int fd, const char *ifname, int bit[2],
			unsigned int *count)
{
	struct ethtool_sset_info *si;
	struct ethtool_gstrings *gs;
	unsigned int i, d;
	int ret;

	si = calloc(1, sizeof(*si) + sizeof(__u32));
	if (!si)
		return -ENOMEM;
	si->cmd = ETHTOOL_GSSET_INFO;
	si->sset_mask = 1ULL << ETH_SS_FEATURES;
	ret = ethtool_ioctl(fd, ifname, si);
	*count = si->sset_mask ? si->data[0] : 0;
	free(si);
	if (ret)
		return ret;

	gs = calloc(1, sizeof(*gs) + *count * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = *count;
	ret = ethtool_ioctl(fd, ifname, gs);
	bit[0] = bit[1] = -1;
	for (i = 0; !ret && i < gs->len; i++)
		for (d = 0; d < 2; d++)
			if (!strncmp((char *)gs->data + i * ETH_GSTRING_LEN,
				     tls_feature[d], ETH_GSTRING_LEN))
				bit[d] = i;
	free(gs);
	return ret;
}

/**
 * stat_tls_features() - TLS offload abilities of one interface
 * @ifname: interface in this network namespace
 * @available: per direction (0 TX, 1 RX), the device can offload
 * @active: per direction, the offload is switched on
 *
 * Return: 0, or a negative errno (-EOPNOTSUPP: no TLS features known).
 */
int stat_tls_features(const char *ifname, bool available[2], bool active[2])
{
	struct ethtool_gfeatures *gf;
	unsigned int count, blocks, d;
	int fd, bit[2], ret;

	available[0] = available[1] = active[0] = active[1] = false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = feature_bits(fd, ifname, bit, &count);
	if (ret)
		goto out;
	if (bit[0] < 0 && bit[1] < 0) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	blocks = (count + 31) / 32;
	gf = calloc(1, sizeof(*gf) + blocks * sizeof(gf->features[0]));
	if (!gf) {
		ret = -ENOMEM;
		goto out;
	}
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = blocks;
	ret = ethtool_ioctl(fd, ifname, gf);
	for (d = 0; !ret && d < 2; d++) {
		__u32 mask;

		if (bit[d] < 0)
			continue;
		mask = 1u << (bit[d] % 32);
		available[d] = gf->features[bit[d] / 32].available & mask;
		active[d] = gf->features[bit[d] / 32].active & mask;
	}
	free(gf);
out:
	close(fd);
	return ret;
}
