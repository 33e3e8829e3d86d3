// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-serve: an HTTPS static file server on kernel TLS. The handshake
 * runs in user space (libktls, wolfSSL); the kernel then encrypts every
 * record, so bodies leave with sendfile or io_uring straight from the page
 * cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"
#include "sni_spec.h"

static void usage(void)
{
	fputs(
"usage: ktls-serve [OPTIONS] { serve ROOT | help }\n"
"\n"
"Serve the files under ROOT over HTTPS (HTTP/1.1, GET and HEAD, ranges,\n"
"conditional requests). The TLS handshake runs in user space; the kernel\n"
"then encrypts every record and bodies go out with sendfile or io_uring.\n"
"One access-log line per request goes to stdout, messages to stderr.\n"
"\n"
"Commands:\n"
"  serve ROOT              serve the folder ROOT until SIGTERM or SIGINT\n"
"  help                    this text\n"
"\n"
"TLS options:\n"
"  --ktlsd[=SOCKET]        ktlsd does the handshakes with keys only it holds\n"
"                          (the default; socket: $KTLSD_SOCKET, else\n"
"                          /run/ktlsd/ktlsd.sock)\n"
"  --profile NAME          ktlsd profile to use (default: server)\n"
"  --inproc                handshake in this process with libktls, with\n"
"                          --cert and --key (which imply --inproc)\n"
"  --cert FILE             certificate chain (PEM), for --inproc\n"
"  --key FILE              private key (PEM), for --inproc\n"
"  --sni-cert NAME:CERT:KEY[:CHAIN]\n"
"                          serve CERT to clients asking for NAME (or\n"
"                          *.DOMAIN), for --inproc; repeatable; no or\n"
"                          another name gets --cert\n"
"  --tls kernel|userspace  who makes records after the handshake (default\n"
"                          kernel; userspace keeps wolfSSL, for comparison)\n"
"  --require-ktls          refuse to start when the kernel has no kTLS\n"
"                          (default: say so and serve with user-space TLS)\n"
"  --tls-version 1.2|1.3   accept only this version (default: both)\n"
"  --cipher LIST           colon-separated suites, wolfSSL names\n"
"  --keylog FILE           append every connection's secrets (NSS key log\n"
"                          format) to FILE, for --inproc, with a warning per\n"
"                          handshake: anyone who reads FILE can decrypt them\n"
"\n"
"Server options:\n"
"  --listen [ADDR:]PORT    where to listen (default 8443, all addresses)\n"
"  --io sendfile|uring|write\n"
"                          how bodies move: sendfile (default), io_uring\n"
"                          splice, or read into a buffer and write\n"
"  --workers N             worker threads (default: one per CPU)\n"
"  --list                  list folders without an index.html\n"
"  --allow-symlinks-out    follow symbolic links that leave ROOT\n"
"  --allow-dotfiles        serve names starting with '.' (default: 404,\n"
"                          except /.well-known/)\n"
"  --max-header-bytes N    request line and headers (default 8192)\n"
"  --max-headers N         header lines (default 100)\n"
"  --max-conns N           connections per worker (default 100000)\n"
"  --file-cache N          open files kept per worker, checked against the\n"
"                          file system on every request (default 256; 0: off)\n"
"  --handshake-timeout S   (default 10)\n"
"  --request-timeout S     from a request's first byte to its end (10)\n"
"  --idle-timeout S        keep-alive connection without a request (60)\n"
"  --send-timeout S        without progress sending an answer (60)\n"
"  --grace S               on SIGTERM, time for answers in flight (10)\n"
"  --rekey-records N       records sent under one key before a new one\n"
"                          (TLS 1.3, Linux 6.14+) or, where the key cannot\n"
"                          change, before the connection is closed\n"
"                          (default: the cipher's AEAD limit; for tests)\n"
"  --access-log FILE       FILE, - (stdout, default) or none\n"
"  -q, --quiet             no banner, no handshake failure messages\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 after a graceful stop, 1 when serving failed, 2 usage.\n",
	stderr);
}

