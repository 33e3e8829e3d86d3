// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlsd: the handshake daemon. Applications pass it connected TCP sockets
 * over a Unix socket; it runs the TLS handshake with the keys only it
 * holds, switches the socket to kernel TLS and replies (see <ktls/ktlsd.h>).
 *
 * This file: options, start-up order (configuration and keys, socket,
 * daemonize, privileges, workers), signals (SIGHUP reloads, SIGTERM
 * drains) and shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ktlsd.h"

struct ktlsd_state ktlsd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.listen_fd = -1,
};

static const char *socket_override;
static bool use_syslog;

/**
 * ktlsd_now_ms() - monotonic milliseconds
 *
 * Return: time.
 */
long long ktlsd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * ktlsd_current_conf() - a reference to the configuration in force
 *
 * Return: the configuration; drop it with ktlsd_conf_put().
 */
struct ktlsd_conf *ktlsd_current_conf(void)
{
	struct ktlsd_conf *c;

	pthread_mutex_lock(&ktlsd.lock);
	c = ktlsd.conf;
	ktlsd_conf_get(c);
	pthread_mutex_unlock(&ktlsd.lock);
	return c;
}

static void usage(FILE *f)
{
	fputs(
"usage: ktlsd [OPTIONS]\n"
"\n"
"The ktlskit handshake daemon: applications pass it connected TCP sockets\n"
"over a Unix socket; it runs the TLS handshake with keys only it holds,\n"
"switches the socket to kernel TLS and replies.\n"
"\n"
"Options:\n"
"  -c, --config FILE   configuration (default " KTLSD_CONF_PATH ")\n"
"  -f, --foreground    do not detach; log to stderr unless log = syslog\n"
"  -v, --verbose       log debug messages too\n"
"  -s, --socket PATH   listen here instead of the configured socket\n"
"      --check-config  check the configuration, list every problem as\n"
"                      FILE:LINE: sentence, and exit (0: usable)\n"
"      --stats         print the running daemon's counters (Prometheus\n"
"                      text) and exit\n"
"  -h, --help          this text\n"
"\n"
"Signals: SIGHUP reloads the configuration (a bad one is refused and the\n"
"old one kept); SIGTERM stops accepting and lets handshakes in flight\n"
"finish until drain_timeout.\n",
	f);
}

enum { OPT_CHECK = 256, OPT_STATS };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "socket", required_argument, NULL, 's' },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_problems(struct ktlsd_problems *pr, bool to_log)
{
	size_t i;

	for (i = 0; i < pr->n; i++) {
		if (to_log)
			ktlsd_log(strstr(pr->lines[i], ": warning: ") ?
				  LOG_WARNING : LOG_ERR, "%s", pr->lines[i]);
		else
			fprintf(stderr, "%s\n", pr->lines[i]);
	}
}

static int load(const char *path, struct ktlsd_conf **confp, bool to_log)
{
	struct ktlsd_problems pr = { 0 };
	int ret;

	ret = ktlsd_conf_load(path, confp, &pr);
	print_problems(&pr, to_log);
	ktlsd_problems_free(&pr);
	if (!ret && socket_override) {
		char *s = strdup(socket_override);

		if (!s) {
			ktlsd_conf_put(*confp);
			*confp = NULL;
			return -ENOMEM;
		}
		free((*confp)->socket);
		(*confp)->socket = s;
	}
	return ret;
}

static int check_config(const char *path)
{
	struct ktlsd_conf *c;
	int ret = load(path, &c, false);

	if (ret) {
		fprintf(stderr, "%s: not usable\n", path);
		return 1;
	}
	printf("%s: OK, %zu profile%s, socket %s%s\n", path, c->nprofiles,
	       c->nprofiles == 1 ? "" : "s", c->socket,
	       c->kernel ? ", kernel consumers served" : "");
	ktlsd_conf_put(c);
	return 0;
}

static int print_stats(const char *path)
{
	char *buf = malloc(KTLSD_MAX_MSG);
	int ret;

	if (!buf)
		return 1;
	ret = ktls_daemon_stats(path, buf, KTLSD_MAX_MSG);
	if (ret)
		fprintf(stderr, "ktlsd: cannot read stats from %s: %s\n",
			path ? path : KTLS_DAEMON_SOCKET, strerror(-ret));
	else
		fputs(buf, stdout);
	free(buf);
	return ret ? 1 : 0;
}

