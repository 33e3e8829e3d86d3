/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktlsd internals shared between the daemon's files: configuration
 * (config.c), the per-thread event loops (worker.c), a request's life
 * (job.c), its I/O (client.c), its reply (reply.c), handshakes
 * (handshake.c), hand-backs (handback.c), slots and limits (slot.c), kept
 * sessions and tickets (keep.c), privileges (priv.c), logs and counters
 * (log.c).
 */
#ifndef KTLSD_H
#define KTLSD_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <syslog.h>

#include <ktls/ktls.h>
#include <ktls/ktlsd.h>
#include "../lib/ktls_daemon_side.h"

#define KTLSD_CONF_PATH		"/etc/ktlsd/ktlsd.conf"

/* config.c */
struct ktlsd_profile {
	char *name;
	int line;
	enum ktls_role role;
	char *cert, *key, *ca, *ca_path;
	char *ciphers, *groups, *alpn, *server_name;
	char **sni_specs;	/* sni_cert values; sni_certs point into them */
	size_t nsni_specs;
	struct ktls_sni_cert *sni_certs;
	char *ocsp_response;	/* server: DER OCSP response to staple */
	char *keylog_file;	/* NSS key log; only the profile sets it */
	unsigned long policy;	/* KTLS_P_* (require_ocsp) */
	unsigned int min_version, max_version, flags;
	uid_t *uids;
	size_t nuids;
	gid_t *gids;
	size_t ngids;
	struct ktls_ctx *ctx;	/* built without ALPN and server name */
};

/*
 * [kernel]: the kernel's own TLS users (NFS, NVMe/TCP) through the netlink
 * "handshake" family (upcall.c, kjob.c). One context per kind of request,
 * all TLS 1.3 only, none sending tickets (the consumer would read one as
 * its own data).
 */
struct ktlsd_kernel {
	int line;
	char *ca, *crl;
	char *server_cert, *server_key;
	char *client_cert, *client_key;
	char **keyrings;
	size_t nkeyrings;
	unsigned int handshake_timeout_ms;
	struct ktls_ctx *client;	/* unauth: verifies the server, no cert */
	struct ktls_ctx *client_x509;	/* mutual: presents client_cert */
	struct ktls_ctx *server;	/* x509: asks for a client cert */
	struct ktls_ctx *psk_client;	/* PSK (NVMe): no certificates */
	struct ktls_ctx *psk_server;
};

struct ktlsd_conf {
	atomic_int refs;
	unsigned long generation;
	char *path;
	char *socket;
	mode_t socket_mode;
	gid_t socket_gid;	/* (gid_t)-1: leave */
	char *user;		/* drop privileges to; NULL: stay */
	uid_t uid;
	gid_t gid;
	int workers;		/* 0: one per CPU */
	unsigned int handshake_timeout_ms;
	unsigned int max_timeout_ms;
	unsigned int request_timeout_ms;
	unsigned int queue_timeout_ms;
	unsigned int drain_timeout_ms;
	unsigned int max_handshakes;
	unsigned int max_per_uid;
	unsigned int max_pending_per_uid;	/* connections not answered */
	unsigned int queue_max;
	unsigned int keep_max;
	unsigned int keep_per_uid;
	unsigned int keep_ms;
	unsigned int tickets_max;
	unsigned int ticket_ms;
	bool log_syslog;
	int log_level;
	bool lock_memory;
	struct ktlsd_profile *profiles;
	size_t nprofiles;
	struct ktlsd_kernel *kernel;	/* NULL: no [kernel] section */
};

/* What --check-config and a reload print: one line per problem. */
struct ktlsd_problems {
	char **lines;
	size_t n;
};

int ktlsd_conf_load(const char *path, struct ktlsd_conf **confp,
		    struct ktlsd_problems *pr);
void ktlsd_conf_get(struct ktlsd_conf *conf);
void ktlsd_conf_put(struct ktlsd_conf *conf);
const struct ktlsd_profile *ktlsd_profile_find(const struct ktlsd_conf *conf,
					       const char *name);
bool ktlsd_profile_allows(const struct ktlsd_profile *p, uid_t uid, gid_t gid,
			  const gid_t *groups, int ngroups);
void ktlsd_problems_free(struct ktlsd_problems *pr);

