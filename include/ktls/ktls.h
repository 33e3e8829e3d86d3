/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libktls: complete a TLS handshake in user space (wolfSSL), then hand the
 * record layer to kernel TLS (setsockopt SOL_TLS TLS_TX/TLS_RX).
 *
 * Every call returns a negative errno on failure. A failed handshake also
 * leaves a structured reason (enum ktls_reason) and a sentence a person can
 * act on in the session: ktls_reason() and ktls_reason_text().
 *
 * Threads: a context (struct ktls_ctx) may be shared by threads once
 * ktls_ctx_new() returned: sessions may be made from it, and a client's
 * ticket kept in it (ktls_save_session(), or ktls_recv() when a TLS 1.3
 * ticket arrives), from any thread at once; ktls_ctx_free() only after all
 * its sessions are freed. A session (struct ktls_session) belongs to one
 * thread at a time: calls on one session must not overlap. Calls that take
 * only a descriptor (ktls_fd_*) follow the socket's own rules.
 * (Tested under ThreadSanitizer: selftests/unit/ktls_threads.c.)
 */
#ifndef KTLS_KTLS_H
#define KTLS_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this header. The library's soname is libktls.so.MAJOR: a
 * minor version only adds, a new major version may break callers.
 */
#define KTLS_VERSION_MAJOR	1
#define KTLS_VERSION_MINOR	0
#define KTLS_VERSION_PATCH	0

/*
 * KTLS_CHECK_VERSION(major, minor): true when this header is major.minor or
 * a later minor version of the same major, i.e. has what major.minor has.
 * ktls_check_version() asks the same of the library running.
 */
#define KTLS_CHECK_VERSION(major, minor) \
	(KTLS_VERSION_MAJOR == (major) && KTLS_VERSION_MINOR >= (minor))

/* Protocol versions as on the wire. */
#define KTLS_TLS_1_2		0x0303
#define KTLS_TLS_1_3		0x0304

/* TLS record content types (RFC 8446 5.1); ktls_content_type_name() */
enum ktls_content_type {
	KTLS_CT_CHANGE_CIPHER_SPEC = 20,
	KTLS_CT_ALERT = 21,
	KTLS_CT_HANDSHAKE = 22,
	KTLS_CT_APPLICATION_DATA = 23,
};

/*
 * Alert levels (RFC 8446 6); TLS 1.3 treats every alert but close_notify
 * and user_canceled as fatal whatever its level.
 */
#define KTLS_ALERT_LEVEL_WARNING	1
#define KTLS_ALERT_LEVEL_FATAL		2

/* Alert descriptions (RFC 8446 6); ktls_alert_name() */
#define KTLS_ALERT_CLOSE_NOTIFY			0
#define KTLS_ALERT_UNEXPECTED_MESSAGE		10
#define KTLS_ALERT_BAD_RECORD_MAC		20
#define KTLS_ALERT_RECORD_OVERFLOW		22
#define KTLS_ALERT_HANDSHAKE_FAILURE		40
#define KTLS_ALERT_BAD_CERTIFICATE		42
#define KTLS_ALERT_UNSUPPORTED_CERTIFICATE	43
#define KTLS_ALERT_CERTIFICATE_REVOKED		44
#define KTLS_ALERT_CERTIFICATE_EXPIRED		45
#define KTLS_ALERT_CERTIFICATE_UNKNOWN		46
#define KTLS_ALERT_ILLEGAL_PARAMETER		47
#define KTLS_ALERT_UNKNOWN_CA			48
#define KTLS_ALERT_ACCESS_DENIED		49
#define KTLS_ALERT_DECODE_ERROR			50
#define KTLS_ALERT_DECRYPT_ERROR		51
#define KTLS_ALERT_PROTOCOL_VERSION		70
#define KTLS_ALERT_INSUFFICIENT_SECURITY	71
#define KTLS_ALERT_INTERNAL_ERROR		80
#define KTLS_ALERT_INAPPROPRIATE_FALLBACK	86
#define KTLS_ALERT_USER_CANCELED		90
#define KTLS_ALERT_NO_RENEGOTIATION		100	/* TLS 1.2 only */
#define KTLS_ALERT_MISSING_EXTENSION		109
#define KTLS_ALERT_UNSUPPORTED_EXTENSION	110
#define KTLS_ALERT_UNRECOGNIZED_NAME		112
#define KTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE 113
#define KTLS_ALERT_UNKNOWN_PSK_IDENTITY		115
#define KTLS_ALERT_CERTIFICATE_REQUIRED		116
#define KTLS_ALERT_NO_APPLICATION_PROTOCOL	120

