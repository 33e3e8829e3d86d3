// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: throughput of plain TCP, user-space TLS (wolfSSL, OpenSSL)
 * and kernel TLS by every data path, and handshake rates, with the CPU
 * each costs and /proc/net/tls_stat proving which path ran.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

static void usage(void)
{
	fputs(
"usage: ktls-bench [run] [OPTIONS]           both ends on this machine\n"
"       ktls-bench server [OPTIONS]          serve flows (--listen ADDR:PORT)\n"
"       ktls-bench client HOST[:PORT] [OPTIONS]\n"
"       ktls-bench handshake [OPTIONS]       handshakes per second, latency\n"
"       ktls-bench help\n"
"\n"
"Throughput options:\n"
"  --path LIST         comma list of: tcp wolfssl openssl ktls-write\n"
"                      ktls-sendfile ktls-splice ktls-uring ktls-uring-zc\n"
"                      device-tx device-rx (default: every software path)\n"
"  --cipher LIST       aes128gcm,aes256gcm,chacha20 (default aes128gcm)\n"
"  --tls LIST          1.2,1.3 (default 1.3)\n"
"  --size BYTES        message or file size, K/M/G suffixes (default 1M)\n"
"  --bytes BYTES       bytes per flow per repetition (default 16M)\n"
"  --flows N           parallel flows (default 1)\n"
"  --reps N            repetitions; median, min and max (default 3)\n"
"  --server-netns NS   run the server in network namespace NS\n"
"  --client-netns NS   run the client in network namespace NS\n"
"  --addr IP           address the client connects to (default 127.0.0.1)\n"
"  --listen ADDR:PORT  server: where to listen (default 0.0.0.0:4430)\n"
"  --cert-file FILE    server certificate (PEM; default: one made now)\n"
"  --key-file FILE     its private key\n"
"  --timeout S         give up on a repetition after S seconds (default 300)\n"
"\n"
"Handshake options:\n"
"  --impl LIST         libktls,ktlsd,openssl (default: all three)\n"
"  --cert LIST         ecdsa-p256,rsa2048 (default: both)\n"
"  --resume            also measure resumed handshakes\n"
"  --count N           handshakes per measurement (default 200)\n"
"  --duration S        or: as many as fit in S seconds\n"
"  --concurrency N     handshakes in flight at once (default 1)\n"
"  --tls LIST          1.2,1.3 (default 1.3; 1.2 is ECDHE with AES-128-GCM)\n"
"  --group LIST        comma list of key exchange groups (X25519, P-256,\n"
"                      ...): rows for each, both sides offering only it\n"
"                      (default: each side's own preference)\n"
"  --no-kernel         handshakes only: no keys go to the kernel, so it runs\n"
"                      on any kernel (see ktls-bench(1) for ktlsd)\n"
"  --pin S,C           pin the server side to CPU S, the client to CPU C\n"
"  --ktlsd PATH        the ktlsd binary (default: next to ktls-bench)\n"
"\n"
"Output:\n"
"  --json              one JSON document on stdout\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 when every case ran and its path was verified, 1 when one\n"
"failed, 2 on a usage error.\n",
	stderr);
}

enum {
	OPT_PATH = 256, OPT_CIPHER, OPT_TLS, OPT_SIZE, OPT_BYTES, OPT_FLOWS,
	OPT_REPS, OPT_SERVER_NS, OPT_CLIENT_NS, OPT_ADDR, OPT_LISTEN,
	OPT_CERT_FILE, OPT_KEY_FILE, OPT_TIMEOUT, OPT_IMPL, OPT_CERT,
	OPT_RESUME, OPT_COUNT, OPT_DURATION, OPT_CONCURRENCY, OPT_KTLSD,
	OPT_JSON, OPT_GROUP, OPT_NO_KERNEL, OPT_PIN,
};

static const struct option long_opts[] = {
	{ "path", required_argument, NULL, OPT_PATH },
	{ "cipher", required_argument, NULL, OPT_CIPHER },
	{ "tls", required_argument, NULL, OPT_TLS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "bytes", required_argument, NULL, OPT_BYTES },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "server-netns", required_argument, NULL, OPT_SERVER_NS },
	{ "client-netns", required_argument, NULL, OPT_CLIENT_NS },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "cert-file", required_argument, NULL, OPT_CERT_FILE },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "impl", required_argument, NULL, OPT_IMPL },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
	{ "ktlsd", required_argument, NULL, OPT_KTLSD },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "pin", required_argument, NULL, OPT_PIN },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A comma list into a bit set; @parse maps a word to its bit or -1. */