/* config.c, for the sections parsed elsewhere (config_kernel.c) */
struct ktlsd_parser {
	const char *file;
	int line;
	struct ktlsd_problems *pr;
	struct ktlsd_conf *conf;
	struct ktlsd_profile *prof;	/* section being read, or NULL */
	bool in_global;
	bool in_kernel;
	size_t warnings;
};

void ktlsd_problem(struct ktlsd_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ktlsd_parse_ms(const char *v, unsigned int *ms);
int ktlsd_set_str(char **dst, const char *v);

/* config_kernel.c */
int ktlsd_kernel_section(struct ktlsd_parser *p);
void ktlsd_kernel_key(struct ktlsd_parser *p, const char *k, char *v);
void ktlsd_kernel_build(struct ktlsd_parser *p);
void ktlsd_kernel_free(struct ktlsd_kernel *k);

/* log.c */
void ktlsd_log_init(bool use_syslog, int level);
void ktlsd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *ktlsd_esc(const char *s);
const char *ktlsd_quote(const char *s);
const char *ktlsd_esc_text(const char *s);
void ktlsd_sanitize(char *out, size_t cap, const char *s);

#define KTLSD_LAT_BUCKETS	13
struct ktlsd_stats {
	atomic_ulong ok;
	atomic_ulong failed;
	atomic_ulong refused;
	atomic_ulong client_gone;
	atomic_ulong by_reason[__KTLS_R_MAX + (__KTLSD_R_MAX - KTLSD_R_BASE)];
	atomic_ulong lat[KTLSD_LAT_BUCKETS];
	atomic_ulong lat_sum_ms;
	atomic_ulong carrier[3];	/* per enum ktls_carrier, TX side */
	atomic_ulong rekeys;
	atomic_ulong resumed;
	atomic_int in_flight;
	atomic_int queued;
	atomic_int kept;
	atomic_int tickets;
	/* kernel consumers: [consumer][role][ok] (kjob.c) */
	atomic_ulong kernel[3][2][2];
};

extern struct ktlsd_stats ktlsd_stats;

void ktlsd_stats_reason(unsigned int reason);
void ktlsd_stats_latency(long long ms);
int ktlsd_stats_text(char *buf, size_t len);

/* worker.c: one epoll loop per thread */
enum ktlsd_handle_kind {
	KTLSD_H_LISTEN,
	KTLSD_H_WAKE,
	KTLSD_H_CLIENT,		/* the application's Unix connection */
	KTLSD_H_PEER,		/* the TCP socket being handshaken */
	KTLSD_H_UPCALL,		/* the kernel's "handshake" multicast group */
};

struct ktlsd_handle {
	enum ktlsd_handle_kind kind;
};

struct ktlsd_job;
struct ktlsd_kreq;
struct nl_sock;

struct ktlsd_worker {
	int id;
	pthread_t thread;
	int epfd;
	int wakefd;
	bool listening;
	long long accept_paused_until;
	struct ktlsd_job *head, *tail;	/* every job, oldest first */
	unsigned int njobs;
	struct ktlsd_job *grave;	/* finished, freed after the batch */
	bool admit_now;			/* serve the queue after this batch */
	bool upcall_added;
	struct nl_sock *nl;		/* ACCEPT and DONE (upcall.c) */
};

int ktlsd_workers_start(int n, int listen_fd);
void ktlsd_workers_wake(void);
void ktlsd_workers_join(void);
int ktlsd_epoll_set(struct ktlsd_worker *w, int fd, struct ktlsd_handle *h,
		    unsigned int events, bool *added);
void ktlsd_epoll_del(struct ktlsd_worker *w, int fd, bool *added);

/* request.c: decoding and checking a request, nothing else (fuzzed) */
struct ktlsd_request {
	__u16 type;
	__u32 role;
	char profile[64];
	char sni[256];
	char alpn[256];
	__u32 timeout_ms;
	__u64 session_id;
	__u32 rekey_flags;
	const unsigned char *message;	/* points into the message */
	size_t message_len;
};

int ktlsd_request_header(const struct ktlsd_hdr *h, const char **why);
int ktlsd_request_parse(const unsigned char *msg, size_t len,
			struct ktlsd_request *req, const char **why);
bool ktlsd_request_wants_fd(__u16 type);

/* reply.c: encoding a reply; a failure to fit is kept, never dropped */
struct ktlsd_reply {
	unsigned char *buf;	/* header, then attributes */
	size_t cap;
	size_t len;		/* bytes used, header included */
	int err;		/* first failure: -EMSGSIZE, -ENAMETOOLONG */
	__u16 err_type;		/* the attribute that failed */
	size_t err_len;		/* and its length */
};

/* The largest failure reply: STATUS, REASON and the longest REASON_TEXT. */
#define KTLSD_ERROR_REPLY_MAX	(sizeof(struct ktlsd_hdr) + \
				 2 * (sizeof(struct ktlsd_attr) + 4) + \
				 sizeof(struct ktlsd_attr) + \
				 KTLSD_ALIGN(KTLSD_MAX_STR))

