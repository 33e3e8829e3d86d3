// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench handshake mode: a ktlsd of our own for the "ktlsd" rows, on
 * a socket in the scratch folder, with one server profile per certificate,
 * mode, version and group ("ecdsa-p256-full-13" sends no ticket,
 * "...-resume-..." does), so the benchmark needs no system daemon and no
 * configuration.
 *
 * With --no-kernel it runs under a seccomp filter that fails
 * setsockopt(SOL_TCP, TCP_ULP) with ENOENT, exactly what a kernel without
 * the tls module answers: ktlsd finishes each handshake and answers that
 * it cannot hand the socket to the kernel (reason no-kernel-tls), and
 * never learns the difference. Nothing in ktlsd knows about benchmarks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs.h"

static const char *const kinds[] = { "ecdsa-p256", "rsa2048" };

#if defined(__x86_64__)
#define BENCH_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BENCH_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * In the child before exec: setsockopt(fd, SOL_TCP, TCP_ULP, ...) fails
 * with ENOENT, everything else is allowed.
 */
static int hide_ktls(void)
{
#ifdef BENCH_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BENCH_AUDIT_ARCH, 0, 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setsockopt, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOL_TCP, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCP_ULP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOENT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * bench_pin() - pin the calling thread to one CPU
 * @cpu: the CPU, or -1 to leave it alone
 *
 * Return: 0 or a negative errno.
 */
int bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The first field of a schedstat file: nanoseconds on a CPU. */
static unsigned long long schedstat_ns(const char *path)
{
	unsigned long long ns = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

/**
 * bench_proc_cpu() - CPU seconds of a process, all its threads
 * @pid: the process
 *
 * Summed from each thread's schedstat (nanoseconds, where clock ticks
 * would be too coarse for a few handshakes).
 *
 * Return: seconds, 0 when unreadable.
 */
double bench_proc_cpu(pid_t pid)
{
	unsigned long long ns = 0;
	char path[300];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.32s/schedstat",
			 (int)pid, e->d_name);
		ns += schedstat_ns(path);
	}
	closedir(d);
	return ns / 1e9;
}

/**
 * bench_group_list() - what both sides of a row offer for --group @group
 * @buf: filled in
 * @len: its size
 * @tls: KTLS_TLS_1_2 or KTLS_TLS_1_3
 * @group: the row's group
 *
 * @group alone, except in TLS 1.2, where P-256 follows it: there the
 * client's curves also name the curves its peer's ECDSA certificate may
 * use (OpenSSL refuses the handshake otherwise). Every server here takes
 * the client's first curve in TLS 1.2, so @group is still the one used.
 *
 * Return: @buf.
 */
const char *bench_group_list(char *buf, size_t len, unsigned int tls,
			     const char *group)
{
	snprintf(buf, len, "%.60s%s", group,
		 tls == KTLS_TLS_1_2 && strcasecmp(group, "P-256") ?
		 ":P-256" : "");
	return buf;
}

/**
 * bench_ktlsd_profile() - the profile name of one handshake row
 * @buf: filled in
 * @len: its size
 * @cert: certificate kind (0 ECDSA, 1 RSA)
 * @resumed: tickets sent
 * @tls: KTLS_TLS_1_2 or KTLS_TLS_1_3
 * @group: the one key exchange group, or NULL
 */
void bench_ktlsd_profile(char *buf, size_t len, unsigned int cert,
			 bool resumed, unsigned int tls, const char *group)
{
	snprintf(buf, len, "%s-%s-%s%s%.30s", kinds[cert],
		 resumed ? "resume" : "full",
		 tls == KTLS_TLS_1_2 ? "12" : "13", group ? "-" : "",
		 group ? group : "");
}

/* The ktlsd built beside this program, else the one on PATH. */
static void find_ktlsd(const struct bench_opts *o, char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	if (o->ktlsd_bin) {
		snprintf(path, len, "%s", o->ktlsd_bin);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		*strrchr(self, '/') = 0;
		snprintf(path, len, "%.4000s/ktlsd", self);
		if (!access(path, X_OK))
			return;
	}
	snprintf(path, len, "ktlsd");
}

