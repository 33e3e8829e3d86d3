// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-cat: netcat over kernel TLS. Connect or listen, run the handshake
 * with libktls, hand the keys to the kernel, then move bytes with plain
 * system calls: stdin to the peer and the peer to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cat.h"
#include "cli.h"
#include "sni_spec.h"

static void usage(void)
{
	fputs(
"usage: ktls-cat [OPTIONS] { connect HOST:PORT | listen [ADDR:]PORT | help }\n"
"\n"
"Netcat over kernel TLS: the handshake runs in user space (wolfSSL), then\n"
"the kernel encrypts and decrypts every record. stdin goes to the peer,\n"
"the peer's data to stdout. Messages and --info/--json go to stderr.\n"
"\n"
"Commands:\n"
"  connect HOST:PORT     connect to a TLS server\n"
"  listen [ADDR:]PORT    accept TLS clients (one, or --count N in turn)\n"
"  help                  this text\n"
"\n"
"TLS options:\n"
"  --sni NAME            server name to send and verify (default: HOST)\n"
"  --ca FILE             trust anchors (PEM) to verify the peer\n"
"  --cert FILE           our certificate chain (PEM); needed to listen\n"
"  --key FILE            our private key (PEM)\n"
"  --insecure            connect: do not verify the server certificate\n"
"  --verify-client       listen: require and verify a client certificate\n"
"  --tls 1.2|1.3         use only this TLS version (default: both)\n"
"  --cipher LIST         colon-separated suites, wolfSSL names (e.g.\n"
"                        TLS13-AES128-GCM-SHA256, ECDHE-ECDSA-AES128-CCM);\n"
"                        default: every suite kernel TLS can carry\n"
"  --alpn LIST           comma-separated ALPN protocols\n"
"  --no-tickets          listen: send no TLS 1.3 session ticket\n"
"  --timeout MS          handshake timeout in milliseconds (default 30000)\n"
"  --rekey-records N     records per key before our own KeyUpdate (TLS 1.3,\n"
"                        Linux 6.14+) or, when impossible, before closing\n"
"  --rekey-every BYTES   send a KeyUpdate (requesting the peer's) every BYTES\n"
"\n"
"Certificate policy options (see ktls-policy(7)):\n"
"  --chain FILE          PEM intermediates to send after --cert\n"
"  --sni-cert NAME:CERT:KEY[:CHAIN[:OCSP]]\n"
"                        listen: serve CERT to clients asking for NAME (or\n"
"                        *.DOMAIN); repeatable; others get --cert\n"
"  --ocsp-response FILE  listen: staple this DER OCSP response to --cert\n"
"  --require-ocsp        connect: the server must staple a good OCSP status\n"
"  --p12 FILE            our key and chain from PKCS#12 (instead of --cert/--key)\n"
"  --p12-pass-file FILE  PKCS#12 password: first line of FILE\n"
"  --p12-pass-env VAR    PKCS#12 password: environment variable VAR\n"
"  --allow-readable-key  accept a key file group or others can read\n"
"  --system-ca           also trust the system store (/etc/ssl/certs)\n"
"  --crl PATH            check revocation with a CRL file or folder (PEM/DER)\n"
"  --crl-optional        a missing or stale CRL is not fatal\n"
"  --allow-wildcards     accept a left-most \"*\" label in the server's name\n"
"  --no-cn-fallback      never match the subject CN, even without SAN\n"
"  --min-rsa-bits N      smallest RSA key in the peer's chain (default 2048)\n"
"  --min-ecc-bits N      smallest EC key in the peer's chain (default 256)\n"
"  --groups LIST         key exchange groups, e.g. P-256:X25519\n"
"  --sigalgs LIST        signature algorithms, e.g. ECDSA+SHA256:RSA-PSS+SHA256\n"
"  --insecure-anonymous  TLS 1.2 ADH-AES256-GCM-SHA384: NO authentication,\n"
"                        for debugging only; warns on every handshake\n"
"  --keylog FILE         append the connection's secrets (NSS key log\n"
"                        format) to FILE, with a warning\n"
"  --peer-cert           print the verified peer certificate (mutual TLS)\n"
"\n"
"Data options:\n"
"  --sendfile FILE       send FILE instead of stdin\n"
"  --io PATH             write (default), sendfile, splice, uring,\n"
"                        uring-zc (IORING_OP_SEND_ZC), uring-splice\n"
"  --zerocopy            sendfile with TLS_TX_ZEROCOPY_RO (device offload;\n"
"                        FILE must not change while it is sent)\n"
"  --no-stdin            send nothing, only receive\n"
"  --http                listen: answer one HTTP request with the input\n"
"  --count N             listen: serve N connections in turn (default 1);\n"
"                        connect: connect N times, resuming with a ticket\n"
"\n"
"Output options:\n"
"  --info                print version, cipher and, per direction, whether\n"
"                        the kernel (sw or device) or user space carries it\n"
"  --json                print info, errors and totals as JSON lines\n"
"  -q, --quiet           print nothing but errors\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 success, 1 TLS or I/O failure, 2 usage error.\n",
	stderr);
}