static int parse_list(const char *s, int (*parse)(const char *),
		      unsigned int *bits)
{
	char *dup = strdup(s), *save = NULL, *w;
	int ret = 0;

	*bits = 0;
	for (w = strtok_r(dup, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int b = parse(w);

		if (b < 0) {
			ret = -EINVAL;
			break;
		}
		*bits |= 1u << b;
	}
	free(dup);
	return ret || !*bits ? -EINVAL : 0;
}

static int parse_tls(const char *s)
{
	return !strcmp(s, "1.2") ? 0 : !strcmp(s, "1.3") ? 1 : -1;
}

static int parse_impl(const char *s)
{
	return !strcmp(s, "libktls") ? 0 : !strcmp(s, "ktlsd") ? 1 :
	       !strcmp(s, "openssl") ? 2 : -1;
}

static int parse_certkind(const char *s)
{
	return !strcmp(s, "ecdsa-p256") ? 0 : !strcmp(s, "rsa2048") ? 1 : -1;
}

/* Names and commas only: they go into ktlsd.conf lines and profile names. */
static bool group_list_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != ',')
			return false;
	return n && n <= 200;
}

static int parse_pin(const char *s, struct bench_opts *o)
{
	unsigned int a, b;
	int n;

	if (sscanf(s, "%u,%u%n", &a, &b, &n) != 2 || s[n] || a >= 1024 ||
	    b >= 1024)
		return -EINVAL;
	o->pin_server = a;
	o->pin_client = b;
	return 0;
}

