// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A job for the kernel's own TLS users (the NFS client and server, the
 * NVMe/TCP host and target): the request came by netlink (upcall.c), not
 * from an application, and the answer is DONE, not a reply. The
 * handshake itself is the applications' one (handshake.c drives it), with
 * what the kernel contract asks for:
 *
 * - TLS 1.3 only and no session tickets: the consumer reads the first
 *   record after the handshake as its own protocol.
 * - The consumer names how to authenticate: "unauth" (a client that
 *   verifies the server and shows no certificate), "x509" (certificates
 *   both ways; the consumer may name its own by key serial, else [kernel]'s
 *   are used), "psk" (NVMe: the client names its PSKs by serial, the
 *   server finds the one the client offers in the keyrings it holds).
 * - DONE carries the serials of the keys that authenticated the peer: the
 *   PSK used (the NVMe host and target look it up by that serial), or a
 *   key recording the peer's verified certificate (nfsd reads any serial
 *   as "mutual TLS").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktlsd.h"

#define MSG_CLIENTHELLO	1
#define AUTH_UNAUTH	1
#define AUTH_PSK	2
#define AUTH_X509	3

#define PSK_MAX		64

static const char *auth_name(unsigned int mode)
{
	switch (mode) {
	case AUTH_UNAUTH:
		return "unauth";
	case AUTH_PSK:
		return "psk";
	case AUTH_X509:
		return "x509";
	}
	return "unknown";
}

static int port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/*
 * The contract does not say who asks, so the kind is told by the
 * well-known ports: NFS 2049, NVMe/TCP 4420 (I/O) and 8009 (discovery),
 * on whichever end listens; on another port a PSK request is NVMe's (the
 * only in-kernel user of TLS PSKs).
 */
static int consumer_of(int fd, unsigned int auth_mode)
{
	struct sockaddr_storage a;
	socklen_t len;
	int ports[2] = { 0, 0 }, i;

	len = sizeof(a);
	if (!getsockname(fd, (struct sockaddr *)&a, &len))
		ports[0] = port_of(&a);
	len = sizeof(a);
	if (!getpeername(fd, (struct sockaddr *)&a, &len))
		ports[1] = port_of(&a);
	for (i = 0; i < 2; i++) {
		if (ports[i] == 2049)
			return KTLSD_CONSUMER_NFS;
		if (ports[i] == 4420 || ports[i] == 8009)
			return KTLSD_CONSUMER_NVME;
	}
	return auth_mode == AUTH_PSK ? KTLSD_CONSUMER_NVME :
	       KTLSD_CONSUMER_OTHER;
}

/* The consumer's own certificate and key, named by serial. */
static int use_named_cert(struct ktlsd_job *j)
{
	struct ktlsd_kreq *r = j->kreq;
	unsigned char *cert = NULL, *key = NULL;
	size_t clen = 0, klen = 0;
	int ret;

	ret = ktlsd_key_read(r->cert, &cert, &clen);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLS_R_CONFIG,
			       "cannot read the certificate the consumer named (key %08x): %s",
			       (unsigned int)r->cert, strerror(-ret));
		return ret;
	}
	ret = ktlsd_key_read(r->privkey, &key, &klen);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLS_R_CONFIG,
			       "cannot read the private key the consumer named (key %08x): %s",
			       (unsigned int)r->privkey, strerror(-ret));
		goto out;
	}
	ret = ktls_session_use_cert_der(j->s, cert, clen, key, klen);
	if (ret)
		ktlsd_job_fail(j, ret, ktls_reason(j->s),
			       "the certificate and key the consumer named (keys %08x, %08x): %s",
			       (unsigned int)r->cert, (unsigned int)r->privkey,
			       ktlsd_esc_text(ktls_reason_text(j->s)));
out:
	if (key)
		explicit_bzero(key, klen);
	free(key);
	free(cert);
	return ret;
}

/* Client: the first PSK the consumer named that we can read. */
static int use_named_psk(struct ktlsd_job *j)
{
	struct ktlsd_kreq *r = j->kreq;
	unsigned char key[PSK_MAX];
	unsigned int i;
	int ret = -ENOKEY, len;

	for (i = 0; i < r->npeer_ids; i++) {
		ret = ktlsd_key_description(r->peer_ids[i], "psk", r->identity,
					    sizeof(r->identity));
		if (ret)
			continue;
		len = ret = ktlsd_key_copy(r->peer_ids[i], key, sizeof(key));
		if (ret < 0)
			continue;
		ret = ktls_session_set_psk(j->s, r->identity, key, len);
		explicit_bzero(key, sizeof(key));
		if (ret)
			continue;
		r->remote[0] = r->peer_ids[i];
		r->nremote = 1;
		return 0;
	}
	ktlsd_job_fail(j, ret, KTLS_R_CONFIG,
		       "none of the %u PSKs the consumer named could be used (last: %s): a TLS PSK is a \"psk\" key of 32 (SHA-256) or 48 (SHA-384) bytes",
		       r->npeer_ids, strerror(-ret));
	return ret;
}