enum ktls_role {
	KTLS_CLIENT = 0,
	KTLS_SERVER = 1,
};

/* ktls_config.flags */
#define KTLS_F_NO_VERIFY	(1u << 0)	/* client: accept any server */
#define KTLS_F_VERIFY_CLIENT	(1u << 1)	/* server: require a client cert */
#define KTLS_F_NO_TICKETS	(1u << 2)	/* server: send no session ticket */
#define KTLS_F_ZEROCOPY_SENDFILE (1u << 3)	/* TLS_TX_ZEROCOPY_RO (opt-in) */
/* (1u << 4) was KTLS_F_TX_ONLY: removed, see ktls_offload() */
#define KTLS_F_ALLOW_USERSPACE	(1u << 5)	/* see ktls_offload() */
/*
 * KTLS_F_PSK: the context is for TLS 1.3 external PSK sessions
 * (ktls_session_set_psk(), ktls_session_set_psk_lookup()): TLS 1.3 only,
 * a server needs no certificate or key of its own, and a client without
 * a CA loads no trust store (its PSK sessions take no certificate). Its
 * server sessions may also get their identity one by one from
 * ktls_session_use_cert_der().
 * KTLS_F_ASK_CLIENT_CERT: server: ask for a client certificate; one that is
 * sent is verified fully (chain, CRL, policy), a client that sends none is
 * accepted (ktls_peer_identity() then returns -ENOENT). Not together with
 * KTLS_F_VERIFY_CLIENT.
 */
#define KTLS_F_PSK		(1u << 6)
#define KTLS_F_ASK_CLIENT_CERT	(1u << 7)

/* ktls_config.policy: certificate policy switches (see ktls-policy.7) */
#define KTLS_P_ALLOW_WILDCARDS	(1u << 0)	/* "*." as the left-most label */
#define KTLS_P_NO_CN_FALLBACK	(1u << 1)	/* never match the subject CN */
#define KTLS_P_CRL_OPTIONAL	(1u << 2)	/* missing/stale CRL is not fatal */
#define KTLS_P_ALLOW_READABLE_KEY (1u << 3)	/* key file may be group/other readable */
#define KTLS_P_INSECURE_ANONYMOUS (1u << 4)	/* TLS 1.2 ADH, no authentication */
#define KTLS_P_SYSTEM_CA	(1u << 5)	/* also trust the system store */
#define KTLS_P_KEYLOG		(1u << 6)	/* key log: see ktls-policy.7 */
#define KTLS_P_REQUIRE_OCSP	(1u << 7)	/* client: server must staple */

/**
 * struct ktls_sni_cert - a server identity chosen by the client's SNI
 * @name: "host.example" (exact, any case) or "*.example" (one label)
 * @cert_file: PEM or DER certificate (chain) for that name
 * @key_file: its private key
 * @chain_file: PEM intermediates sent after @cert_file, or NULL
 * @ocsp_response: DER OCSP response stapled for @cert_file, or NULL
 *
 * An array of these ends with an entry whose @name is NULL. It has no
 * reserved room and takes no size: the library reads it only through
 * struct ktls_config.sni_certs, and a later version that needs more per
 * name adds a new array there (a new field, zero in older callers),
 * leaving this layout as it is.
 */
struct ktls_sni_cert {
	const char *name;
	const char *cert_file;
	const char *key_file;
	const char *chain_file;
	const char *ocsp_response;
};