enum {
	OPT_SNI = 256, OPT_CA, OPT_CERT, OPT_KEY, OPT_INSECURE,
	OPT_VERIFY_CLIENT, OPT_TLS, OPT_CIPHER, OPT_ALPN, OPT_NO_TICKETS,
	OPT_TIMEOUT, OPT_REKEY_RECORDS, OPT_REKEY_EVERY, OPT_SENDFILE, OPT_IO,
	OPT_ZEROCOPY, OPT_NO_STDIN, OPT_HTTP, OPT_COUNT, OPT_INFO, OPT_JSON,
	OPT_CHAIN, OPT_P12, OPT_P12_PASS_FILE, OPT_P12_PASS_ENV,
	OPT_ALLOW_READABLE_KEY, OPT_SYSTEM_CA, OPT_CRL, OPT_CRL_OPTIONAL,
	OPT_ALLOW_WILDCARDS, OPT_NO_CN_FALLBACK, OPT_MIN_RSA_BITS,
	OPT_MIN_ECC_BITS, OPT_GROUPS, OPT_SIGALGS, OPT_INSECURE_ANONYMOUS,
	OPT_KEYLOG, OPT_PEER_CERT, OPT_SNI_CERT, OPT_OCSP_RESPONSE,
	OPT_REQUIRE_OCSP,
};