/*
 * Server: the PSK the client offers, by its identity. Keys the consumer
 * named come first; then every keyring we hold (the consumer's, linked by
 * ACCEPT, and [kernel] keyrings).
 */
static int psk_lookup(void *arg, const char *identity, unsigned char *key,
		      size_t cap)
{
	struct ktlsd_job *j = arg;
	struct ktlsd_kreq *r = j->kreq;
	char desc[512];
	unsigned int i;
	int32_t id;
	int len;

	snprintf(r->identity, sizeof(r->identity), "%s", identity);
	for (i = 0; i < r->npeer_ids; i++) {
		if (ktlsd_key_description(r->peer_ids[i], "psk", desc,
					  sizeof(desc)) ||
		    strcmp(desc, identity))
			continue;
		len = ktlsd_key_copy(r->peer_ids[i], key, cap);
		if (len < 0)
			return len;
		r->remote[0] = r->peer_ids[i];
		r->nremote = 1;
		return len;
	}
	id = ktlsd_psk_find(identity, key, cap, &len);
	if (id < 0)
		return id;
	r->remote[0] = id;
	r->nremote = 1;
	return len;
}

static struct ktls_ctx *pick_ctx(struct ktlsd_job *j, bool client)
{
	const struct ktlsd_kernel *k = j->conf->kernel;
	const struct ktlsd_kreq *r = j->kreq;

	if (r->auth_mode == AUTH_PSK)
		return client ? k->psk_client : k->psk_server;
	if (!client)
		return k->server;
	/* a certificate named by serial replaces client_cert's */
	if (r->auth_mode == AUTH_X509 && !r->cert)
		return k->client_x509;
	return k->client;
}

static int setup(struct ktlsd_job *j)
{
	const struct ktlsd_kernel *k = j->conf->kernel;
	struct ktlsd_kreq *r = j->kreq;
	bool client = r->msg_type == MSG_CLIENTHELLO;
	struct ktls_ctx *ctx;
	int ret;

	if (r->auth_mode < AUTH_UNAUTH || r->auth_mode > AUTH_X509) {
		ktlsd_job_fail(j, -EINVAL, KTLSD_R_BAD_REQUEST,
			       "the kernel asked for authentication mode %u, which ktlsd does not know",
			       r->auth_mode);
		return -EINVAL;
	}
	ctx = pick_ctx(j, client);
	if (!ctx) {
		ktlsd_job_fail(j, -EACCES, KTLS_R_CONFIG,
			       "the consumer asks for mutual TLS (mtls) and names no certificate: set client_cert and client_key in [kernel] of %s",
			       ktlsd_esc(j->conf->path));
		return -EACCES;
	}
	ret = ktls_session_new(ctx, j->tfd, &j->s);
	if (ret) {
		ktlsd_job_fail(j, ret, KTLS_R_INTERNAL,
			       "cannot start a TLS session: %s", strerror(-ret));
		return ret;
	}
	if (r->auth_mode != AUTH_PSK && r->cert > 0) {
		ret = use_named_cert(j);
		if (ret)
			return ret;
	} else if (!client && r->auth_mode != AUTH_PSK && !k->server_cert) {
		ktlsd_job_fail(j, -EACCES, KTLS_R_CONFIG,
			       "the consumer named no server certificate and [kernel] has none: set server_cert and server_key in %s",
			       ktlsd_esc(j->conf->path));
		return -EACCES;
	}
	if (r->auth_mode == AUTH_PSK)
		return client ? use_named_psk(j) :
		       ktls_session_set_psk_lookup(j->s, psk_lookup, j);
	/* the name the server's certificate must carry (a host or address) */
	if (client && r->peername[0] &&
	    ktls_session_set_server_name(j->s, r->peername)) {
		ktlsd_job_fail(j, -EINVAL, KTLSD_R_BAD_REQUEST,
			       "the peer name %s was rejected",
			       ktlsd_quote(r->peername));
		return -EINVAL;
	}
	return 0;
}