static int parse_opt(int c, struct bench_opts *o)
{
	switch (c) {
	case OPT_PATH:
		if (parse_list(optarg, bench_parse_path, &o->paths))
			return cli_bad("--path: unknown path in \"%s\" (see --help)",
				   optarg);
		break;
	case OPT_CIPHER:
		if (parse_list(optarg, bench_parse_cipher, &o->ciphers))
			return cli_bad("--cipher takes aes128gcm, aes256gcm, chacha20, not \"%s\"",
				   optarg);
		break;
	case OPT_TLS:
		if (parse_list(optarg, parse_tls, &o->versions))
			return cli_bad("--tls takes 1.2 and/or 1.3, not \"%s\"",
				   optarg);
		break;
	case OPT_SIZE:
		if (cli_size("--size", optarg, 1, 1ull << 30, &o->size))
			return CLI_EXIT_USAGE;
		break;
	case OPT_BYTES:
		if (cli_size("--bytes", optarg, 1, UINT64_MAX, &o->bytes))
			return CLI_EXIT_USAGE;
		break;
	case OPT_FLOWS:
		if (cli_uint("--flows", optarg, "a count", 1, BENCH_MAX_FLOWS,
			     &o->flows))
			return CLI_EXIT_USAGE;
		break;
	case OPT_REPS:
		if (cli_uint("--reps", optarg, "a count", 1, BENCH_MAX_REPS,
			     &o->reps))
			return CLI_EXIT_USAGE;
		break;
	case OPT_SERVER_NS:
		o->server_ns = optarg;
		break;
	case OPT_CLIENT_NS:
		o->client_ns = optarg;
		break;
	case OPT_ADDR:
		o->addr = optarg;
		break;
	case OPT_LISTEN:
		o->listen = optarg;
		break;
	case OPT_CERT_FILE:
		o->cert = optarg;
		break;
	case OPT_KEY_FILE:
		o->key = optarg;
		break;
	case OPT_TIMEOUT:
		if (cli_uint("--timeout", optarg, "seconds", 1, 86400,
			     &o->timeout))
			return CLI_EXIT_USAGE;
		break;
	case OPT_IMPL:
		if (parse_list(optarg, parse_impl, &o->impls))
			return cli_bad("--impl takes libktls, ktlsd, openssl, not \"%s\"",
				   optarg);
		break;
	case OPT_CERT:
		if (parse_list(optarg, parse_certkind, &o->certs))
			return cli_bad("--cert takes ecdsa-p256, rsa2048, not \"%s\"",
				   optarg);
		break;
	case OPT_RESUME:
		o->resume = true;
		break;
	case OPT_COUNT:
		if (cli_uint("--count", optarg, "a count", 1, 10000000,
			     &o->count))
			return CLI_EXIT_USAGE;
		break;
	case OPT_DURATION:
		if (cli_uint("--duration", optarg, "seconds", 1, 86400,
			     &o->duration))
			return CLI_EXIT_USAGE;
		break;
	case OPT_CONCURRENCY:
		if (cli_uint("--concurrency", optarg, "a count", 1, BENCH_MAX_FLOWS,
			     &o->concurrency))
			return CLI_EXIT_USAGE;
		break;
	case OPT_KTLSD:
		o->ktlsd_bin = optarg;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_GROUP:
		if (!group_list_ok(optarg))
			return cli_bad("--group takes names such as X25519,P-256, not \"%s\"",
				   optarg);
		o->groups = optarg;
		break;
	case OPT_NO_KERNEL:
		o->no_kernel = true;
		break;
	case OPT_PIN:
		if (parse_pin(optarg, o))
			return cli_bad("--pin takes SERVER_CPU,CLIENT_CPU such as 0,1, not \"%s\"",
				   optarg);
		break;
	case 'h':
		usage();
		exit(0);
	default:
		return cli_try_help();
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	int c, ret;

	cli_init("ktls-bench");
	o->mode = "run";
	o->paths = (1u << (P_KTLS_URING_ZC + 1)) - 1;
	o->ciphers = 1u << C_AES128;
	o->versions = 2;
	o->size = 1 << 20;
	o->bytes = 16 << 20;
	o->flows = 1;
	o->reps = 3;
	o->timeout = 300;
	o->listen = "0.0.0.0:4430";
	o->impls = 7;
	o->certs = 3;
	o->count = 200;
	o->concurrency = 1;
	o->pin_server = o->pin_client = -1;
	/* "+": stop at each word, so options may come before and after it */
	while (optind < argc) {
		c = getopt_long(argc, argv, "+h", long_opts, NULL);
		if (c == -1) {
			const char *w = argv[optind++];

			if (!strcmp(w, "help")) {
				usage();
				exit(0);
			}
			if (!strcmp(o->mode, "client") && !o->target) {
				o->target = w;
			} else if (!strcmp(o->mode, "run") &&
				   (!strcmp(w, "run") || !strcmp(w, "server") ||
				    !strcmp(w, "client") ||
				    !strcmp(w, "handshake"))) {
				o->mode = w;
			} else {
				return cli_bad("unexpected argument \"%s\"", w);
			}
			continue;
		}
		ret = parse_opt(c, o);
		if (ret)
			return ret;
	}
	if (!strcmp(o->mode, "client") && !o->target)
		return cli_bad("client needs HOST[:PORT]");
	if (!!o->cert != !!o->key)
		return cli_bad("--cert-file and --key-file go together");
	if ((o->server_ns || o->client_ns) && !o->addr)
		return cli_bad("with --server-netns/--client-netns, --addr IP says where the server is");
	return 0;
}

static char tmpdir[256];
static pid_t tmpdir_owner;
static char cert_path[512], key_path[512];

/*
 * Everything a run leaves in its folder (certificates per key type, the
 * pattern file, ktlsd's config, socket and log) goes with it: the folder
 * holds only files of ours, none in subfolders.
 */
static void remove_tmpdir(void)
{
	struct dirent *e;
	DIR *d;

	/* a forked side that exits early leaves it to the process that made it */
	if (!tmpdir[0] || getpid() != tmpdir_owner)
		return;
	d = opendir(tmpdir);
	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(tmpdir);
}

static int prepare(struct bench_opts *o)
{
	const char *t = getenv("TMPDIR");
	int ret;

	snprintf(tmpdir, sizeof(tmpdir), "%s/ktls-bench.XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "ktls-bench: cannot make %s: %s\n", tmpdir,
			strerror(errno));
		tmpdir[0] = 0;
		return 1;
	}
	o->tmpdir = tmpdir;
	tmpdir_owner = getpid();
	atexit(remove_tmpdir);
	if (o->cert || !strcmp(o->mode, "client") ||
	    !strcmp(o->mode, "handshake"))
		return 0;
	ret = bench_make_cert(tmpdir, "ecdsa-p256", cert_path, key_path,
			      sizeof(cert_path));
	if (ret) {
		fprintf(stderr, "ktls-bench: making a certificate: %s\n",
			strerror(-ret));
		return 1;
	}
	o->cert = cert_path;
	o->key = key_path;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	ret = prepare(&o);
	if (ret)
		return ret;
	if (!strcmp(o.mode, "server"))
		return bench_server(&o);
	if (!strcmp(o.mode, "client"))
		return bench_client(&o);
	if (!strcmp(o.mode, "handshake"))
		return bench_handshake(&o);
	return bench_run(&o);
}