enum {
	OPT_CERT = 256, OPT_KEY, OPT_INPROC, OPT_KTLSD, OPT_TLS,
	OPT_REQUIRE_KTLS, OPT_TLS_VERSION, OPT_CIPHER, OPT_LISTEN, OPT_IO,
	OPT_WORKERS, OPT_LIST, OPT_SYMLINKS, OPT_MAX_HEADER_BYTES,
	OPT_MAX_HEADERS, OPT_MAX_CONNS, OPT_FILE_CACHE, OPT_HS_TIMEOUT, OPT_REQ_TIMEOUT,
	OPT_IDLE_TIMEOUT, OPT_SEND_TIMEOUT, OPT_GRACE, OPT_ACCESS_LOG,
	OPT_REKEY_RECORDS,
	OPT_PROFILE, OPT_SNI_CERT, OPT_DOTFILES, OPT_KEYLOG,
};

static const struct option long_opts[] = {
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "sni-cert", required_argument, NULL, OPT_SNI_CERT },
	{ "inproc", no_argument, NULL, OPT_INPROC },
	{ "ktlsd", optional_argument, NULL, OPT_KTLSD },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "tls", required_argument, NULL, OPT_TLS },
	{ "require-ktls", no_argument, NULL, OPT_REQUIRE_KTLS },
	{ "tls-version", required_argument, NULL, OPT_TLS_VERSION },
	{ "cipher", required_argument, NULL, OPT_CIPHER },
	{ "keylog", required_argument, NULL, OPT_KEYLOG },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "io", required_argument, NULL, OPT_IO },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "allow-symlinks-out", no_argument, NULL, OPT_SYMLINKS },
	{ "allow-dotfiles", no_argument, NULL, OPT_DOTFILES },
	{ "max-header-bytes", required_argument, NULL, OPT_MAX_HEADER_BYTES },
	{ "max-headers", required_argument, NULL, OPT_MAX_HEADERS },
	{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "file-cache", required_argument, NULL, OPT_FILE_CACHE },
	{ "handshake-timeout", required_argument, NULL, OPT_HS_TIMEOUT },
	{ "request-timeout", required_argument, NULL, OPT_REQ_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "send-timeout", required_argument, NULL, OPT_SEND_TIMEOUT },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "rekey-records", required_argument, NULL, OPT_REKEY_RECORDS },
	{ "access-log", required_argument, NULL, OPT_ACCESS_LOG },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static bool backend_set;