/**
 * ktlsd_kjob_new() - start the handshake the kernel asked for
 * @w: worker
 * @req: the ACCEPTed request; copied
 *
 * A request that cannot even start is answered DONE at once; the job is
 * then already over (the worker reaps it).
 *
 * Return: the job, or NULL (out of memory: the socket went back failed).
 */
struct ktlsd_job *ktlsd_kjob_new(struct ktlsd_worker *w,
				 struct ktlsd_kreq *req)
{
	struct ktlsd_job *j = calloc(1, sizeof(*j));
	unsigned int tmo;
	int fl;

	if (j)
		j->kreq = malloc(sizeof(*req));
	if (!j || !j->kreq) {
		ktlsd_upcall_done(w, req, -ENOMEM);
		close(req->sockfd);
		free(j);
		return NULL;
	}
	memcpy(j->kreq, req, sizeof(*req));
	j->w = w;
	j->cfd = -1;
	j->tfd = req->sockfd;
	j->hc.kind = KTLSD_H_CLIENT;
	j->ht.kind = KTLSD_H_PEER;
	j->start = ktlsd_now_ms();
	j->conf = ktlsd_current_conf();
	j->req.type = KTLSD_MSG_HANDSHAKE;
	j->req.role = req->msg_type == MSG_CLIENTHELLO ? KTLS_CLIENT :
			KTLS_SERVER;
	snprintf(j->req.profile, sizeof(j->req.profile), "kernel");
	j->kreq->consumer = consumer_of(j->tfd, req->auth_mode);
	/* blocking mode goes back before DONE: the socket is the kernel's */
	fl = fcntl(j->tfd, F_GETFL);
	j->kreq->fd_flags = fl;
	if (fl < 0 || fcntl(j->tfd, F_SETFL, fl | O_NONBLOCK)) {
		ktlsd_job_fail(j, -errno, KTLS_R_INTERNAL,
			       "cannot make the consumer's socket non-blocking: %s",
			       strerror(errno));
		return j;
	}
	if (ktlsd_job_check_socket(j, true)) {
		ktlsd_job_fail(j, -ENOTCONN, KTLSD_R_BAD_SOCKET,
			       "the consumer's socket is not a connected TCP socket");
		return j;
	}
	if (!j->conf->kernel) {
		ktlsd_job_fail(j, -EACCES, KTLS_R_CONFIG,
			       "%s has no [kernel] section any more (reloaded)",
			       ktlsd_esc(j->conf->path));
		return j;
	}
	if (atomic_load(&ktlsd.draining)) {
		ktlsd_job_fail(j, -ESHUTDOWN, KTLSD_R_SHUTDOWN,
			       "ktlsd is shutting down and takes no new handshakes");
		return j;
	}
	if (ktlsd_slot_get(j->conf, j->uid)) {
		ktlsd_job_fail(j, -EBUSY, KTLSD_R_BUSY,
			       "ktlsd runs max_handshakes = %u handshakes: the consumer should retry",
			       j->conf->max_handshakes);
		return j;
	}
	j->slot = true;
	j->state = KTLSD_JOB_HANDSHAKE;
	/*
	 * The consumer's own limit, if it set one, less half a second so
	 * that our DONE arrives before it gives up and cancels (a DONE then
	 * finds no request); else ours.
	 */
	tmo = req->timeout_ms > 1000 ? req->timeout_ms - 500 :
	      req->timeout_ms ? req->timeout_ms :
	      j->conf->kernel->handshake_timeout_ms;
	if (tmo > j->conf->max_timeout_ms)
		tmo = j->conf->max_timeout_ms;
	j->timeout_ms = tmo;
	j->deadline = j->start + tmo;
	if (!setup(j))
		ktlsd_job_drive(j);
	return j;
}

/* DONE, in the socket's own blocking mode. */
static int give_back(struct ktlsd_job *j, int status)
{
	int ret;

	if (j->kreq->fd_flags >= 0)
		fcntl(j->tfd, F_SETFL, j->kreq->fd_flags);
	ret = ktlsd_upcall_done(j->w, j->kreq, status);
	if (ret)
		ktlsd_log(LOG_WARNING,
			  "kernel: DONE for the %s socket of peer %s not taken (%s): the consumer will time out",
			  ktlsd_consumer_name(j->kreq->consumer),
			  j->peer[0] ? j->peer : "-", strerror(-ret));
	return ret;
}

static void count(struct ktlsd_job *j, bool ok)
{
	atomic_fetch_add(&ktlsd_stats.kernel[j->kreq->consumer]
			 [j->req.role == KTLS_CLIENT][ok], 1);
}

