// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench handshake mode: a ktlsd of our own for the "ktlsd" rows, on
 * a socket in the scratch folder, with one server profile per certificate
 * and mode ("ecdsa-p256-full" sends no ticket, "...-resume" does), so the
 * benchmark needs no system daemon and no configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs.h"

static const char *const kinds[] = { "ecdsa-p256", "rsa2048" };

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

static int write_conf(const struct bench_opts *o, struct hs_ktlsd *d,
		      char cert[2][512], char key[2][512])
{
	unsigned int k, m;
	FILE *f;

	f = fopen(d->conf, "w");
	if (!f)
		return -errno;
	fprintf(f, "[global]\nsocket = %s\nsocket_mode = 0600\nlock_memory = no\nhandshake_timeout = 120s\n",
		d->sock);
	for (k = 0; k < 2; k++) {
		if (!(o->certs & (1u << k)))
			continue;
		for (m = 0; m < 2; m++)
			fprintf(f, "\n[profile %s-%s]\nrole = server\ncert = %s\nkey = %s\ntickets = %s\nallow_uid = %u\n",
				kinds[k], m ? "resume" : "full", cert[k],
				key[k], m ? "yes" : "no", getuid());
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
