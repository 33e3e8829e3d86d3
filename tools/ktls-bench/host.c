// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: what the numbers were measured on (kernel, CPU, emulation)
 * and the counters around a run: /proc/net/tls_stat, /proc/stat, rusage.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "bench.h"

/*
 * The hypervisor's CPUID signature. Hardware-assisted hypervisors announce
 * themselves here; qemu's TCG says "TCGTCGTCGTCG" or nothing at all.
 */
static void hv_signature(char sig[13])
{
	memset(sig, 0, 13);
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, c, d;

		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		(void)a;
	}
#endif
}

static const char *const hw_hypervisors[] = {
	"KVMKVMKVM", "Microsoft Hv", "VMwareVMware", "XenVMMXenVMM",
	"bhyve bhyve ", "ACRNACRNACRN", " lrpepyh  vr", "VBoxVBoxVBox",
};

static void decide_emulated(struct host_info *h, bool hypervisor)
{
	char sig[13];
	unsigned int i;

	if (!hypervisor) {
		snprintf(h->note, sizeof(h->note),
			 "no hypervisor flag in /proc/cpuinfo: native CPU");
		return;
	}
	hv_signature(sig);
	for (i = 0; i < ARRAY_SIZE(hw_hypervisors); i++) {
		if (!strncmp(sig, hw_hypervisors[i], strlen(hw_hypervisors[i]))) {
			snprintf(h->note, sizeof(h->note),
				 "hardware-assisted virtualization (CPUID signature \"%s\"): timings near native",
				 sig);
			return;
		}
	}
	h->emulated = true;
	snprintf(h->note, sizeof(h->note),
		 "CPU emulated in software (hypervisor flag, CPUID signature \"%s\"%s, no KVM): timings compare paths, they do not predict native speed",
		 sig, strstr(h->cpu, "QEMU") ? ", QEMU CPU model" : "");
}

/**
 * bench_host_info() - kernel, CPU model and whether the CPU is emulated
 * @h: filled in
 */
void bench_host_info(struct host_info *h)
{
	bool hypervisor = false;
	struct utsname u;
	char line[4096];
	FILE *f;

	memset(h, 0, sizeof(*h));
	if (!uname(&u))
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	h->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(h->cpu, sizeof(h->cpu), "unknown");
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += 1 + (v[1] == ' ');
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(line, "model name", 10) && !strcmp(h->cpu, "unknown"))
			snprintf(h->cpu, sizeof(h->cpu), "%s", v);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			hypervisor = true;
	}
	if (f)
		fclose(f);
	decide_emulated(h, hypervisor);
}

/**
 * bench_read_tls_stat() - read /proc/net/tls_stat of this namespace
 * @st: filled in; empty when the file is absent (tls module not loaded)
 *
 * Return: 0, or -errno when the file could not be read.
 */
int bench_read_tls_stat(struct tls_stat *st)
{
	char name[32];
	long long v;
	FILE *f;

	memset(st, 0, sizeof(*st));
	f = fopen("/proc/net/tls_stat", "r");
	if (!f)
		return -errno;
	while (st->n < BENCH_MAX_STATS &&
	       fscanf(f, "%31s %lld", name, &v) == 2) {
		snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
		st->val[st->n++] = v;
	}
	fclose(f);
	return 0;
}

long long bench_stat_get(const struct tls_stat *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name))
			return st->val[i];
	return 0;
}

static void stat_set(struct tls_stat *st, const char *name, long long v)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->name[i], name)) {
			st->val[i] = v;
			return;
		}
	if (st->n == BENCH_MAX_STATS)
		return;
	snprintf(st->name[st->n], sizeof(st->name[0]), "%s", name);
	st->val[st->n++] = v;
}

/**
 * bench_stat_delta() - @b minus @a; gauges (TlsCurr*) are left out
 * @d: result
 * @a: earlier reading (may be empty: the module loaded in between)
 * @b: later reading
 */
void bench_stat_delta(struct tls_stat *d, const struct tls_stat *a,
		      const struct tls_stat *b)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < b->n; i++)
		if (strncmp(b->name[i], "TlsCurr", 7))
			stat_set(d, b->name[i],
				 b->val[i] - bench_stat_get(a, b->name[i]));
}

void bench_stat_add(struct tls_stat *sum, const struct tls_stat *d)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		stat_set(sum, d->name[i],
			 bench_stat_get(sum, d->name[i]) + d->val[i]);
}

/**
 * bench_proc_stat_busy() - seconds all CPUs spent busy since boot
 *
 * Everything but idle and iowait on the "cpu" line of /proc/stat, so
 * softirq work (the network stack, kTLS on receive) counts as well.
 *
 * Return: seconds, or -1 when /proc/stat is unreadable.
 */
double bench_proc_stat_busy(void)
{
	unsigned long long v[10] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	int n, i;
	double busy = 0;
	FILE *f;

	f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		   &v[8], &v[9]);
	fclose(f);
	if (n < 4)
		return -1;
	/* user nice system [idle iowait] irq softirq steal; guest is in user */
	for (i = 0; i < n && i < 8; i++)
		if (i != 3 && i != 4)
			busy += v[i];
	return busy / (hz > 0 ? hz : 100);
}

/**
 * bench_thread_cpu() - user plus system seconds of the calling thread
 *
 * Return: seconds.
 */
double bench_thread_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * bench_enter_netns() - move this (single-threaded) process into a netns
 * @ns: name under /run/netns (as "ip netns add" makes them), or NULL
 *
 * Return: 0 or a negative errno.
 */
int bench_enter_netns(const char *ns)
{
	char path[256];
	int fd, ret = 0;

	if (!ns)
		return 0;
	snprintf(path, sizeof(path), "%s%s", strchr(ns, '/') ? "" :
		 "/run/netns/", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET))
		ret = -errno;
	close(fd);
	return ret;
}
