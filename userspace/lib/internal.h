/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libktls internals shared between the library's files. Not installed.
 */
#ifndef KTLS_INTERNAL_H
#define KTLS_INTERNAL_H

#include <wolfssl/options.h>
#ifndef ATOMIC_USER
#error "libktls needs wolfSSL built with ATOMIC_USER (key getters)"
#endif
#include <wolfssl/ssl.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <ktls/ktls.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define KTLS_EXPORT __attribute__((visibility("default")))

/* the tests that include this file may have the kselftest one already */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define KTLS_REC_HDR		5
#define KTLS_MAX_PLAIN		16384
#define KTLS_TEXT_MAX		512

/* Handshake message types seen after the handshake */
#define KTLS_HS_HELLO_REQUEST	0
#define KTLS_HS_NEW_TICKET	4
#define KTLS_HS_KEY_UPDATE	24

/* Key log (keylog.c): wolfSSL's TLS 1.3 secret ids 0..6, SHA-384 at most */
#define KTLS_KEYLOG_SECRETS	7
#define KTLS_KEYLOG_SECRET_MAX	48
#define KTLS_KEYLOG_RANDOM	32
#define KTLS_KEYLOG_LINE	200	/* longest label, random, secret */

/* A server identity picked by SNI: its own wolfSSL context. */
struct ktls_sni {
	char *name;			/* lower case; "*.x" for one label */
	struct ktls_ctx *ctx;
};

struct ktls_ctx {
	WOLFSSL_CTX *wctx;
	struct ktls_config cfg;
	struct ktls_sni *sni;		/* server: identities by SNI */
	size_t nsni;
	char *keylog_file;		/* KTLS_P_KEYLOG: where lines go */
	int keylog_fd;			/* open on it, when it is set */
	unsigned char *ocsp;		/* server: DER OCSP response to staple */
	size_t ocsp_len;
	char *server_name;
	char *ciphers;
	char *alpn;
	char *sigalgs;			/* again after a session's new key */
	/*
	 * client: last ticket for resumption. Sessions of one context may
	 * live in several threads: saved_lock guards it.
	 */
	WOLFSSL_SESSION *saved;
	pthread_mutex_t saved_lock;
	bool saved_lock_ready;
	struct __ktls_dctx *daemon;	/* sessions run by ktlsd, or NULL */
	char stale_crl[256];		/* issuer of a CRL past nextUpdate */
	char stale_date[32];		/* and that nextUpdate */
	char error[KTLS_TEXT_MAX];
};

/* The peer certificate problem seen in the verify callback. */
struct ktls_certerr {
	int error;
	enum ktls_reason reason;	/* set by the policy checks */
	char subject[160];
	char date[32];
	char detail[1024];		/* what the policy check found */
	char host[256];			/* name the server must match */
	int depth;			/* where in the chain */
	int chain_len;			/* certificates the peer sent */
};

struct ktls_session {
	struct ktls_ctx *ctx;
	WOLFSSL *ssl;			/* NULL when ktlsd runs the session */
	struct __ktls_dsess *daemon;	/* daemon_mode.c, or NULL */
	int fd;
	bool done;		/* handshake finished */
	bool offloaded;
	bool tx_kernel, rx_kernel;
	bool eof;
	int want;

	/* recv callback: never read past the current record */
	unsigned int rec_hdr_have;
	unsigned char rec_hdr[KTLS_REC_HDR];
	unsigned int rec_body_left;
	/* start of the peer's first record: up to a ClientHello's session id */
	unsigned char hello[48];
	unsigned int hello_len;
	/* RFC 8446 D.4: the dummy change_cipher_spec after our ServerHello */
	enum { KTLS_CCS_NONE, KTLS_CCS_OWED, KTLS_CCS_SENT } ccs;
	unsigned int ccs_hello_left;	/* ServerHello bytes still to send */
	unsigned int ccs_off;		/* CCS record bytes sent */
	bool peer_sent;			/* anything arrived at all */
	int io_errno;

	/* memory feed to wolfSSL after the switch (tickets, KeyUpdate) */
	bool feeding;
	const unsigned char *feed_buf;
	size_t feed_len;

	/* records and data after the switch */
	unsigned int version;
	unsigned int kcipher;
	uint64_t tx_records;
	uint64_t rekey_limit;
	uint64_t wolf_rx_seq;		/* wolfSSL's idea of the RX sequence */
	unsigned char *pend;		/* drained from wolfSSL at the switch */
	size_t pend_len, pend_off;
	unsigned char *hs;		/* partial post-handshake message */
	size_t hs_len;
	int peer_alert;			/* last alert from the peer, or -1 */
	int tickets;
	int keyupdates;

