/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support: OpenSSL's s_server and s_client as peers of a libktls
 * session (started, watched through their output, stopped), the
 * handshake without kernel TLS, and external PSK files for OpenSSL.
 */
#ifndef KTLS_TEST_OSSL_PEER_H
#define KTLS_TEST_OSSL_PEER_H

#include <sys/types.h>
#include <ktls/ktls.h>

/* every wait for a peer gives up after this */
#define PEER_WAIT_MS	20000

/* an openssl process; its output goes to @log */
struct peer {
	pid_t pid;
	int in;			/* its stdin, kept open until the end */
	char log[128];
};

/* where the peers' output files go; set before the first peer_start() */
extern const char *peer_dir;

long long peer_now_ms(void);
void peer_hex(const char *h, unsigned char *out, size_t n);
int peer_psk_session(const char *path, const unsigned char *key);
int peer_start(struct peer *p, const char *const argv[]);
const char *peer_log(const struct peer *p);
const char *peer_wait(const struct peer *p, const char *needle);
void peer_stop(struct peer *p);
int peer_server(struct peer *p, const char *const args[]);
int peer_tcp_connect(int port);
int peer_client(struct peer *p, const char *const args[]);
int peer_handshake(struct ktls_session *s);

#endif /* KTLS_TEST_OSSL_PEER_H */
