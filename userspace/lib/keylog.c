// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key logging, only when asked for in so many words (KTLS_P_KEYLOG and a
 * file; never through an environment variable): the NSS key log lines
 * Wireshark and tshark read, keyed by the client random. TLS 1.2 gets
 * "CLIENT_RANDOM <random> <master secret>"; TLS 1.3 its handshake and
 * first application traffic secrets and the exporter secret, which
 * wolfSSL hands out only when built with HAVE_SECRET_CALLBACK (ours is;
 * Debian's is not, so with make WOLFSSL=system a TLS 1.3 handshake is
 * refused rather than logged in part). Every logged handshake warns on
 * standard error.
 *
 * The file is opened once, when the context is built: a daemon builds its
 * contexts before it drops privileges, so the file may live where only
 * root can write, and no later rename or symlink can redirect the lines.
 *
 * TLS 1.3 secrets arrive one by one during the handshake. They are kept in
 * the session and written only once the handshake succeeded, in a single
 * write(): a failed or abandoned handshake leaves nothing behind, and
 * handshakes finishing at once on several threads never interleave their
 * lines. The session wipes them after writing, and ktls_session_free()
 * wipes the whole session.
 *
 * Later generations of the traffic secrets (KeyUpdate) are not logged:
 * wolfSSL derives them without the callback, and Wireshark derives them
 * itself from generation 0 as it decrypts the KeyUpdate messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * Append "LABEL <random> <secret>\n" at @out (room for KTLS_KEYLOG_LINE):
 * return its length.
 */
static size_t format_line(char *out, const char *label,
			  const unsigned char *random,
			  const unsigned char *secret, size_t len)
{
	size_t n = strlen(label);

	memcpy(out, label, n);
	out[n++] = ' ';
	hex(out + n, random, KTLS_KEYLOG_RANDOM);
	n += 2 * KTLS_KEYLOG_RANDOM;
	out[n++] = ' ';
	hex(out + n, secret, len);
	n += 2 * len;
	out[n++] = '\n';
	return n;
}

/**
 * __ktls_keylog_open() - open the key log file of a context being built
 * @ctx: context (keylog_fd is valid exactly when keylog_file is set)
 * @cfg: configuration, already checked by __ktls_policy_check()
 *
 * Return: 0 (also when key logging is off), or a negative errno with
 * ctx->error set.
 */
int __ktls_keylog_open(struct ktls_ctx *ctx, const struct ktls_config *cfg)
{
	int fd;

	if (!(cfg->policy & KTLS_P_KEYLOG))
		return 0;
	fd = open(cfg->keylog_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		  O_NOCTTY, 0600);
	if (fd < 0) {
		int err = -errno;

		return __ktls_ctx_err(ctx, err, "cannot open key log %.200s: %s",
				      cfg->keylog_file, strerror(-err));
	}
	ctx->keylog_file = strdup(cfg->keylog_file);
	if (!ctx->keylog_file) {
		close(fd);
		return __ktls_ctx_err(ctx, -ENOMEM, "out of memory");
	}
	ctx->keylog_fd = fd;
	return 0;
}

/**
 * __ktls_keylog_close() - close a context's key log file
 * @ctx: context
 */
void __ktls_keylog_close(struct ktls_ctx *ctx)
{
	if (!ctx->keylog_file)
		return;
	close(ctx->keylog_fd);
	free(ctx->keylog_file);
	ctx->keylog_file = NULL;
}

#if defined(HAVE_SECRET_CALLBACK) && defined(WOLFSSL_TLS13)
/* NSS key log labels, by wolfSSL's enum Tls13Secret */
static const char *const tls13_label[KTLS_KEYLOG_SECRETS] = {
	[CLIENT_EARLY_TRAFFIC_SECRET] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[CLIENT_HANDSHAKE_TRAFFIC_SECRET] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[SERVER_HANDSHAKE_TRAFFIC_SECRET] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[CLIENT_TRAFFIC_SECRET] = "CLIENT_TRAFFIC_SECRET_0",
	[SERVER_TRAFFIC_SECRET] = "SERVER_TRAFFIC_SECRET_0",
	[EARLY_EXPORTER_SECRET] = "EARLY_EXPORTER_SECRET",
	[EXPORTER_SECRET] = "EXPORTER_SECRET",
};

/* What the handshake cannot have succeeded without. */
#define TLS13_NEEDED	(1u << CLIENT_HANDSHAKE_TRAFFIC_SECRET | \
			 1u << SERVER_HANDSHAKE_TRAFFIC_SECRET | \
			 1u << CLIENT_TRAFFIC_SECRET | \
			 1u << SERVER_TRAFFIC_SECRET)

/*
 * wolfSSL's TLS 1.3 secret callback: keep a copy until the handshake is
 * done. A HelloRetryRequest changes nothing here (the secrets come only
 * after the real ServerHello, and the second ClientHello keeps the
 * random); a resumed handshake derives the same set of secrets.
 */