/* A verified peer certificate, for DONE's remote_auth. */
static void remember_peer(struct ktlsd_job *j)
{
	struct ktlsd_kreq *r = j->kreq;
	struct ktls_peer_cert pc;
	char rec[1024];
	int32_t id;
	int n;

	if (r->nremote || ktls_get_peer_cert(j->s, &pc))
		return;
	n = snprintf(rec, sizeof(rec), "subject=%s\nissuer=%s\nsha256=%s\n",
		     pc.subject, pc.issuer, pc.sha256);
	if (n >= (int)sizeof(rec))
		n = sizeof(rec) - 1;
	id = ktlsd_key_remember_cert((const unsigned char *)rec, n);
	if (id > 0) {
		r->remote[0] = id;
		r->nremote = 1;
	}
}

/**
 * ktlsd_kjob_ok() - the socket is carried by kernel TLS: give it back
 * @j: job, ended here (the socket and the slot go at once)
 */
void ktlsd_kjob_ok(struct ktlsd_job *j)
{
	struct ktlsd_kreq *r = j->kreq;
	struct ktls_info info;
	char peer[256];

	ktls_get_info(j->s, &info);
	if (ktls_peer_identity(j->s, peer, sizeof(peer)))
		peer[0] = '\0';
	if (r->auth_mode != AUTH_PSK)
		remember_peer(j);
	if (give_back(j, 0)) {
		count(j, false);
		atomic_fetch_add(&ktlsd_stats.failed, 1);
		ktlsd_job_abandon(j);
		return;
	}
	count(j, true);
	atomic_fetch_add(&ktlsd_stats.ok, 1);
	atomic_fetch_add(&ktlsd_stats.carrier[info.tx % 3], 1);
	ktlsd_stats_latency(ktlsd_now_ms() - j->start);
	ktlsd_log(LOG_INFO,
		  "kernel-handshake peer=%s consumer=%s role=%s auth=%s result=ok version=%s cipher=%s tx=%s rx=%s ms=%lld peername=%s subject=%s identity=%s remote_auth=%08x",
		  j->peer, ktlsd_consumer_name(r->consumer),
		  ktlsd_role_name(j->req.role), auth_name(r->auth_mode),
		  info.version == KTLS_TLS_1_3 ? "1.3" : "1.2",
		  ktlsd_esc(info.cipher), ktls_carrier_name(info.tx),
		  ktls_carrier_name(info.rx), ktlsd_now_ms() - j->start,
		  r->peername[0] ? ktlsd_esc(r->peername) : "-",
		  peer[0] ? ktlsd_esc(peer) : "-",
		  r->identity[0] ? ktlsd_esc(r->identity) : "-",
		  r->nremote ? (unsigned int)r->remote[0] : 0);
	ktlsd_job_abandon(j);
}

/**
 * ktlsd_kjob_failed() - tell the consumer, log why
 * @j: job, ended here (the socket and the slot go at once)
 * @status: negative errno
 * @reason: KTLS_R_* or KTLSD_R_*
 * @text: the sentence, already escaped
 */
void ktlsd_kjob_failed(struct ktlsd_job *j, int status, unsigned int reason,
		       const char *text)
{
	struct ktlsd_kreq *r = j->kreq;
	char advice[512] = "";

	/* libktls's advice names ktls-cat's option; here it is ktlsd.conf */
	if (reason == KTLS_R_CERT_UNTRUSTED && r->auth_mode != AUTH_PSK)
		snprintf(advice, sizeof(advice),
			 " (for kernel consumers the trust anchors are [kernel] ca in %s)",
			 ktlsd_esc(j->conf->path));
	give_back(j, status);
	count(j, false);
	atomic_fetch_add(&ktlsd_stats.failed, 1);
	ktlsd_stats_reason(reason);
	ktlsd_log(LOG_INFO,
		  "kernel-handshake peer=%s consumer=%s role=%s auth=%s result=%s ms=%lld peername=%s identity=%s: %s%s",
		  j->peer[0] ? j->peer : "-", ktlsd_consumer_name(r->consumer),
		  ktlsd_role_name(j->req.role), auth_name(r->auth_mode),
		  ktls_daemon_reason_name(reason), ktlsd_now_ms() - j->start,
		  r->peername[0] ? ktlsd_esc(r->peername) : "-",
		  r->identity[0] ? ktlsd_esc(r->identity) : "-", text, advice);
	ktlsd_job_abandon(j);
}
