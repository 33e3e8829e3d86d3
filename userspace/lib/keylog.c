// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key logging, only when asked for in so many words (KTLS_P_KEYLOG and a
 * file): for TLS 1.2 the NSS key log line "CLIENT_RANDOM <random>
 * <master secret>" that Wireshark and tshark read. TLS 1.3 needs the
 * traffic secrets, which Debian's wolfSSL cannot export (no
 * HAVE_SECRET_CALLBACK), so such a handshake is refused rather than
 * logged in part. Every logged handshake warns on standard error.
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

/**
 * __ktls_keylog() - write the key log line of a finished handshake
 * @s: session whose handshake just completed
 *
 * Return: 0 (also when key logging is off), or a negative errno with the
 * session's reason set.
 */
int __ktls_keylog(struct ktls_session *s)
{
	unsigned char random[32], master[48];
	char line[16 + 2 * 32 + 1 + 2 * 48 + 2];
	const char *path = s->ctx->keylog_file;
	WOLFSSL_SESSION *sess;
	int fd, ret = 0, n;

	if (!(s->ctx->cfg.policy & KTLS_P_KEYLOG))
		return 0;
	if (wolfSSL_version(s->ssl) == TLS1_3_VERSION)
		return __ktls_fail(s, KTLS_R_KEYLOG_TLS13, -EOPNOTSUPP,
				   "key logging is on, but TLS 1.3 was negotiated and this wolfSSL cannot export TLS 1.3 secrets (no HAVE_SECRET_CALLBACK): use TLS 1.2 to log keys, or the peer's key log");
	sess = wolfSSL_get_session(s->ssl);
	if (wolfSSL_get_client_random(s->ssl, random, sizeof(random))
	    != sizeof(random) || !sess ||
	    wolfSSL_SESSION_get_master_key(sess, master, sizeof(master))
	    != sizeof(master)) {
		ret = __ktls_fail(s, KTLS_R_INTERNAL, -EOPNOTSUPP,
				  "key logging is on, but wolfSSL did not give the client random and master secret");
		goto out;
	}
	memcpy(line, "CLIENT_RANDOM ", 14);
	hex(line + 14, random, sizeof(random));
	line[14 + 64] = ' ';
	hex(line + 15 + 64, master, sizeof(master));
	n = strlen(line);
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, n) != n) {
		ret = __ktls_fail(s, KTLS_R_CONFIG, fd < 0 ? -errno : -EIO,
				  "cannot append to key log %s: %s", path,
				  strerror(errno));
	} else {
		fprintf(stderr,
			"libktls: WARNING: TLS 1.2 master secret written to key log %s: anyone who reads it can decrypt this connection\n",
			path);
	}
	if (fd >= 0)
		close(fd);
out:
	explicit_bzero(master, sizeof(master));
	explicit_bzero(line, sizeof(line));
	return ret;
}