	/*
	 * Which socket the session belongs to, recorded when a daemon
	 * lets go of its descriptor, so that a descriptor handed back later
	 * is checked to be that same socket (SO_COOKIE, else the inode).
	 */
	bool sock_known;
	uint64_t sock_cookie;
	dev_t sock_dev;
	ino_t sock_ino;
	long long send_deadline;	/* __ktls_now_ms(); 0: block */

	/*
	 * Held while records go out and while keys change, so a sender
	 * thread never puts data under an old key after a KeyUpdate, and
	 * the wolfSSL object is used by one thread at a time. Recursive:
	 * rekeying sends records itself.
	 */
	pthread_mutex_t lock;

	/*
	 * TLS 1.3 secrets with key logging on, until the handshake is done.
	 * In the session itself, not beside it, so ktls_session_free()'s
	 * wipe of the session covers them whatever happens.
	 */
	bool keylog_armed;
	struct {
		unsigned int have;		/* bit per secret id */
		unsigned char random[KTLS_KEYLOG_RANDOM];
		unsigned char secret[KTLS_KEYLOG_SECRETS]
				    [KTLS_KEYLOG_SECRET_MAX];
		unsigned char len[KTLS_KEYLOG_SECRETS];
	} keylog;

	/*
	 * TLS 1.3 external PSK (psk.c). The key lives here so that the
	 * wipe of the session covers it; it is wiped as soon as the
	 * handshake no longer needs it.
	 */
	char *psk_id;			/* client: ours; server: last looked up */
	unsigned char psk_key[48];
	unsigned int psk_len;		/* 0: none, or @psk_id is unknown */
	ktls_psk_lookup_fn psk_lookup;	/* server */
	void *psk_arg;
	int psk_lookup_err;		/* what the lookup said of @psk_id */

	struct ktls_certerr certerr;
	enum ktls_reason reason;
	char text[KTLS_TEXT_MAX];
};

static inline void __ktls_lock(struct ktls_session *s)
{
	pthread_mutex_lock(&s->lock);
}