static int tls13_secret(WOLFSSL *ssl, int id, const unsigned char *secret,
			int len, void *arg)
{
	struct ktls_session *s = arg;

	if (id < 0 || id >= KTLS_KEYLOG_SECRETS || !tls13_label[id] ||
	    len <= 0 || len > KTLS_KEYLOG_SECRET_MAX)
		return 0;	/* not one we log: never break the handshake */
	if (!s->keylog.have &&
	    wolfSSL_get_client_random(ssl, s->keylog.random,
				      KTLS_KEYLOG_RANDOM) != KTLS_KEYLOG_RANDOM)
		return -1;
	/*
	 * wolfSSL derives the exporter secret only for a session that keeps
	 * its handshake arrays; a TLS 1.3 session keeps them anyway (for
	 * post-handshake authentication), so this changes nothing else.
	 */
	wolfSSL_KeepArrays(ssl);
	memcpy(s->keylog.secret[id], secret, len);
	s->keylog.len[id] = len;
	s->keylog.have |= 1u << id;
	return 0;
}

/**
 * __ktls_keylog_arm() - collect TLS 1.3 secrets during the handshake
 * @s: session before its first handshake step
 *
 * Return: 0 or a negative errno with the session's reason set.
 */
int __ktls_keylog_arm(struct ktls_session *s)
{
	if (!(s->ctx->cfg.policy & KTLS_P_KEYLOG))
		return 0;
	if (wolfSSL_set_tls13_secret_cb(s->ssl, tls13_secret, s) !=
	    WOLFSSL_SUCCESS)
		return __ktls_fail(s, KTLS_R_INTERNAL, -EINVAL,
				   "key logging is on, but wolfSSL refused the TLS 1.3 secret callback");
	return 0;
}

static int tls13_lines(struct ktls_session *s, char *buf, size_t *n)
{
	unsigned int id;

	if ((s->keylog.have & TLS13_NEEDED) != TLS13_NEEDED)
		return __ktls_fail(s, KTLS_R_INTERNAL, -EPROTO,
				   "key logging is on, but wolfSSL did not give every TLS 1.3 traffic secret");
	*n = 0;
	for (id = 0; id < KTLS_KEYLOG_SECRETS; id++)
		if (s->keylog.have & (1u << id))
			*n += format_line(buf + *n, tls13_label[id],
					  s->keylog.random,
					  s->keylog.secret[id],
					  s->keylog.len[id]);
	return 0;
}
#else
int __ktls_keylog_arm(struct ktls_session *s)
{
	return 0;
}

static int tls13_lines(struct ktls_session *s, char *buf, size_t *n)
{
	return __ktls_fail(s, KTLS_R_KEYLOG_TLS13, -EOPNOTSUPP,
			   "key logging is on, but TLS 1.3 was negotiated and this wolfSSL cannot export TLS 1.3 secrets (no HAVE_SECRET_CALLBACK): use TLS 1.2 to log keys, or the peer's key log");
}
#endif

static int tls12_line(struct ktls_session *s, char *buf, size_t *n)
{
	unsigned char random[KTLS_KEYLOG_RANDOM], master[48];
	WOLFSSL_SESSION *sess = wolfSSL_get_session(s->ssl);
	int ret = 0;

	if (wolfSSL_get_client_random(s->ssl, random, sizeof(random))
	    != sizeof(random) || !sess ||
	    wolfSSL_SESSION_get_master_key(sess, master, sizeof(master))
	    != sizeof(master))
		ret = __ktls_fail(s, KTLS_R_INTERNAL, -EOPNOTSUPP,
				  "key logging is on, but wolfSSL did not give the client random and master secret");
	else
		*n = format_line(buf, "CLIENT_RANDOM", random, master,
				 sizeof(master));
	explicit_bzero(master, sizeof(master));
	return ret;
}

/**
 * __ktls_keylog() - write the key log lines of a finished handshake
 * @s: session whose handshake just completed
 *
 * Return: 0 (also when key logging is off), or a negative errno with the
 * session's reason set.
 */
int __ktls_keylog(struct ktls_session *s)
{
	char buf[KTLS_KEYLOG_SECRETS * KTLS_KEYLOG_LINE];
	bool tls13 = wolfSSL_version(s->ssl) == TLS1_3_VERSION;
	const char *path = s->ctx->keylog_file;
	size_t n = 0;
	ssize_t w;
	int ret;

	if (!(s->ctx->cfg.policy & KTLS_P_KEYLOG))
		return 0;
	ret = tls13 ? tls13_lines(s, buf, &n) : tls12_line(s, buf, &n);
	explicit_bzero(&s->keylog, sizeof(s->keylog));
	if (ret)
		goto out;
	w = write(s->ctx->keylog_fd, buf, n);
	if (w != (ssize_t)n)
		ret = __ktls_fail(s, KTLS_R_CONFIG, w < 0 ? -errno : -EIO,
				  "cannot append to key log %s: %s", path,
				  w < 0 ? strerror(errno) : "short write");
	else
		fprintf(stderr,
			"libktls: WARNING: %s written to key log %s: anyone who reads it can decrypt this connection\n",
			tls13 ? "TLS 1.3 traffic secrets" :
				"TLS 1.2 master secret", path);
out:
	explicit_bzero(buf, sizeof(buf));
	return ret;
}