/**
 * struct ktls_config - what a context is built from
 * @role: KTLS_CLIENT or KTLS_SERVER
 * @cert_file: PEM certificate chain (server; client for mutual TLS)
 * @key_file: PEM private key matching @cert_file
 * @ca_file: PEM trust anchors used to verify the peer
 * @ca_path: folder of PEM trust anchors (may be combined with @ca_file)
 * @min_version: KTLS_TLS_1_2 (default) or KTLS_TLS_1_3
 * @max_version: KTLS_TLS_1_3 (default) or KTLS_TLS_1_2
 * @ciphers: colon-separated wolfSSL/OpenSSL suite names; NULL means every
 *	suite the kernel can take over
 * @alpn: comma-separated ALPN protocols, or NULL
 * @server_name: client: SNI and the name the certificate must match; an
 *	IP address literal ("192.0.2.1", "::1") is matched against the
 *	certificate's IP address SANs and is never sent as SNI (RFC 6066 3)
 * @flags: KTLS_F_*; KTLS_F_NO_TICKETS makes a TLS 1.3 server send no
 *	NewSessionTicket at all (kernel consumers read the first record after
 *	the handshake as their own)
 * @handshake_timeout_ms: blocking handshake gives up after this (0: 30 s)
 * @rekey_records: records sent before our own key update (TLS 1.3, 6.14+)
 *	or, when rekey is impossible, before the connection is closed; 0 picks
 *	a safe limit for the cipher
 * @crl: CRL file (PEM or DER) or folder of them; revocation is checked for
 *	the whole chain when set, and a missing or stale CRL fails closed
 * @chain_file: PEM intermediates we send after @cert_file
 * @p12_file: PKCS#12 file with our key, certificate and chain (instead of
 *	@cert_file and @key_file)
 * @p12_pass_file: file whose first line is the PKCS#12 password
 * @p12_pass_env: name of an environment variable holding that password
 * @groups: colon-separated key exchange groups in order of preference,
 *	e.g. "X25519:P-256"; NULL: X25519, P-256, then the rest (ktls-policy.7)
 * @sigalgs: colon-separated signature algorithms, e.g. "ECDSA+SHA256"
 * @policy: KTLS_P_*
 * @min_rsa_bits: smallest RSA key in the peer's chain (0: 2048, less refused)
 * @min_ecc_bits: smallest EC key in the peer's chain (0: 256, less refused)
 * @sni_certs: server: more identities, picked by the client's SNI (first
 *	match); no SNI, or one that matches none, gets @cert_file
 * @ocsp_response: server: DER OCSP response file stapled to @cert_file
 *	when the client asks (status_request)
 * @keylog_file: with KTLS_P_KEYLOG, every handshake's secrets are appended
 *	here in NSS key log format (opened by ktls_ctx_new()); TLS 1.3 needs
 *	a wolfSSL with HAVE_SECRET_CALLBACK, else such a handshake is refused
 *
 * Extensible as openat2()'s struct open_how: later versions only append
 * fields, and ktls_ctx_new() passes sizeof() of the structure the caller
 * was built with to ktls_ctx_new_sized(). A smaller (older) structure gets
 * the missing fields as zero; a larger (newer) one than the library knows
 * is taken when every byte past the library's fields is zero, else
 * refused with -E2BIG; one smaller than KTLS_CONFIG_SIZE_VER0 with -EINVAL.
 * So zero the whole structure (= {0}, memset) before filling it.
 */
struct ktls_config {
	enum ktls_role role;
	const char *cert_file;
	const char *key_file;
	const char *ca_file;
	const char *ca_path;
	unsigned int min_version;
	unsigned int max_version;
	const char *ciphers;
	const char *alpn;
	const char *server_name;
	unsigned int flags;
	unsigned int handshake_timeout_ms;
	uint64_t rekey_records;
	const char *crl;
	const char *chain_file;
	const char *p12_file;
	const char *p12_pass_file;
	const char *p12_pass_env;
	const char *groups;
	const char *sigalgs;
	unsigned long policy;
	unsigned long min_rsa_bits;
	unsigned long min_ecc_bits;
	const struct ktls_sni_cert *sni_certs;
	const char *ocsp_response;
	const char *keylog_file;
};

/* sizeof(struct ktls_config) of libktls 1.0, the first published */
#define KTLS_CONFIG_SIZE_VER0	(offsetof(struct ktls_config, keylog_file) + \
				 sizeof(const char *))