/* Return: 0, or the exit status of a usage error. */
static int parse_opts(int argc, char **argv, struct serve_opts *o)
{
	unsigned int n;
	int c;

	while ((c = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_SNI_CERT:
			if (sni_spec_add(&o->sni_certs, optarg))
				return cli_bad("--sni-cert %s: want NAME:CERT:KEY[:CHAIN[:OCSP]]",
					  optarg);
			break;
		case OPT_INPROC:
			o->backend = SERVE_TLS_INPROC;
			backend_set = true;
			break;
		case OPT_KTLSD:
			o->backend = SERVE_TLS_DAEMON;
			backend_set = true;
			if (optarg)
				o->ktlsd_socket = optarg;
			break;
		case OPT_TLS:
			if (!strcmp(optarg, "kernel"))
				o->tls_user = false;
			else if (!strcmp(optarg, "userspace"))
				o->tls_user = true;
			else
				return cli_bad("--tls wants kernel or userspace, not '%s'",
					  optarg);
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_KEYLOG:
			o->keylog = optarg;
			break;
		case OPT_REQUIRE_KTLS:
			o->require_ktls = true;
			break;
		case OPT_TLS_VERSION:
			if (!strcmp(optarg, "1.2"))
				o->min_version = o->max_version = KTLS_TLS_1_2;
			else if (!strcmp(optarg, "1.3"))
				o->min_version = o->max_version = KTLS_TLS_1_3;
			else
				return cli_bad("--tls-version wants 1.2 or 1.3, not '%s'",
					  optarg);
			break;
		case OPT_CIPHER:
			o->ciphers = optarg;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_IO:
			if (!strcmp(optarg, "sendfile"))
				o->io = SERVE_IO_SENDFILE;
			else if (!strcmp(optarg, "uring"))
				o->io = SERVE_IO_URING;
			else if (!strcmp(optarg, "write"))
				o->io = SERVE_IO_WRITE;
			else
				return cli_bad("--io wants sendfile, uring or write, not '%s'",
					  optarg);
			break;
		case OPT_WORKERS:
			if (cli_uint("--workers", optarg, "a count", 1, 1024, &n))
				return CLI_EXIT_USAGE;
			o->workers = n;
			break;
		case OPT_LIST:
			o->list_dirs = true;
			break;
		case OPT_SYMLINKS:
			o->symlinks_out = true;
			break;
		case OPT_DOTFILES:
			o->allow_dotfiles = true;
			break;
		case OPT_MAX_HEADER_BYTES:
			if (cli_uint("--max-header-bytes", optarg, "bytes", 256,
				     1 << 20, &o->max_header_bytes))
				return CLI_EXIT_USAGE;
			break;
		case OPT_MAX_HEADERS:
			if (cli_uint("--max-headers", optarg, "a count", 1,
				     10000, &o->max_headers))
				return CLI_EXIT_USAGE;
			break;
		case OPT_MAX_CONNS:
			if (cli_uint("--max-conns", optarg, "a count", 1,
				     10000000, &o->max_conns))
				return CLI_EXIT_USAGE;
			break;
		case OPT_FILE_CACHE:
			if (cli_uint("--file-cache", optarg, "a count", 0,
				     1000000, &o->file_cache))
				return CLI_EXIT_USAGE;
			break;
		case OPT_HS_TIMEOUT:
			if (cli_uint("--handshake-timeout", optarg, "seconds", 1,
				     3600, &o->handshake_timeout))
				return CLI_EXIT_USAGE;
			break;
		case OPT_REQ_TIMEOUT:
			if (cli_uint("--request-timeout", optarg, "seconds", 1,
				     3600, &o->request_timeout))
				return CLI_EXIT_USAGE;
			break;
		case OPT_IDLE_TIMEOUT:
			if (cli_uint("--idle-timeout", optarg, "seconds", 1,
				     86400, &o->idle_timeout))
				return CLI_EXIT_USAGE;
			break;
		case OPT_SEND_TIMEOUT:
			if (cli_uint("--send-timeout", optarg, "seconds", 1,
				     86400, &o->send_timeout))
				return CLI_EXIT_USAGE;
			break;
		case OPT_GRACE:
			if (cli_uint("--grace", optarg, "seconds", 0,
				     3600, &o->grace))
				return CLI_EXIT_USAGE;
			break;
		case OPT_REKEY_RECORDS:
			/* room for a few requests' headers and bodies */
			if (cli_uint("--rekey-records", optarg, "a count", 8,
				     1u << 24, &o->rekey_records))
				return CLI_EXIT_USAGE;
			break;
		case OPT_ACCESS_LOG:
			o->access_log = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			return cli_try_help();
		}
	}
	return 0;
}

static int online_cpus(void)
{
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return 1;
}

