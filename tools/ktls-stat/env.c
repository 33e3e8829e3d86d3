// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where we run and whether kernel TLS can work here at all, with the
 * sentences that tell a person what to check when it cannot.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "stat.h"

#define CAP_NET_ADMIN_BIT	12
#define ULP_LIST		"/proc/sys/net/ipv4/tcp_available_ulp"

static void add_note(struct env *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct env *e, const char *fmt, ...)
{
	va_list ap;

	if (e->nnotes >= ARRAY_SIZE(e->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(e->notes[e->nnotes++], STAT_NOTE_LEN, fmt, ap);
	va_end(ap);
}

/* Older kernels show ULP state to CAP_NET_ADMIN only: do we have it? */
static bool have_net_admin(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << CAP_NET_ADMIN_BIT);
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[4096], *tok, *save;
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* Does this kernel ship net/tls/tls.ko (any compression)? */
static bool module_known(void)
{
	char path[320], line[512];
	struct utsname u;
	bool found = false;
	FILE *f;

	if (uname(&u))
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep",
		 u.release);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "net/tls/tls.ko") == line ||
			strstr(line, "/net/tls/tls.ko");
	fclose(f);
	return found;
}

/* "net:[INODE]", and the ip-netns name bound to the same namespace. */
static void netns_name(char *out, size_t len)
{
	char link[64] = "", path[300];
	struct stat self, st;
	struct dirent *d;
	ssize_t n;
	DIR *dir;

	n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(out, len, "unknown");
		return;
	}
	link[n] = '\0';
	snprintf(out, len, "%s", link);
	if (stat("/proc/self/ns/net", &self))
		return;
	dir = opendir("/run/netns");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (!stat(path, &st) && st.st_ino == self.st_ino &&
		    st.st_dev == self.st_dev) {
			snprintf(out, len, "%s (%.40s)", link, d->d_name);
			break;
		}
	}
	closedir(dir);
}

/**
 * stat_env() - what kernel TLS looks like from here, and what to check
 * @e: filled
 * @c: counters already read (their absence means no tls module)
 */
void stat_env(struct env *e, const struct counters *c)
{
	struct stat st;

	memset(e, 0, sizeof(*e));
	netns_name(e->netns, sizeof(e->netns));
	e->net_admin = have_net_admin();
	/* the list is global: namespaces other than the first lack the file */
	e->ulp_available = access(ULP_LIST, R_OK) ?
			   c->present : file_has_word(ULP_LIST, "tls");
	e->module_loaded = !stat("/sys/module/tls", &st);
	e->module_known = module_known();

	if (!c->present && !e->module_loaded && e->module_known)
		add_note(e, "kernel TLS is off: the tls module is not loaded (load it with 'modprobe tls'; applications that set the TCP_ULP \"tls\" option load it themselves only when module autoloading works)");
	else if (!c->present && !e->module_loaded)
		add_note(e, "kernel TLS is missing: this kernel has no tls module and no built-in TLS (CONFIG_TLS is not set); use a kernel built with CONFIG_TLS=m or y, and CONFIG_TLS_DEVICE for NIC offload");
	else if (!c->present)
		add_note(e, "kernel TLS is loaded but /proc/net/tls_stat is missing in this network namespace (%s)",
			 e->netns);
	if (c->present && !e->ulp_available)
		add_note(e, "\"tls\" is not in /proc/sys/net/ipv4/tcp_available_ulp: sockets cannot attach the tls ULP");
	if (!e->net_admin)
		add_note(e, "without CAP_NET_ADMIN many kernels (Debian's 6.1 and 6.12 among them) hide every socket's ULP state: run ktls-stat as root if kTLS connections are missing");
}