/* Why a handshake (or the switch to the kernel) failed. */
enum ktls_reason {
	KTLS_R_NONE = 0,
	KTLS_R_INTERNAL,		/* out of memory, library bug */
	KTLS_R_CONFIG,			/* certificate/key/CA file unusable */
	KTLS_R_KEY_MISMATCH,		/* private key does not fit the cert */
	KTLS_R_NO_SHARED_CIPHER,	/* no cipher suite in common */
	KTLS_R_VERSION_TOO_OLD,		/* peer below our minimum version */
	KTLS_R_VERSION_MISMATCH,	/* no common protocol version */
	KTLS_R_CERT_EXPIRED,		/* peer certificate past notAfter */
	KTLS_R_CERT_NOT_YET_VALID,	/* peer certificate before notBefore */
	KTLS_R_CERT_UNTRUSTED,		/* no chain to a trust anchor */
	KTLS_R_HOSTNAME_MISMATCH,	/* certificate not for this name */
	KTLS_R_NO_PEER_CERT,		/* peer sent no certificate */
	KTLS_R_PEER_ALERT,		/* peer ended the handshake with an alert */
	KTLS_R_PEER_CLOSED,		/* peer closed or reset the connection */
	KTLS_R_NOT_TLS,			/* peer does not speak TLS */
	KTLS_R_TIMEOUT,			/* peer stalled in the handshake */
	KTLS_R_NO_KERNEL_TLS,		/* tls module missing */
	KTLS_R_KERNEL_CIPHER,		/* kernel cannot do this cipher */
	KTLS_R_CIPHER_NOT_OFFLOADABLE,	/* negotiated suite not kTLS-capable */
	KTLS_R_NOT_TCP,			/* fd is not a connected TCP socket */
	KTLS_R_ALPN,			/* no ALPN protocol in common */
	KTLS_R_PROTOCOL,		/* malformed or unexpected message */
	KTLS_R_IO,			/* socket error */
	KTLS_R_REVOKED,			/* certificate on its issuer's CRL */
	KTLS_R_CRL_MISSING,		/* no CRL for an issuer in the chain */
	KTLS_R_CRL_STALE,		/* CRL past its next update */
	KTLS_R_WEAK_SIGNATURE,		/* MD2/MD4/MD5/SHA-1 signature */
	KTLS_R_WEAK_KEY,		/* RSA or EC key below the minimum */
	KTLS_R_WRONG_PURPOSE,		/* KU/EKU/Netscape type not for role */
	KTLS_R_OCSP_MISSING,		/* required OCSP staple not sent */
	KTLS_R_OCSP_INVALID,		/* staple unverifiable, stale, or unknown */
	KTLS_R_KEYLOG_TLS13,		/* key log asked, TLS 1.3 negotiated */
	KTLS_R_PEER_CLOSED_EARLY,	/* FIN before kTLS could attach */
	KTLS_R_PSK_UNKNOWN,		/* PSK identity unknown to the server */
	KTLS_R_PSK_MISMATCH,		/* both know the identity, keys differ */
	__KTLS_R_MAX,
};

/* What a non-blocking handshake step waits for. */
#define KTLS_WANT_READ		1
#define KTLS_WANT_WRITE		2

/* Which layer carries a direction after the handshake. */
enum ktls_carrier {
	KTLS_CARRIER_USER = 0,		/* wolfSSL in this process */
	KTLS_CARRIER_KERNEL_SW,		/* kernel TLS, software crypto */
	KTLS_CARRIER_KERNEL_DEVICE,	/* kernel TLS, NIC offload */
};

/**
 * struct ktls_info - what was negotiated
 * @version: KTLS_TLS_1_2 or KTLS_TLS_1_3
 * @cipher: IANA-style suite name, e.g. "TLS_AES_128_GCM_SHA256"
 * @kernel_cipher: TLS_CIPHER_* value given to the kernel
 * @alpn: negotiated protocol or ""
 * @server_name: SNI the client sent (server side) or ""
 * @resumed: 1 if the session was resumed
 * @tx: carrier of our transmit direction
 * @rx: carrier of our receive direction
 */
struct ktls_info {
	unsigned int version;
	char cipher[64];
	unsigned int kernel_cipher;
	char alpn[64];
	char server_name[256];
	int resumed;
	enum ktls_carrier tx;
	enum ktls_carrier rx;
};

struct ktls_ctx;
struct ktls_session;

/* The library running (kernel-doc in version.c). */
int ktls_major_version(void);
int ktls_minor_version(void);
bool ktls_check_version(int major, int minor);

int ktls_ctx_new_sized(const struct ktls_config *cfg, size_t size,
		       struct ktls_ctx **ctxp);

