// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd.conf as ktlsd reads it (userspace/ktlsd/config.c): the fuzzed
 * text is a file (a memfd, named by /proc/self/fd/N, so config.c's own
 * fopen reads it) and goes through the whole load, profiles and contexts
 * included. Promises: a load either fails with at least one problem or
 * gives a usable configuration; every problem is one line naming the file;
 * a configuration's profiles can be found by name and freed.
 *
 * A profile that verifies its peer without naming trust anchors would load
 * the system store (140 certificates, about 5 ms): that is wolfSSL's work,
 * not the parser's, so this target's ktls_ctx_new() (linked with
 * --wrap=ktls_ctx_new) turns verification off for such profiles before
 * calling the real one. It also drops keylog_file, whose file the real
 * one would create wherever the fuzzed text says.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../userspace/ktlsd/ktlsd.h"
#include "fuzz.h"

static int mfd = -1;
static char path[64];
static char empty[32];

static void remove_empty(void)
{
	rmdir(empty);
}

int __real_ktls_ctx_new(const struct ktls_config *cfg, struct ktls_ctx **ctxp);
int __wrap_ktls_ctx_new(const struct ktls_config *cfg, struct ktls_ctx **ctxp);

int __wrap_ktls_ctx_new(const struct ktls_config *cfg, struct ktls_ctx **ctxp)
{
	struct ktls_config c = *cfg;

	if (!c.ca_file && !c.ca_path) {
		c.flags |= KTLS_F_NO_VERIFY;
		c.flags &= ~KTLS_F_VERIFY_CLIENT;
	}
	/* keylog_file creates its file: fuzzed text names no file to make */
	c.policy &= ~KTLS_P_KEYLOG;
	c.keylog_file = NULL;
	return __real_ktls_ctx_new(&c, ctxp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	mfd = memfd_create("ktlsd.conf", MFD_CLOEXEC);
	if (mfd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	/* relative file names in the text resolve in an empty folder */
	snprintf(empty, sizeof(empty), "/tmp/ktlskit-fuzz-XXXXXX");
	if (!mkdtemp(empty) || chdir(empty))
		abort();
	atexit(remove_empty);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktlsd_problems pr = { 0 };
	struct ktlsd_conf *c = NULL;
	size_t i;
	int ret;

	if (ftruncate(mfd, 0) || pwrite(mfd, data, size, 0) != (ssize_t)size)
		abort();
	ret = ktlsd_conf_load(path, &c, &pr);
	for (i = 0; i < pr.n; i++) {
		FZ_ASSERT(!strncmp(pr.lines[i], path, strlen(path)));
		FZ_ASSERT(!strchr(pr.lines[i], '\n'));
	}
	if (ret) {
		FZ_ASSERT(ret < 0 && !c && pr.n);
	} else {
		FZ_ASSERT(c && c->nprofiles);
		for (i = 0; i < c->nprofiles; i++) {
			const struct ktlsd_profile *p = &c->profiles[i];

			FZ_ASSERT(p->ctx && p->name[0] && strlen(p->name) < 64);
			FZ_ASSERT(ktlsd_profile_find(c, p->name) == p);
			FZ_ASSERT(ktlsd_profile_allows(p, 0, 0, NULL, 0));
		}
		FZ_ASSERT(c->max_handshakes && c->max_per_uid);
		ktlsd_conf_put(c);
	}
	ktlsd_problems_free(&pr);
	return 0;
}