/* Every connection costs one fd, two while a file is being sent. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static const char *io_name(enum serve_io io)
{
	switch (io) {
	case SERVE_IO_SENDFILE:
		return "sendfile";
	case SERVE_IO_URING:
		return "io_uring splice";
	case SERVE_IO_WRITE:
		return "read and write";
	}
	return "?";
}

static int serve(struct serve_opts *o)
{
	struct worker *w;
	char err[300];
	sigset_t sigs;
	int rootfd, i, sig, ret = 1;

	rootfd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, "ktls-serve: cannot open folder %s: %s\n",
			o->root, strerror(errno));
		return 1;
	}
	if (log_open(o->access_log)) {
		fprintf(stderr, "ktls-serve: cannot open access log %s: %s\n",
			o->access_log, strerror(errno));
		goto err_close_root;
	}
	if (tls_init(o))
		goto err_close_root;
	raise_fd_limit();

	/* workers inherit this mask; the main thread waits for the signal */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	w = calloc(o->workers, sizeof(*w));
	if (!w)
		goto err_tls;
	for (i = 0; i < o->workers; i++) {
		w[i].id = i;
		w[i].o = o;
		w[i].rootfd = rootfd;
		if (serve_listen_socket(o->listen, &w[i].lfd, err,
					sizeof(err))) {
			fprintf(stderr, "ktls-serve: %s\n", err);
			goto err_stop;
		}
		if (worker_start(&w[i])) {
			fprintf(stderr, "ktls-serve: cannot start worker %d\n",
				i);
			close(w[i].lfd);
			goto err_stop;
		}
	}
	if (!o->quiet)
		fprintf(stderr,
			"ktls-serve: serving %s on %s: %d worker%s, %s, bodies by %s\n",
			o->root, o->listen, o->workers,
			o->workers == 1 ? "" : "s", tls_mode_name(),
			io_name(o->io));
	do {
		if (sigwait(&sigs, &sig))
			sig = SIGTERM;
	} while (sig == SIGHUP);
	if (!o->quiet)
		fprintf(stderr, "ktls-serve: %s: stopping (up to %u s for answers in flight)\n",
			strsignal(sig), o->grace);
	ret = 0;
err_stop:
	/* stop the workers that were started, newest first */
	while (--i >= 0)
		worker_stop(&w[i]);
	free(w);
err_tls:
	tls_exit();
err_close_root:
	close(rootfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct serve_opts o = {
		.listen = "8443",
		.backend = SERVE_TLS_DAEMON,
		.profile = "server",
		.io = SERVE_IO_SENDFILE,
		.max_header_bytes = 8192,
		.max_headers = 100,
		.max_conns = 100000,
		.file_cache = 256,
		.handshake_timeout = 10,
		.request_timeout = 10,
		.idle_timeout = 60,
		.send_timeout = 60,
		.grace = 10,
	};
	const char *cmd;
	int ret;

	cli_init("ktls-serve");
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (optind >= argc)
		return cli_bad("no command given");
	cmd = argv[optind++];
	if (!strcmp(cmd, "help")) {
		usage();
		return 0;
	}
	if (strcmp(cmd, "serve"))
		return cli_bad("unknown command '%s'", cmd);
	if (optind >= argc)
		return cli_bad("serve needs a ROOT folder");
	o.root = argv[optind++];
	if (optind < argc)
		return cli_bad("unexpected argument '%s'", argv[optind]);
	/* a certificate and key on the command line mean in-process */
	if (!backend_set && (o.cert || o.key))
		o.backend = SERVE_TLS_INPROC;
	if (o.backend == SERVE_TLS_INPROC && (!o.cert || !o.key))
		return cli_bad("--inproc needs --cert and --key");
	if (o.backend == SERVE_TLS_DAEMON && o.sni_certs)
		return cli_bad("--sni-cert goes with --inproc: with ktlsd, give sni_cert in the profile");
	/* ktlsd's clients never choose key logging: its profile does */
	if (o.backend == SERVE_TLS_DAEMON && o.keylog)
		return cli_bad("--keylog goes with --inproc: with ktlsd, the profile's keylog_file logs keys");
	if (o.backend == SERVE_TLS_DAEMON && (o.cert || o.key))
		return cli_bad("--cert and --key go with --inproc: with ktlsd the daemon holds the key");
	if (!o.workers)
		o.workers = online_cpus();
	return serve(&o);
}