/**
 * ktls_ctx_new() - build a context from a configuration
 * @cfg: configuration; strings are copied
 * @ctxp: the new context
 *
 * ktls_ctx_new_sized() with the size of the struct ktls_config this
 * program was built with (kernel-doc in context.c).
 *
 * Return: 0, or a negative errno.
 */
static inline int ktls_ctx_new(const struct ktls_config *cfg,
			       struct ktls_ctx **ctxp)
{
	return ktls_ctx_new_sized(cfg, sizeof(*cfg), ctxp);
}
void ktls_ctx_free(struct ktls_ctx *ctx);
const char *ktls_ctx_error(const struct ktls_ctx *ctx);

int ktls_session_new(struct ktls_ctx *ctx, int fd, struct ktls_session **sp);
void ktls_session_free(struct ktls_session *s);
int ktls_session_fd(const struct ktls_session *s);
int ktls_session_set_server_name(struct ktls_session *s, const char *name);

int ktls_handshake_step(struct ktls_session *s, int *want);
int ktls_offload(struct ktls_session *s);
int ktls_connect(struct ktls_session *s);
int ktls_accept(struct ktls_session *s);

enum ktls_reason ktls_reason(const struct ktls_session *s);
const char *ktls_reason_text(const struct ktls_session *s);
const char *ktls_reason_name(enum ktls_reason r);
const char *ktls_alert_name(int desc);
const char *ktls_content_type_name(int type);

int ktls_get_info(const struct ktls_session *s, struct ktls_info *info);
int ktls_fd_check_kernel(int fd);

/**
 * struct ktls_peer_cert - the verified peer certificate (mutual TLS)
 * @subject: subject DN, one line
 * @issuer: issuer DN, one line
 * @sans: subjectAltName entries, "DNS:a, IP:1.2.3.4", or ""
 * @sha256: SHA-256 fingerprint of the DER certificate, lower-case hex
 */
struct ktls_peer_cert {
	char subject[256];
	char issuer[256];
	char sans[512];
	char sha256[65];
};

int ktls_get_peer_cert(const struct ktls_session *s,
		       struct ktls_peer_cert *pc);
const char *ktls_carrier_name(enum ktls_carrier c);

/* Record-aware I/O on the offloaded socket. */
ssize_t ktls_recv(struct ktls_session *s, void *buf, size_t len);
ssize_t ktls_fd_recv_record(int fd, void *buf, size_t len,
			    unsigned char *type, int flags);
ssize_t ktls_send(struct ktls_session *s, const void *buf, size_t len);
ssize_t ktls_send_flags(struct ktls_session *s, const void *buf, size_t len,
			int flags);
ssize_t ktls_send_record(struct ktls_session *s, unsigned char type,
			 const void *buf, size_t len);
ssize_t ktls_fd_send_record(int fd, unsigned char type, const void *buf,
			    size_t len, int flags);
int ktls_send_alert(struct ktls_session *s, int level, int desc);

/*
 * Ending a connection the peer broke, on a socket ktlsd handed back (no
 * session here): the fatal alert the RFCs require, through kernel TLS.
 * Sessions do the same inside ktls_recv(). Kernel-doc in fail.c and
 * hs_rules.c.
 */
int ktls_fd_fail(int fd, int err);
int ktls_fd_refuse(int fd, int alert);
/* ktls_check_post_handshake(): drop the message, it needs no answer */
#define KTLS_POST_HS_IGNORE	1
int ktls_check_post_handshake(unsigned int version, enum ktls_role role,
			      const void *msg, size_t len, char *why,
			      size_t whylen);
int ktls_close_notify(struct ktls_session *s);
int ktls_rekey(struct ktls_session *s, int request_peer);
uint64_t ktls_records_sent(const struct ktls_session *s);
/* records one key may protect (RFC 8446 5.5); kernel-doc in rekey.c */
uint64_t ktls_record_limit(unsigned int kernel_cipher);
int ktls_peer_alert(const struct ktls_session *s);
int ktls_tickets_received(const struct ktls_session *s);
int ktls_keyupdates_received(const struct ktls_session *s);
int ktls_save_session(struct ktls_session *s);
int ktls_ctx_has_session(const struct ktls_ctx *ctx);