static inline void __ktls_unlock(struct ktls_session *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* reason.c */
const char *__ktls_escape(const char *in, char *out, size_t len);
int __ktls_fail(struct ktls_session *s, enum ktls_reason r, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const char *__ktls_version_name(unsigned int v);

/* ciphers.c */
const char *__ktls_default_ciphers(void);
int __ktls_kernel_cipher(WOLFSSL *ssl, unsigned int *kcipher);
const char *__ktls_kernel_cipher_name(unsigned int kcipher);

/* handshake.c */
int __ktls_classify(struct ktls_session *s, int werr);

/* verify.c */
int __ktls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);
void __ktls_verify_setup(struct ktls_session *s);
int __ktls_cert_fail(struct ktls_session *s);
void __ktls_verify_set_host(struct ktls_session *s, const char *name);

/* verify_host.c */
int __ktls_cert_ext(WOLFSSL_X509 *x, const unsigned char *oid, size_t oid_len,
		    const unsigned char **val, size_t *val_len);
int __ktls_host_check(struct ktls_session *s, WOLFSSL_X509 *x);
int __ktls_cert_sans(WOLFSSL_X509 *x, char *buf, size_t len);

/* verify_policy.c */
int __ktls_cert_policy(struct ktls_session *s, WOLFSSL_X509 *x, int depth,
		       bool self_signed);

/* psk.c */
bool __ktls_psk_session(const struct ktls_session *s);
int __ktls_psk_classify(struct ktls_session *s, int werr, int alert);
int __ktls_psk_cert_seen(struct ktls_session *s);
void __ktls_psk_done(struct ktls_session *s);
int __ktls_session_suites(struct ktls_session *s, const char *list);

/* certs.c */
int __ktls_load_identity(struct ktls_ctx *ctx, const struct ktls_config *cfg);
int __ktls_load_crl(struct ktls_ctx *ctx, const struct ktls_config *cfg);

/* context.c */
int __ktls_ctx_build(struct ktls_ctx *ctx, const struct ktls_config *cfg);
int __ktls_ctx_err(struct ktls_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sni.c */
int __ktls_sni_check(struct ktls_ctx *ctx, const struct ktls_config *cfg);
int __ktls_sni_load(struct ktls_ctx *ctx, const struct ktls_config *cfg);
void __ktls_sni_free(struct ktls_ctx *ctx);

/* keylog.c */
int __ktls_keylog_open(struct ktls_ctx *ctx, const struct ktls_config *cfg);
void __ktls_keylog_close(struct ktls_ctx *ctx);
int __ktls_keylog_arm(struct ktls_session *s);
int __ktls_keylog(struct ktls_session *s);

/* ocsp.c */
int __ktls_ocsp_setup(struct ktls_ctx *ctx, const struct ktls_config *cfg);

/* policy.c */
int __ktls_policy_check(struct ktls_ctx *ctx, const struct ktls_config *cfg);
int __ktls_policy_apply(struct ktls_ctx *ctx, const struct ktls_config *cfg);

/* offload.c */
int __ktls_install(struct ktls_session *s, int dir);

/* carrier.c */
int __ktls_carriers(int fd, enum ktls_carrier *tx, enum ktls_carrier *rx);

/* hs_rules.c: the one post-handshake message parser */
size_t __ktls_hs_whole(const unsigned char *m, size_t avail);
int __ktls_post_hs(struct ktls_session *s, const unsigned char *m,
		   bool keep_ticket, char *why, size_t whylen);

/*
 * feed.c: what libktls infers of wolfSSL's state after the switch, where
 * wolfSSL has no call to say it: the keys it holds, its RX sequence, and
 * whether it moved its TX key on its own.
 */
int __ktls_feed(struct ktls_session *s, const unsigned char *msg, size_t len);
int __ktls_wolf_next_tx(struct ktls_session *s);
struct __ktls_wolf_mark {
	unsigned char key[32];
	int len;
};
void __ktls_wolf_mark_tx(struct ktls_session *s, struct __ktls_wolf_mark *m);
bool __ktls_wolf_tx_moved(struct ktls_session *s,
			  struct __ktls_wolf_mark *m);

/* rekey.c */
int __ktls_peer_key_update(struct ktls_session *s, int update_requested);
/* what __ktls_tx_begin() is about to send */
#define KTLS_TX_DATA		0
#define KTLS_TX_CONTROL		1
int __ktls_tx_begin(struct ktls_session *s, size_t bytes, int what);
void __ktls_tx_end(struct ktls_session *s);

/* context.c */
bool __ktls_tail_is_zero(const void *p, size_t known, size_t size);

/* daemon_client.c */
struct ktls_daemon_op;
int __ktls_daemon_request_copy(struct ktls_daemon_request *dst,
			       const struct ktls_daemon_request *src,
			       size_t size);
int __ktls_daemon_submit(int fd, const struct ktls_daemon_request *req,
			 struct ktls_daemon_op **opp,
			 struct ktls_daemon_result *res);
int __ktls_daemon_session_op(const char *socket_path, int fd,
			     uint64_t session_id, const void *msg, size_t len,
			     int request_peer, unsigned int timeout_ms,
			     struct ktls_daemon_result *res);

/* daemon_mode.c: the branches of a session ktlsd runs */
void __ktls_daemon_ctx_free(struct ktls_ctx *ctx);
int __ktls_daemon_session_init(struct ktls_session *s);
void __ktls_daemon_session_free(struct ktls_session *s);
int __ktls_daemon_set_name(struct ktls_session *s, const char *name,
			   bool alpn);
int __ktls_daemon_step(struct ktls_session *s, int *want);
int __ktls_daemon_info(const struct ktls_session *s, struct ktls_info *info);
int __ktls_daemon_peer(const struct ktls_session *s, char *buf, size_t len);
int __ktls_daemon_post_hs(struct ktls_session *s, const unsigned char *msg,
			  size_t len);
int __ktls_daemon_roll_tx(struct ktls_session *s, int request_peer);

/* deadline.c */
long long __ktls_now_ms(void);
int __ktls_wait_fd(int fd, short events, long long deadline);

/* record_msg.c: a msghdr carrying one record and its content type */
void __ktls_typed_msg_init(struct ktls_uring_msg *m, const void *buf,
			   size_t len, int type);

/* fail.c: the fatal alert after the handoff */
int __ktls_refuse(struct ktls_session *s, int alert, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
ssize_t __ktls_recv_failed(struct ktls_session *s, ssize_t err);

/* record.c */
ssize_t __ktls_recv_record(struct ktls_session *s, void *buf, size_t len,
			   unsigned char *type);

#endif /* KTLS_INTERNAL_H */