static const struct option long_opts[] = {
	{ "sni", required_argument, NULL, OPT_SNI },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "verify-client", no_argument, NULL, OPT_VERIFY_CLIENT },
	{ "tls", required_argument, NULL, OPT_TLS },
	{ "cipher", required_argument, NULL, OPT_CIPHER },
	{ "alpn", required_argument, NULL, OPT_ALPN },
	{ "no-tickets", no_argument, NULL, OPT_NO_TICKETS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "rekey-records", required_argument, NULL, OPT_REKEY_RECORDS },
	{ "rekey-every", required_argument, NULL, OPT_REKEY_EVERY },
	{ "sendfile", required_argument, NULL, OPT_SENDFILE },
	{ "io", required_argument, NULL, OPT_IO },
	{ "zerocopy", no_argument, NULL, OPT_ZEROCOPY },
	{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
	{ "http", no_argument, NULL, OPT_HTTP },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "p12", required_argument, NULL, OPT_P12 },
	{ "p12-pass-file", required_argument, NULL, OPT_P12_PASS_FILE },
	{ "p12-pass-env", required_argument, NULL, OPT_P12_PASS_ENV },
	{ "allow-readable-key", no_argument, NULL, OPT_ALLOW_READABLE_KEY },
	{ "system-ca", no_argument, NULL, OPT_SYSTEM_CA },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "crl-optional", no_argument, NULL, OPT_CRL_OPTIONAL },
	{ "allow-wildcards", no_argument, NULL, OPT_ALLOW_WILDCARDS },
	{ "no-cn-fallback", no_argument, NULL, OPT_NO_CN_FALLBACK },
	{ "min-rsa-bits", required_argument, NULL, OPT_MIN_RSA_BITS },
	{ "min-ecc-bits", required_argument, NULL, OPT_MIN_ECC_BITS },
	{ "groups", required_argument, NULL, OPT_GROUPS },
	{ "sigalgs", required_argument, NULL, OPT_SIGALGS },
	{ "insecure-anonymous", no_argument, NULL, OPT_INSECURE_ANONYMOUS },
	{ "keylog", required_argument, NULL, OPT_KEYLOG },
	{ "peer-cert", no_argument, NULL, OPT_PEER_CERT },
	{ "sni-cert", required_argument, NULL, OPT_SNI_CERT },
	{ "ocsp-response", required_argument, NULL, OPT_OCSP_RESPONSE },
	{ "require-ocsp", no_argument, NULL, OPT_REQUIRE_OCSP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_io(const char *s, enum cat_io *io)
{
	static const char *const names[] = {
		[IO_WRITE] = "write", [IO_SENDFILE] = "sendfile",
		[IO_SPLICE] = "splice", [IO_URING] = "uring",
		[IO_URING_ZC] = "uring-zc", [IO_URING_SPLICE] = "uring-splice",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*io = i;
			return 0;
		}
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct cat_opts *o)
{
	uint64_t v;
	int c;

	cli_init("ktls-cat");
	o->count = 1;
	while ((c = getopt_long(argc, argv, "qh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SNI:
			o->cfg.server_name = optarg;
			break;
		case OPT_CA:
			o->cfg.ca_file = optarg;
			break;
		case OPT_CERT:
			o->cfg.cert_file = optarg;
			break;
		case OPT_KEY:
			o->cfg.key_file = optarg;
			break;
		case OPT_INSECURE:
			o->cfg.flags |= KTLS_F_NO_VERIFY;
			break;
		case OPT_VERIFY_CLIENT:
			o->cfg.flags |= KTLS_F_VERIFY_CLIENT;
			break;
		case OPT_TLS:
			if (!strcmp(optarg, "1.2"))
				o->cfg.min_version = KTLS_TLS_1_2;
			else if (!strcmp(optarg, "1.3"))
				o->cfg.min_version = KTLS_TLS_1_3;
			else
				return cli_bad("--tls takes 1.2 or 1.3, not \"%s\"",
					   optarg);
			o->cfg.max_version = o->cfg.min_version;
			break;
		case OPT_CIPHER:
			o->cfg.ciphers = optarg;
			break;
		case OPT_ALPN:
			o->cfg.alpn = optarg;
			break;
		case OPT_NO_TICKETS:
			o->cfg.flags |= KTLS_F_NO_TICKETS;
			break;
		case OPT_TIMEOUT:
			if (cli_uint("--timeout", optarg, "milliseconds", 1,
				     3600000, &o->cfg.handshake_timeout_ms))
				return CLI_EXIT_USAGE;
			break;
		case OPT_REKEY_RECORDS:
			if (cli_u64("--rekey-records", optarg, "a count", 1,
				    UINT64_MAX, &v))
				return CLI_EXIT_USAGE;
			o->cfg.rekey_records = v;
			break;
		case OPT_REKEY_EVERY:
			if (cli_size("--rekey-every", optarg, 1, UINT64_MAX, &v))
				return CLI_EXIT_USAGE;
			o->rekey_every = v;
			break;
		case OPT_SENDFILE:
			o->sendfile = optarg;
			break;
		case OPT_IO:
			if (parse_io(optarg, &o->io))
				return cli_bad("--io takes write, sendfile, splice, uring, uring-zc or uring-splice, not \"%s\"",
					   optarg);
			break;
		case OPT_ZEROCOPY:
			o->cfg.flags |= KTLS_F_ZEROCOPY_SENDFILE;
			break;
		case OPT_NO_STDIN:
			o->no_stdin = true;
			break;
		case OPT_HTTP:
			o->http = true;
			break;
		case OPT_COUNT:
			if (cli_u64("--count", optarg, "a count", 1, 1000000,
				    &v))
				return CLI_EXIT_USAGE;
			o->count = v;
			break;
		case OPT_INFO:
			o->info = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_CHAIN:
			o->cfg.chain_file = optarg;
			break;
		case OPT_P12:
			o->cfg.p12_file = optarg;
			break;
		case OPT_P12_PASS_FILE:
			o->cfg.p12_pass_file = optarg;
			break;
		case OPT_P12_PASS_ENV:
			o->cfg.p12_pass_env = optarg;
			break;
		case OPT_ALLOW_READABLE_KEY:
			o->cfg.policy |= KTLS_P_ALLOW_READABLE_KEY;
			break;
		case OPT_SYSTEM_CA:
			o->cfg.policy |= KTLS_P_SYSTEM_CA;
			break;
		case OPT_CRL:
			o->cfg.crl = optarg;
			break;
		case OPT_CRL_OPTIONAL:
			o->cfg.policy |= KTLS_P_CRL_OPTIONAL;
			break;
		case OPT_ALLOW_WILDCARDS:
			o->cfg.policy |= KTLS_P_ALLOW_WILDCARDS;
			break;
		case OPT_NO_CN_FALLBACK:
			o->cfg.policy |= KTLS_P_NO_CN_FALLBACK;
			break;
		case OPT_MIN_RSA_BITS:
			if (cli_u64("--min-rsa-bits", optarg, "bits", 2048,
				    16384, &v))
				return CLI_EXIT_USAGE;
			o->cfg.min_rsa_bits = v;
			break;
		case OPT_MIN_ECC_BITS:
			if (cli_u64("--min-ecc-bits", optarg, "bits", 256, 521,
				    &v))
				return CLI_EXIT_USAGE;
			o->cfg.min_ecc_bits = v;
			break;
		case OPT_GROUPS:
			o->cfg.groups = optarg;
			break;
		case OPT_SIGALGS:
			o->cfg.sigalgs = optarg;
			break;
		case OPT_INSECURE_ANONYMOUS:
			o->cfg.policy |= KTLS_P_INSECURE_ANONYMOUS;
			break;
		case OPT_KEYLOG:
			o->cfg.policy |= KTLS_P_KEYLOG;
			o->cfg.keylog_file = optarg;
			break;
		case OPT_PEER_CERT:
			o->peer_cert = true;
			break;
		case OPT_SNI_CERT:
			if (sni_spec_add(&o->sni_certs, optarg))
				return cli_bad("--sni-cert %s: want NAME:CERT:KEY[:CHAIN[:OCSP]]",
					   optarg);
			break;
		case OPT_OCSP_RESPONSE:
			o->cfg.ocsp_response = optarg;
			break;
		case OPT_REQUIRE_OCSP:
			o->cfg.policy |= KTLS_P_REQUIRE_OCSP;
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
	o->cfg.sni_certs = o->sni_certs;
	if (optind >= argc)
		return cli_bad("no command: connect HOST:PORT or listen [ADDR:]PORT");
	if (!strcmp(argv[optind], "help")) {
		usage();
		exit(0);
	}
	if (!strcmp(argv[optind], "listen"))
		o->listen = true;
	else if (strcmp(argv[optind], "connect"))
		return cli_bad("unknown command \"%s\"", argv[optind]);
	if (optind + 1 >= argc)
		return cli_bad("%s needs an address", argv[optind]);
	if (optind + 2 < argc)
		return cli_bad("unexpected argument \"%s\"", argv[optind + 2]);
	o->addr = argv[optind + 1];
	o->cfg.role = o->listen ? KTLS_SERVER : KTLS_CLIENT;
	if (o->listen && !o->cfg.p12_file &&
	    !(o->cfg.policy & KTLS_P_INSECURE_ANONYMOUS) &&
	    (!o->cfg.cert_file || !o->cfg.key_file))
		return cli_bad("listen needs --cert FILE and --key FILE");
	if (o->io == IO_SENDFILE && !o->sendfile)
		return cli_bad("--io sendfile needs --sendfile FILE");
	if (o->http && !o->listen)
		return cli_bad("--http works with listen only");
	return 0;
}

/* One connection on @fd: handshake, then move data. */
static int serve(struct ktls_ctx *ctx, int fd, const struct cat_opts *o)
{
	unsigned long long sent = 0, received = 0;
	struct ktls_session *s;
	int ret;

	ret = ktls_session_new(ctx, fd, &s);
	if (ret) {
		cat_report_error(o, NULL, "session setup", ret);
		return ret;
	}
	ret = o->listen ? ktls_accept(s) : ktls_connect(s);
	if (ret) {
		cat_report_error(o, s, "handshake", ret);
		goto out;
	}
	if (o->info || o->json)
		cat_report_info(s, o);
	if (o->peer_cert)
		cat_report_peer(s, o);
	if (o->http)
		ret = cat_http(s, o, &sent);
	else
		ret = cat_pump(s, o, &sent, &received);
	if (ret && o->http)
		cat_report_error(o, s, "http", ret);
	if (!ret)
		cat_report_done(o, sent, received);
	/* keep a ticket that arrived late for the next connection */
	if (!o->listen && ktls_tickets_received(s))
		ktls_save_session(s);
out:
	ktls_session_free(s);
	return ret;
}

static int run(struct ktls_ctx *ctx, struct cat_opts *o)
{
	int lfd = -1, fd, i, ret = 0;
	char *h = NULL;

	if (o->listen) {
		lfd = cat_listen(o->addr);
		if (lfd < 0)
			return lfd;
	}
	for (i = 0; i < o->count && !ret; i++) {
		if (o->listen) {
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0) {
				ret = -errno;
				break;
			}
		} else {
			fd = cat_connect(o->addr, &h);
			free(h);
			if (fd < 0)
				return fd;
		}
		ret = serve(ctx, fd, o);
		close(fd);
	}
	if (lfd >= 0)
		close(lfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct cat_opts o;
	struct ktls_ctx *ctx;
	char *host = NULL;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	if (!o.listen && !o.cfg.server_name) {
		/* the default SNI is the host part of HOST:PORT */
		const char *colon = strrchr(o.addr, ':');

		if (colon) {
			host = strndup(o.addr[0] == '[' ? o.addr + 1 : o.addr,
				       colon - o.addr - (o.addr[0] == '[' ? 2 : 0));
			o.cfg.server_name = host;
		}
	}
	ret = ktls_ctx_new(&o.cfg, &ctx);
	if (ret) {
		fprintf(stderr, "ktls-cat: %s\n", ktls_ctx_error(ctx));
		ktls_ctx_free(ctx);
		free(host);
		return 1;
	}
	ret = run(ctx, &o);
	ktls_ctx_free(ctx);
	free(host);
	return ret ? 1 : 0;
}