void ktlsd_reply_init(struct ktlsd_reply *r, unsigned char *buf, size_t cap);
void ktlsd_reply_put(struct ktlsd_reply *r, __u16 type, const void *v,
		     size_t n);
void ktlsd_reply_put_u32(struct ktlsd_reply *r, __u16 type, __u32 v);
void ktlsd_reply_put_str(struct ktlsd_reply *r, __u16 type, const char *s);
int ktlsd_reply_finish(struct ktlsd_reply *r);

/* job.c, client.c, handshake.c, handback.c: one request */
enum ktlsd_job_state {
	KTLSD_JOB_REQUEST,	/* reading the request */
	KTLSD_JOB_QUEUED,	/* waiting for a handshake slot */
	KTLSD_JOB_HANDSHAKE,	/* handshake running on tfd */
	KTLSD_JOB_REPLY,	/* writing the reply */
};

struct ktlsd_job {
	struct ktlsd_job *prev, *next;
	struct ktlsd_worker *w;
	struct ktlsd_handle hc, ht;
	enum ktlsd_job_state state;
	int cfd, tfd;
	bool cfd_added, tfd_added;
	bool extra_fds;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	gid_t groups[64];
	int ngroups;
	long long start, deadline;
	bool slot;
	bool pending;			/* counted in max_pending_per_uid */
	bool offered_ticket;
	bool dead;
	struct ktlsd_kreq *kreq;	/* the kernel asked: no application */

	struct ktlsd_request req;
	unsigned int timeout_ms;	/* in force for the handshake */

	struct ktlsd_conf *conf;	/* reference while the job uses it */
	const struct ktlsd_profile *prof;
	struct ktls_session *s;
	char peer[64];

	size_t have;			/* request bytes in buf */
	struct ktlsd_reply out;		/* the reply */
	size_t out_off;			/* bytes of it written */
	unsigned char buf[KTLSD_MAX_MSG];
};

