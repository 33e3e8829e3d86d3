// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-stat: which TCP connections the kernel's TLS (kTLS) carries, how
 * (version, cipher, software or device per direction), the namespace's
 * /proc/net/tls_stat counters, and, when something is not offloaded or
 * kTLS is missing, what to check.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stat.h"

static const char usage_text[] =
"usage: ktls-stat [OPTIONS] [ help ]\n"
"\n"
"TCP connections with their kernel TLS (ULP) state from sock_diag, then the\n"
"kTLS counters of /proc/net/tls_stat, for the network namespace it runs in\n"
"(use 'ip netns exec NAME ktls-stat' for another). Needs CAP_NET_ADMIN to\n"
"see sockets' ULP state.\n"
"\n"
"What to show (default: connections, then counters):\n"
"  -c, --connections     only the connection table\n"
"  -g, --global          only the /proc/net/tls_stat counters\n"
"  -a, --all             list TCP sockets without a ULP too\n"
"  -p, --port N          connections with N as local or peer port\n"
"                        (repeatable; plain TCP ones are listed too)\n"
"  -A, --addr IP         connections with IP as local or peer address\n"
"                        (repeatable; IPv4 or IPv6)\n"
"  -w, --watch [SECS]    print counter deltas and rates every SECS\n"
"                        seconds (default 1) until Ctrl-C\n"
"  -n, --count N         with --watch: stop after N samples\n"
"\n"
"Output:\n"
"  -j, --json            one JSON object (with --watch: one per sample)\n"
"  -P, --prometheus      Prometheus text format (node_exporter textfile)\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error, 3 kernel TLS is not\n"
"available here (not with --prometheus, which reports it as a metric).\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static const struct option long_opts[] = {
	{ "connections", no_argument, NULL, 'c' },
	{ "global", no_argument, NULL, 'g' },
	{ "all", no_argument, NULL, 'a' },
	{ "port", required_argument, NULL, 'p' },
	{ "addr", required_argument, NULL, 'A' },
	{ "watch", optional_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "prometheus", no_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* --watch takes an optional SECS, also as the next word ("--watch 2"). */
static int take_watch(struct stat_opts *o, int argc, char **argv)
{
	const char *arg = optarg;

	/* the next word is SECS when it is all digits */
	if (!arg && optind < argc && argv[optind][0] &&
	    strspn(argv[optind], "0123456789") == strlen(argv[optind]))
		arg = argv[optind++];
	if (!arg) {
		o->watch = 1;
		return 0;
	}
	if (cli_uint("--watch", arg, "whole seconds", 1, 3600, &o->watch))
		return CLI_EXIT_USAGE;
	return 0;
}

static int parse_args(struct stat_opts *o, int argc, char **argv)
{
	bool conns = false, global = false;
	unsigned int port;
	uint64_t v;
	int ch, ret;

	cli_init("ktls-stat");
	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "cgap:A:w::n:jPh", long_opts,
				 NULL)) != -1) {
		switch (ch) {
		case 'c':
			conns = true;
			break;
		case 'g':
			global = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'p':
			if (cli_uint("--port", optarg, "a port", 1, 65535,
				     &port))
				return CLI_EXIT_USAGE;
			if (o->nports == STAT_MAX_PORTS)
				return cli_bad("%s: too many --port options",
					       optarg);
			o->ports[o->nports++] = port;
			break;
		case 'A':
			if (o->naddrs == STAT_MAX_ADDRS)
				return cli_bad("%s: too many --addr options",
					   optarg);
			if (stat_parse_addr(optarg, &o->addrs[o->naddrs].family,
					    o->addrs[o->naddrs].a))
				return cli_bad("--addr wants an IPv4 or IPv6 address, not '%s'",
					   optarg);
			o->naddrs++;
			break;
		case 'w':
			ret = take_watch(o, argc, argv);
			if (ret)
				return ret;
			break;
		case 'n':
			if (cli_u64("--count", optarg, "a count", 1, ULONG_MAX,
				    &v))
				return CLI_EXIT_USAGE;
			o->count = v;
			break;
		case 'j':
			o->fmt = FMT_JSON;
			break;
		case 'P':
			o->fmt = FMT_PROM;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return cli_bad("unknown option or missing argument");
		}
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "help") && optind + 1 == argc) {
			usage(stdout);
			exit(0);
		}
		return cli_bad("unexpected argument '%s'", argv[optind]);
	}
	if (o->watch && o->fmt == FMT_PROM)
		return cli_bad("--watch prints deltas; --prometheus prints one sample (a scraper computes rates)");
	if (o->watch && conns)
		return cli_bad("--watch follows the counters; it does not go with --connections");
	if (o->count && !o->watch)
		return cli_bad("--count goes with --watch");
	o->conns = conns || !global;
	o->global = global || !conns;
	if (o->watch)
		o->conns = false;
	return 0;
}

static int report(const struct stat_opts *o)
{
	struct conn_list l = { 0 };
	struct counters c;
	struct env e;
	int ret;

	ret = stat_read_counters(&c);
	if (ret) {
		fprintf(stderr, "ktls-stat: reading /proc/net/tls_stat: %s\n",
			strerror(-ret));
		return 1;
	}
	stat_env(&e, &c);
	if (o->conns) {
		ret = stat_collect(o, &l);
		if (ret) {
			fprintf(stderr, "ktls-stat: sock_diag dump failed: %s\n",
				strerror(-ret));
			return 1;
		}
		stat_explain(&l, e.net_admin && (o->nports || o->naddrs));
	}
	if (o->fmt == FMT_JSON)
		stat_print_json(stdout, o, &e, &l, &c);
	else if (o->fmt == FMT_PROM)
		stat_print_prom(stdout, o, &e, &l, &c);
	else
		stat_print_table(stdout, o, &e, &l, &c);
	stat_conns_free(&l);
	if (fflush(stdout)) {
		fprintf(stderr, "ktls-stat: writing: %s\n", strerror(errno));
		return 1;
	}
	if (!c.present && o->fmt != FMT_PROM)
		return STAT_EXIT_NO_KTLS;
	return 0;
}

int main(int argc, char **argv)
{
	struct stat_opts o;
	int ret;

	ret = parse_args(&o, argc, argv);
	if (ret)
		return ret;
	if (o.watch)
		return stat_watch(&o);
	return report(&o);
}