/* Data paths. */
ssize_t ktls_write_all(struct ktls_session *s, const void *buf, size_t len);
ssize_t ktls_sendfile(struct ktls_session *s, int in_fd, off_t *off,
		      size_t count);
ssize_t ktls_splice_from(struct ktls_session *s, int in_fd, size_t count);
ssize_t ktls_splice_to(struct ktls_session *s, int out_fd, size_t count);

/*
 * io_uring, in liburing's style. ktls_prep_*() fill an SQE the caller got
 * from its own ring (io_uring_get_sqe()); the caller sets user_data and
 * flags, submits and reaps as it likes, and hands each CQE of a session's
 * operation to ktls_uring_done() (sends) or ktls_uring_recv_done()
 * (receives). The library never submits, waits for, peeks at or consumes
 * a CQE. Records are charged toward the key's usage limit when the SQE is
 * prepared, since a KeyUpdate must reach the socket before the data it
 * covers; a prep call that fails leaves a NOP in the SQE. Buffers and
 * struct ktls_uring_msg must stay untouched until the CQE (for a
 * zero-copy send, until its notification CQE).
 */
struct io_uring_sqe;
struct io_uring_cqe;

/**
 * struct ktls_uring_msg - storage for a record-typed send or receive
 * @msg: the msghdr the SQE points to
 * @iov: its one buffer
 * @cbuf: room for the content-type cmsg
 *
 * Owned by the caller; it points into itself, so it must not move or be
 * reused until the operation's CQE has come.
 */
struct ktls_uring_msg {
	struct msghdr msg;
	struct iovec iov;
	union {
		char bytes[CMSG_SPACE(sizeof(unsigned char))];
		struct cmsghdr align;
	} cbuf;
};

int ktls_prep_send(struct io_uring_sqe *sqe, struct ktls_session *s,
		   const void *buf, size_t len, int flags);
int ktls_prep_send_zc(struct io_uring_sqe *sqe, struct ktls_session *s,
		      const void *buf, size_t len, int flags);
int ktls_prep_send_record(struct io_uring_sqe *sqe, struct ktls_session *s,
			  unsigned char type, const void *buf, size_t len,
			  struct ktls_uring_msg *m);
int ktls_prep_splice(struct io_uring_sqe *in_sqe,
		     struct io_uring_sqe *out_sqe, struct ktls_session *s,
		     int in_fd, int64_t off, const int pipefd[2],
		     unsigned int len);
int ktls_prep_recv_record(struct io_uring_sqe *sqe, struct ktls_session *s,
			  void *buf, size_t len, struct ktls_uring_msg *m);
int ktls_uring_msg_type(const struct ktls_uring_msg *m);
ssize_t ktls_uring_done(struct ktls_session *s,
			const struct io_uring_cqe *cqe);
ssize_t ktls_uring_recv_done(struct ktls_session *s,
			     const struct io_uring_cqe *cqe,
			     const struct ktls_uring_msg *m,
			     unsigned char *type);


/*
 * ---------------------------------------------------------------------------
 * Daemon mode (ktlsd). The client calls hand a connected TCP socket to the
 * ktlsd daemon, which runs the handshake with its own keys and returns the
 * socket with kernel TLS on; the wire protocol is in <ktls/ktlsd.h>. The
 * session calls below them are what the daemon itself uses.
 * ---------------------------------------------------------------------------
 */

#define KTLS_DAEMON_SOCKET	"/run/ktlsd/ktlsd.sock"

/**
 * struct ktls_daemon_request - what to ask ktlsd for
 * @socket_path: daemon socket; NULL: $KTLSD_SOCKET, else KTLS_DAEMON_SOCKET
 * @role: KTLS_CLIENT or KTLS_SERVER (must match the profile)
 * @profile: profile name in ktlsd.conf
 * @server_name: client: SNI and the name to verify; NULL for the profile's
 * @alpn: comma-separated ALPN list replacing the profile's, or NULL
 * @timeout_ms: handshake timeout, 0 for the daemon's default; also bounds
 *	each later call to the daemon (post-handshake messages, rekeys)
 * @rekey_records: sessions of ktls_ctx_new_daemon() only: records sent
 *	under one TX key before ktlsd is asked for the next (TLS 1.3, Linux
 *	6.14+) or, where that is impossible, before the connection is
 *	closed; 0 picks the cipher's AEAD limit (ktls_record_limit())
 *
 * Size-versioned, as openat2()'s struct open_how: the calls taking it
 * are told its size (the static inline wrappers pass sizeof), fields are
 * only ever added at the end, a caller built against an older header gets
 * the fields it does not know as zero, and a newer caller's unknown
 * fields must be zero (else -E2BIG).
 */