/* One profile per row kind; @group NULL: ktlsd's own preference. */
static void write_profile(FILE *f, unsigned int k, bool m, unsigned int v,
			  const char *group, char cert[2][512],
			  char key[2][512])
{
	char name[64], list[80];

	bench_ktlsd_profile(name, sizeof(name), k, m, v, group);
	fprintf(f, "\n[profile %s]\nrole = server\ncert = %s\nkey = %s\ntickets = %s\nmin_version = %s\nmax_version = %s\nallow_uid = %u\n",
		name, cert[k], key[k], m ? "yes" : "no",
		v == KTLS_TLS_1_2 ? "1.2" : "1.3",
		v == KTLS_TLS_1_2 ? "1.2" : "1.3", getuid());
	if (v == KTLS_TLS_1_2)
		fprintf(f, "ciphers = %s\n", HS_SUITES_12);
	if (group)
		fprintf(f, "groups = %s\n",
			bench_group_list(list, sizeof(list), v, group));
}

static int write_conf(const struct bench_opts *o, struct hs_ktlsd *d,
		      char cert[2][512], char key[2][512])
{
	static const unsigned int vers[2] = { KTLS_TLS_1_2, KTLS_TLS_1_3 };
	char buf[256], *save = NULL, *g;
	unsigned int k, m, v;
	FILE *f;

	f = fopen(d->conf, "w");
	if (!f)
		return -errno;
	fprintf(f, "[global]\nsocket = %s\nsocket_mode = 0600\nlock_memory = no\nhandshake_timeout = 120s\nworkers = %u\n",
		d->sock, o->concurrency);
	/*
	 * The log level stays: with --no-kernel ktlsd logs one failure per
	 * handshake where it would log one success, the same cost.
	 */
	for (k = 0; k < 2; k++) {
		if (!(o->certs & (1u << k)))
			continue;
		for (m = 0; m < 2; m++) {
			for (v = 0; v < 2; v++) {
				if (!o->groups) {
					write_profile(f, k, m, vers[v], NULL,
						      cert, key);
					continue;
				}
				snprintf(buf, sizeof(buf), "%s", o->groups);
				for (g = strtok_r(buf, ",", &save); g;
				     g = strtok_r(NULL, ",", &save))
					write_profile(f, k, m, vers[v], g,
						      cert, key);
			}
		}
	}
	return fclose(f) ? -EIO : 0;
}

/**
 * bench_ktlsd_start() - start ktlsd in the foreground, wait for its socket
 * @o: options (scratch folder, certificates wanted, --ktlsd)
 * @d: filled in
 * @cert: certificate per kind
 * @key: key per kind
 *
 * Return: 0, or a negative errno after saying why on stderr.
 */
int bench_ktlsd_start(const struct bench_opts *o, struct hs_ktlsd *d,
		      char cert[2][512], char key[2][512])
{
	char bin[PATH_MAX];
	struct stat st;
	int i, ret, fd;

	snprintf(d->conf, sizeof(d->conf), "%s/ktlsd.conf", o->tmpdir);
	snprintf(d->sock, sizeof(d->sock), "%s/ktlsd.sock", o->tmpdir);
	snprintf(d->log, sizeof(d->log), "%s/ktlsd.log", o->tmpdir);
	ret = write_conf(o, d, cert, key);
	if (ret) {
		fprintf(stderr, "ktls-bench: writing %s: %s\n", d->conf,
			strerror(-ret));
		return ret;
	}
	find_ktlsd(o, bin, sizeof(bin));
	d->pid = fork();
	if (d->pid < 0)
		return -errno;
	if (d->pid == 0) {
		fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		ret = bench_pin(o->pin_server);
		if (ret)
			fprintf(stderr, "cannot pin ktlsd to CPU %d: %s\n",
				o->pin_server, strerror(-ret));
		if (!ret && o->no_kernel) {
			ret = hide_ktls();
			if (ret)
				fprintf(stderr, "cannot keep kernel TLS from ktlsd (seccomp): %s\n",
					strerror(-ret));
		}
		if (!ret)
			execlp(bin, bin, "-f", "-c", d->conf, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 300; i++) {
		if (!stat(d->sock, &st) && S_ISSOCK(st.st_mode))
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			break;
		usleep(100000);
	}
	fprintf(stderr, "ktls-bench: ktlsd (%s) did not start; its log, %s:\n",
		bin, d->log);
	fd = open(d->log, O_RDONLY);
	while (fd >= 0 && (i = read(fd, bin, sizeof(bin))) > 0)
		fwrite(bin, 1, i, stderr);
	if (fd >= 0)
		close(fd);
	bench_ktlsd_stop(d);
	return -ESRCH;
}

void bench_ktlsd_stop(struct hs_ktlsd *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	unlink(d->conf);
	unlink(d->log);
	unlink(d->sock);
}