/* Is a daemon already answering on @path? */
static bool socket_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = !connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return alive;
}

static int make_socket(const struct ktlsd_conf *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir, *copy;
	int fd, ret;
	mode_t old;

	if (strlen(c->socket) >= sizeof(sun.sun_path)) {
		ktlsd_log(LOG_ERR, "socket path %s is too long",
			  ktlsd_esc(c->socket));
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, c->socket, strlen(c->socket) + 1);
	copy = strdup(c->socket);
	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (mkdir(dir, 0755) == 0) {
		/* ours: let the unprivileged daemon remove its socket */
		if (c->user && geteuid() == 0 &&
		    chown(dir, c->uid, c->gid))
			ktlsd_log(LOG_WARNING, "chown %s: %s", ktlsd_esc(dir),
				  strerror(errno));
	} else if (errno != EEXIST) {
		ret = -errno;
		ktlsd_log(LOG_ERR, "cannot make %s: %s", ktlsd_esc(dir),
			  strerror(errno));
		free(copy);
		return ret;
	}
	free(copy);
	if (socket_alive(&sun)) {
		ktlsd_log(LOG_ERR, "another ktlsd already listens on %s",
			  ktlsd_esc(c->socket));
		return -EADDRINUSE;
	}
	unlink(c->socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* never a moment with looser permissions than configured */
	old = umask(0777 & ~c->socket_mode);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret || chmod(c->socket, c->socket_mode) ||
	    (c->socket_gid != (gid_t)-1 &&
	     chown(c->socket, (uid_t)-1, c->socket_gid)) ||
	    listen(fd, SOMAXCONN)) {
		ret = -errno;
		ktlsd_log(LOG_ERR, "cannot listen on %s: %s", ktlsd_esc(c->socket),
			  strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

static void reload(const char *path)
{
	struct ktlsd_conf *n, *old;

	ktlsd_log(LOG_INFO, "SIGHUP: reloading %s", ktlsd_esc(path));
	if (load(path, &n, true)) {
		ktlsd_log(LOG_ERR,
			  "reload refused: %s has problems; keeping the old configuration",
			  ktlsd_esc(path));
		return;
	}
	pthread_mutex_lock(&ktlsd.lock);
	old = ktlsd.conf;
	ktlsd.conf = n;
	pthread_mutex_unlock(&ktlsd.lock);
	if (!old->kernel != !n->kernel)
		ktlsd_log(LOG_WARNING,
			  "[kernel] is turned on or off only at restart");
	if (n->kernel && ktlsd_upcall_fd() >= 0)
		ktlsd_keyring_init(n->kernel);
	if (strcmp(old->socket, n->socket) || old->workers != n->workers ||
	    (old->user && n->user && strcmp(old->user, n->user)) ||
	    !old->user != !n->user)
		ktlsd_log(LOG_WARNING,
			  "socket, workers and user change only at restart");
	ktlsd_log_init(use_syslog, n->log_level);
	/* tickets belong to the old profiles' settings */
	ktlsd_tickets_flush();
	ktlsd_conf_put(old);
	ktlsd_log(LOG_INFO, "configuration reloaded: %zu profiles",
		  n->nprofiles);
}

/*
 * [kernel]: join the kernel's handshake requests. A kernel without them
 * (Debian's 6.1) is not an error: applications are still served.
 */
static void open_upcall(const struct ktlsd_conf *c)
{
	int ret = ktlsd_upcall_open();

	if (ret == -ENOENT) {
		ktlsd_log(LOG_WARNING,
			  "kernel: this kernel has no \"handshake\" netlink family (Linux 6.4 and later with CONFIG_NET_HANDSHAKE): [kernel] is not served");
		return;
	}
	if (ret) {
		ktlsd_log(LOG_ERR,
			  "kernel: cannot join the kernel's handshake requests: %s: [kernel] is not served",
			  strerror(-ret));
		return;
	}
	ret = ktlsd_keyring_init(c->kernel);
	if (ret)
		ktlsd_log(LOG_WARNING,
			  "kernel: no process keyring (%s): keys the consumers name may not be readable",
			  strerror(-ret));
	ktlsd_log(LOG_INFO,
		  "kernel: answering the kernel's TLS handshake requests (netlink family \"handshake\")");
}

static int worker_count(const struct ktlsd_conf *c)
{
	long n = c->workers ? c->workers : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

static int signal_loop(int sfd, const char *path)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	struct signalfd_siginfo si;

	for (;;) {
		int n = poll(&pfd, 1, 1000);

		ktlsd_keep_sweep(false);
		if (n <= 0)
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(path);
			break;
		case SIGTERM:
		case SIGINT:
			return si.ssi_signo;
		}
	}
}

int main(int argc, char **argv)
{
	const char *path = KTLSD_CONF_PATH;
	bool foreground = false, check = false, stats = false;
	int opt, verbose = 0, sfd, lfd, sig, ret;
	struct ktlsd_conf *c;
	struct rlimit rl;
	sigset_t set;

	cli_init("ktlsd");
	while ((opt = getopt_long(argc, argv, "c:fvs:h", long_opts, NULL))
	       != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'v':
			verbose++;
			break;
		case 's':
			socket_override = optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_try_help();
		}
	}
	if (optind < argc)
		return cli_bad("unexpected argument \"%s\"", argv[optind]);
	if (check)
		return check_config(path);
	if (stats)
		return print_stats(socket_override);

	signal(SIGPIPE, SIG_IGN);
	/* two descriptors per handshake in flight: take all we may */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* workers inherit the mask: only the main thread takes signals */
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	ktlsd_log_init(false, verbose ? LOG_DEBUG : LOG_INFO);
	if (load(path, &c, false)) {
		fprintf(stderr, "ktlsd: %s is not usable (see above)\n", path);
		return 1;
	}
	use_syslog = c->log_syslog || !foreground;
	ktlsd_log_init(use_syslog, verbose ? LOG_DEBUG : c->log_level);
	ktlsd.conf = c;
	lfd = make_socket(c);
	if (lfd < 0) {
		ret = 1;
		goto out_conf;
	}
	if (!foreground && daemon(0, 0)) {
		ktlsd_log(LOG_ERR, "cannot detach: %s", strerror(errno));
		ret = 1;
		goto out_socket;
	}
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		ktlsd_log(LOG_ERR, "signalfd: %s", strerror(errno));
		ret = 1;
		goto out_socket;
	}
	/* after daemon(): a forked child has no process keyring of ours */
	if (c->kernel)
		open_upcall(c);
	ktlsd_harden(c);
	ret = ktlsd_drop_privileges(c);
	if (ret) {
		ktlsd_log(LOG_ERR, "cannot drop privileges to %s: %s",
			  c->user, strerror(-ret));
		ret = 1;
		goto out_signal;
	}
	ret = ktlsd_workers_start(worker_count(c), lfd);
	if (ret) {
		ktlsd_log(LOG_ERR, "cannot start workers: %s", strerror(-ret));
		ret = 1;
		goto out_signal;
	}
	ktlsd_log(LOG_INFO, "listening on %s with %d workers, %zu profiles",
		  ktlsd_esc(c->socket), worker_count(c), c->nprofiles);

	sig = signal_loop(sfd, path);

	c = ktlsd_current_conf();
	ktlsd_log(LOG_INFO,
		  "%s: no new handshakes; %d in flight get up to %u ms",
		  strsignal(sig), atomic_load(&ktlsd_stats.in_flight),
		  c->drain_timeout_ms);
	/* new clients see "not running" at once */
	unlink(c->socket);
	ktlsd.drain_deadline = ktlsd_now_ms() + c->drain_timeout_ms;
	ktlsd_conf_put(c);
	atomic_store(&ktlsd.draining, true);
	ktlsd_workers_join();
	ktlsd_upcall_close();
	ktlsd_log(LOG_INFO, "stopped");
	ret = 0;

out_signal:
	close(sfd);
out_socket:
	if (ret)
		unlink(ktlsd.conf->socket);
	close(lfd);
out_conf:
	ktlsd_keep_sweep(true);
	pthread_mutex_lock(&ktlsd.lock);
	c = ktlsd.conf;
	ktlsd.conf = NULL;
	pthread_mutex_unlock(&ktlsd.lock);
	ktlsd_conf_put(c);
	return ret;
}