struct ktls_daemon_request {
	const char *socket_path;
	enum ktls_role role;
	const char *profile;
	const char *server_name;
	const char *alpn;
	unsigned int timeout_ms;
	uint64_t rekey_records;
};

/* Sizes of the published versions of struct ktls_daemon_request. */
#define KTLS_DAEMON_REQUEST_SIZE_VER0 \
	offsetof(struct ktls_daemon_request, rekey_records)
#define KTLS_DAEMON_REQUEST_SIZE_VER1	sizeof(struct ktls_daemon_request)

/**
 * struct ktls_daemon_result - what ktlsd answered
 * @status: 0 or the negative errno of the failure
 * @reason: enum ktls_reason, or a KTLSD_R_* value from <ktls/ktlsd.h>
 * @text: the failure as a sentence, "" on success
 * @info: what was negotiated (handshake success only)
 * @peer: subject of the peer certificate, or ""
 * @session_id: handle for ktls_daemon_rekey() and
 *	ktls_daemon_post_handshake(), 0 when the daemon keeps no session
 * @keep_ms: how long the daemon keeps that session
 *
 * Size-versioned like struct ktls_daemon_request: the library fills as
 * many bytes as the caller says it has (a newer caller's fields the
 * library does not know are zeroed).
 */
struct ktls_daemon_result {
	int status;
	unsigned int reason;
	char text[512];
	struct ktls_info info;
	char peer[256];
	uint64_t session_id;
	unsigned int keep_ms;
};

#define KTLS_DAEMON_RESULT_SIZE_VER0	sizeof(struct ktls_daemon_result)

/*
 * Sessions run by ktlsd: a context made by ktls_ctx_new_daemon() makes
 * sessions that take the same calls as in-process ones. The handshake
 * (ktls_handshake_step(), non-blocking: -EAGAIN with KTLS_WANT_READ on
 * ktls_session_wait_fd(), which is then the daemon's Unix socket, not the
 * TCP one; or ktls_connect()/ktls_accept(), blocking) is ktlsd's; after
 * it the socket carries kernel TLS both ways, and ktls_recv() hands
 * post-handshake messages to ktlsd, ktls_send*() count records against
 * the AEAD limit and have ktlsd change the key before it (ktls_rekey()),
 * ktls_get_info(), ktls_peer_identity() and ktls_get_peer_cert() say what
 * ktlsd told (ktls_get_peer_cert(): the subject only). Of the per-session
 * settings only ktls_session_set_server_name() and ktls_session_set_alpn()
 * apply, before the first step; calls that need the keys in this process
 * (tickets, PSK, DER identities, ktls_save_session()) must not be made on
 * them.
 */
int ktls_ctx_new_daemon_sized(const struct ktls_daemon_request *req,
			      size_t size, struct ktls_ctx **ctxp);
static inline int ktls_ctx_new_daemon(const struct ktls_daemon_request *req,
				      struct ktls_ctx **ctxp)
{
	return ktls_ctx_new_daemon_sized(req, sizeof(*req), ctxp);
}
int ktls_session_wait_fd(const struct ktls_session *s);

/*
 * The daemon protocol one call at a time, for a caller that keeps no
 * session (ktlsd's own tests, ktls-bench). Each takes the size of its
 * structures; the static inline wrappers pass sizeof.
 */
struct ktls_daemon_op;

int ktls_daemon_handshake_sized(int fd, const struct ktls_daemon_request *req,
				size_t req_size,
				struct ktls_daemon_result *res,
				size_t res_size);
int ktls_daemon_submit_sized(int fd, const struct ktls_daemon_request *req,
			     size_t req_size, struct ktls_daemon_op **opp);
int ktls_daemon_op_fd(const struct ktls_daemon_op *op);
int ktls_daemon_complete_sized(struct ktls_daemon_op *op,
			       struct ktls_daemon_result *res,
			       size_t res_size);
