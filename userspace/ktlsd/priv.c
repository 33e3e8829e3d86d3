// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privileges: once the keys are loaded and the socket is bound, run as the
 * configured user with only two capabilities left: CAP_DAC_READ_SEARCH, so
 * a reload (SIGHUP) can read key files only root may read, and
 * CAP_IPC_LOCK, so locked memory is not limited by RLIMIT_MEMLOCK (and
 * with a [kernel] section CAP_NET_ADMIN, which the kernel's handshake
 * requests ask of the agent that accepts and answers them). The
 * process is never dumpable, so neither core files nor ptrace by the same
 * user expose the keys.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktlsd.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* the last one only with [kernel]: ACCEPT and DONE ask for it */
static const unsigned int keep_caps[] = {
	CAP_DAC_READ_SEARCH,
	CAP_IPC_LOCK,
	CAP_NET_ADMIN,
};
static unsigned int nkeep = ARRAY_SIZE(keep_caps) - 1;

static int set_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned int i;

	memset(data, 0, sizeof(data));
	for (i = 0; i < nkeep; i++) {
		unsigned int c = keep_caps[i];

		data[c / 32].effective |= 1u << (c % 32);
		data[c / 32].permitted |= 1u << (c % 32);
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static bool kept(unsigned int cap)
{
	unsigned int i;

	for (i = 0; i < nkeep; i++)
		if (keep_caps[i] == cap)
			return true;
	return false;
}

/**
 * ktlsd_drop_privileges() - become the configured user
 * @conf: configuration with @user resolved
 *
 * Return: 0 (also when no user is configured, or when not started as
 * root: then there is nothing to drop), or a negative errno.
 */
int ktlsd_drop_privileges(const struct ktlsd_conf *conf)
{
	unsigned int cap;
	int ret;

	if (!conf->user)
		return 0;
	if (conf->kernel)
		nkeep = ARRAY_SIZE(keep_caps);
	if (geteuid() != 0) {
		ktlsd_log(LOG_WARNING,
			  "not started as root: staying uid %u instead of becoming %s",
			  (unsigned int)geteuid(), conf->user);
		return 0;
	}
	/* everything not kept leaves the bounding set too */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!kept(cap))
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	if (initgroups(conf->user, conf->gid) ||
	    setresgid(conf->gid, conf->gid, conf->gid) ||
	    setresuid(conf->uid, conf->uid, conf->uid))
		return -errno;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	ret = set_caps();
	if (ret)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* setuid made us dumpable again */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ktlsd_log(LOG_INFO, "running as %s (uid %u, gid %u)", conf->user,
		  (unsigned int)conf->uid, (unsigned int)conf->gid);
	return 0;
}

/**
 * ktlsd_harden() - no core dumps, no ptrace, key memory locked
 * @conf: configuration (lock_memory)
 */
void ktlsd_harden(const struct ktlsd_conf *conf)
{
	struct rlimit none = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &none);
	if (conf->lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE))
		ktlsd_log(LOG_WARNING,
			  "cannot lock memory (%s): keys may reach swap; raise RLIMIT_MEMLOCK or set lock_memory = no",
			  strerror(errno));
}