struct ktlsd_job *ktlsd_job_new(struct ktlsd_worker *w, int cfd);
void ktlsd_job_free(struct ktlsd_job *j);
void ktlsd_job_abandon(struct ktlsd_job *j);
int ktlsd_job_reply_begin(struct ktlsd_job *j, size_t cap);
void ktlsd_job_reply_send(struct ktlsd_job *j);
void ktlsd_job_handshake(struct ktlsd_job *j);
void ktlsd_job_handback(struct ktlsd_job *j);
void ktlsd_job_client_event(struct ktlsd_job *j, unsigned int events);
void ktlsd_job_peer_event(struct ktlsd_job *j, unsigned int events);
void ktlsd_job_tick(struct ktlsd_job *j, long long now, bool draining);
int ktlsd_job_admit(struct ktlsd_job *j);
void ktlsd_job_drive(struct ktlsd_job *j);
void ktlsd_job_fail(struct ktlsd_job *j, int status, unsigned int reason,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ktlsd_job_check_socket(struct ktlsd_job *j, bool connected);
const char *ktlsd_role_name(__u32 role);

/*
 * upcall.c: the kernel's handshake requests (generic netlink family
 * "handshake"). A request ACCEPTed hands us the consumer's socket; DONE
 * gives it back with the status and the serials of what authenticated the
 * peer.
 */
#define KTLSD_KREQ_MAX_IDS	8
#define KTLSD_KREQ_MAX_REMOTE	5	/* the kernel keeps five */

struct ktlsd_kreq {
	int sockfd;
	unsigned int msg_type;		/* HANDSHAKE_MSG_TYPE_* */
	unsigned int auth_mode;		/* HANDSHAKE_AUTH_* */
	unsigned int timeout_ms;	/* 0: the consumer set none */
	int32_t peer_ids[KTLSD_KREQ_MAX_IDS];
	unsigned int npeer_ids;
	int32_t cert, privkey;		/* 0: none named */
	char peername[256];
	int32_t remote[KTLSD_KREQ_MAX_REMOTE];	/* for DONE */
	unsigned int nremote;
	int consumer;			/* KTLSD_CONSUMER_* */
	int fd_flags;			/* the socket's, restored before DONE */
	char identity[512];		/* PSK identity used, for the log */
};

enum { KTLSD_CONSUMER_NFS, KTLSD_CONSUMER_NVME, KTLSD_CONSUMER_OTHER };

int ktlsd_upcall_open(void);
void ktlsd_upcall_close(void);
int ktlsd_upcall_fd(void);
int ktlsd_upcall_worker_init(struct ktlsd_worker *w);
void ktlsd_upcall_worker_fini(struct ktlsd_worker *w);
void ktlsd_upcall_drain(void);
int ktlsd_upcall_accept(struct ktlsd_worker *w, struct ktlsd_kreq *req);
int ktlsd_upcall_done(struct ktlsd_worker *w, const struct ktlsd_kreq *req,
		      int status);

/* kjob.c: a job for a kernel request */
struct ktlsd_job *ktlsd_kjob_new(struct ktlsd_worker *w,
				 struct ktlsd_kreq *req);
void ktlsd_kjob_ok(struct ktlsd_job *j);
void ktlsd_kjob_failed(struct ktlsd_job *j, int status, unsigned int reason,
		       const char *text);
const char *ktlsd_consumer_name(int consumer);

/* keyring.c: certificates, keys and PSKs the kernel names by serial */
int ktlsd_keyring_init(const struct ktlsd_kernel *k);
int ktlsd_key_read(int32_t serial, unsigned char **data, size_t *len);
int ktlsd_key_copy(int32_t serial, unsigned char *key, size_t cap);
int ktlsd_key_description(int32_t serial, const char *type, char *buf,
			  size_t len);
int32_t ktlsd_psk_find(const char *identity, unsigned char *key,
		       size_t cap, int *len);
int32_t ktlsd_key_remember_cert(const unsigned char *der, size_t len);

/* daemon-wide state, owned by main.c */
struct ktlsd_state {
	pthread_mutex_t lock;
	struct ktlsd_conf *conf;	/* current; under lock */
	atomic_bool draining;
	long long drain_deadline;	/* ms, CLOCK_MONOTONIC */
	int listen_fd;
};

extern struct ktlsd_state ktlsd;

struct ktlsd_conf *ktlsd_current_conf(void);
long long ktlsd_now_ms(void);

/* slot.c: admission of a handshake against the limits */
int ktlsd_slot_get(const struct ktlsd_conf *conf, uid_t uid);
void ktlsd_slot_put(uid_t uid);
unsigned long ktlsd_uid_served(uid_t uid);
int ktlsd_pending_get(const struct ktlsd_conf *conf, uid_t uid, bool *first);
void ktlsd_pending_put(uid_t uid);

/* keep.c: TLS sessions kept after the handshake for a later rekey */
struct ktlsd_kept {
	struct ktlsd_kept *next;
	uint64_t id;
	uid_t uid;
	long long expires;
	struct ktls_session *s;
	struct ktlsd_conf *conf;	/* holds the session's context */
	char profile[64];
	char sni[256];
};

int ktlsd_keep_add(struct ktlsd_kept *k, unsigned int ms, unsigned int max,
		   uint64_t *idp);
struct ktlsd_kept *ktlsd_keep_take(uint64_t id, uid_t uid);
void ktlsd_keep_put_back(struct ktlsd_kept *k, unsigned int ms);
void ktlsd_kept_free(struct ktlsd_kept *k);
void ktlsd_keep_sweep(bool all);
void ktlsd_ticket_put(const char *profile, const char *sni,
		      struct ktls_ticket *t, unsigned int ms,
		      unsigned int max);
int ktlsd_ticket_use(const char *profile, const char *sni,
		     struct ktls_session *s);
void ktlsd_ticket_drop(const char *profile, const char *sni);
void ktlsd_tickets_flush(void);

/* priv.c */
int ktlsd_drop_privileges(const struct ktlsd_conf *conf);
void ktlsd_harden(const struct ktlsd_conf *conf);

#endif /* KTLSD_H */