void ktls_daemon_op_free(struct ktls_daemon_op *op);
int ktls_daemon_post_handshake_sized(const char *socket_path, int fd,
				     uint64_t session_id, const void *msg,
				     size_t len, unsigned int timeout_ms,
				     struct ktls_daemon_result *res,
				     size_t res_size);
int ktls_daemon_rekey_sized(const char *socket_path, int fd,
			    uint64_t session_id, int request_peer,
			    unsigned int timeout_ms,
			    struct ktls_daemon_result *res, size_t res_size);
int ktls_daemon_stats(const char *socket_path, char *buf, size_t len);
const char *ktls_daemon_reason_name(unsigned int reason);

static inline int ktls_daemon_handshake(int fd,
					const struct ktls_daemon_request *req,
					struct ktls_daemon_result *res)
{
	return ktls_daemon_handshake_sized(fd, req, sizeof(*req), res,
					   sizeof(*res));
}

static inline int ktls_daemon_submit(int fd,
				     const struct ktls_daemon_request *req,
				     struct ktls_daemon_op **opp)
{
	return ktls_daemon_submit_sized(fd, req, sizeof(*req), opp);
}

static inline int ktls_daemon_complete(struct ktls_daemon_op *op,
				       struct ktls_daemon_result *res)
{
	return ktls_daemon_complete_sized(op, res, sizeof(*res));
}

/* @timeout_ms: how long ktlsd may take, 0 for its default (see the .c) */
static inline int ktls_daemon_post_handshake(const char *socket_path, int fd,
					     uint64_t session_id,
					     const void *msg, size_t len,
					     unsigned int timeout_ms,
					     struct ktls_daemon_result *res)
{
	return ktls_daemon_post_handshake_sized(socket_path, fd, session_id,
						msg, len, timeout_ms, res,
						sizeof(*res));
}

static inline int ktls_daemon_rekey(const char *socket_path, int fd,
				    uint64_t session_id, int request_peer,
				    unsigned int timeout_ms,
				    struct ktls_daemon_result *res)
{
	return ktls_daemon_rekey_sized(socket_path, fd, session_id,
				       request_peer, timeout_ms, res,
				       sizeof(*res));
}

/*
 * Per-session settings and the peer's identity (kernel-doc in
 * daemon_session.c); the calls only ktlsd makes on sessions are not
 * public (userspace/lib/ktls_daemon_side.h).
 */
int ktls_session_set_alpn(struct ktls_session *s, const char *list);
int ktls_session_set_send_timeout(struct ktls_session *s,
				  unsigned int timeout_ms);
int ktls_peer_identity(const struct ktls_session *s, char *buf, size_t len);

/*
 * Kernel consumers (the net/handshake upcall): identities handed over as
 * DER by key serial, and TLS 1.3 external PSK (NVMe/TCP). Kernel-doc in
 * certs.c and psk.c.
 */
int ktls_session_use_cert_der(struct ktls_session *s,
			      const unsigned char *cert, size_t cert_len,
			      const unsigned char *key, size_t key_len);

/* Longest PSK identity taken, in bytes (NVMe's are below 500). */
#define KTLS_PSK_IDENTITY_MAX	1024

int ktls_session_set_psk(struct ktls_session *s, const char *identity,
			 const unsigned char *key, size_t key_len);

/**
 * typedef ktls_psk_lookup_fn - find the key of a client's PSK identity
 * @arg: the pointer given to ktls_session_set_psk_lookup()
 * @identity: the identity the client offered (NUL-terminated, from the
 *	network: any bytes but NUL, not escaped)
 * @key: where to write the key
 * @key_cap: room in @key (at least 48)
 *
 * Called synchronously from inside ktls_handshake_step() (or
 * ktls_accept()), once for the client's identity; a client offering
 * several may see one asked again when another suite must be tried.
 *
 * Return: the key length, 32 (TLS_AES_128_GCM_SHA256) or 48
 * (TLS_AES_256_GCM_SHA384), or a negative errno when the identity is
 * unknown (-ENOKEY is a good one).
 */
typedef int (*ktls_psk_lookup_fn)(void *arg, const char *identity,
				  unsigned char *key, size_t key_cap);

int ktls_session_set_psk_lookup(struct ktls_session *s,
				ktls_psk_lookup_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* KTLS_KTLS_H */
