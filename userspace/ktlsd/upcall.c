// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's TLS handshake upcall (net/handshake, Linux 6.4 and later):
 * an in-kernel TLS user (the NFS client and server, the NVMe/TCP host and
 * target) queues a request and the kernel multicasts READY to the
 * generic netlink group "tlshd" of the family "handshake". An agent then
 * ACCEPTs the request, which installs the consumer's socket in the agent's
 * descriptor table; the agent runs the handshake, installs kernel TLS and
 * answers DONE with the status and the serials of the keys that
 * authenticated the peer.
 *
 * One multicast socket, shared by the workers (EPOLLEXCLUSIVE: one wakes
 * per burst), only says "there is work"; each worker has its own command
 * socket for ACCEPT and DONE, so a job never waits for another worker's
 * netlink traffic. libnl-genl parses and builds the messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ktlsd.h"

/*
 * The family's numbers, from Documentation/netlink/specs/handshake.yaml.
 * Debian 12's linux-libc-dev (6.1) has no <linux/handshake.h>.
 */
#define HS_FAMILY		"handshake"
#define HS_GROUP		"tlshd"
#define HS_CLASS_TLSHD		1
#define HS_CMD_READY		1
#define HS_CMD_ACCEPT		2
#define HS_CMD_DONE		3
#define HS_A_X509_CERT		1
#define HS_A_X509_PRIVKEY	2
#define HS_A_ACCEPT_SOCKFD	1
#define HS_A_ACCEPT_CLASS	2
#define HS_A_ACCEPT_MSG_TYPE	3
#define HS_A_ACCEPT_TIMEOUT	4
#define HS_A_ACCEPT_AUTH_MODE	5
#define HS_A_ACCEPT_PEER_ID	6
#define HS_A_ACCEPT_CERTIFICATE	7
#define HS_A_ACCEPT_PEERNAME	8
#define HS_A_DONE_STATUS	1
#define HS_A_DONE_SOCKFD	2
#define HS_A_DONE_REMOTE_AUTH	3

/* a netlink answer never takes long: anything slower is a kernel bug */
#define NL_TIMEOUT_MS		2000

static struct nl_sock *mcast;
static int family = -1;
static pthread_mutex_t mcast_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_timeout(struct nl_sock *sk)
{
	struct timeval tv = {
		.tv_sec = NL_TIMEOUT_MS / 1000,
		.tv_usec = (NL_TIMEOUT_MS % 1000) * 1000,
	};

	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_SNDTIMEO, &tv,
		   sizeof(tv));
}

static struct nl_sock *connect_genl(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
	return sk;
}

/**
 * ktlsd_upcall_open() - join the kernel's handshake requests
 *
 * Requests queued before we joined get no READY: the workers try one
 * ACCEPT round at start (ktlsd_upcall_fd() is readable from the start for
 * that reason: see worker.c).
 *
 * Return: 0, -ENOENT when this kernel has no "handshake" family
 * (CONFIG_NET_HANDSHAKE unset, or older than 6.4), or another negative
 * errno.
 */
int ktlsd_upcall_open(void)
{
	int grp;

	mcast = connect_genl();
	if (!mcast)
		return -ENOMEM;
	family = genl_ctrl_resolve(mcast, HS_FAMILY);
	if (family < 0) {
		ktlsd_upcall_close();
		return -ENOENT;
	}
	grp = genl_ctrl_resolve_grp(mcast, HS_FAMILY, HS_GROUP);
	if (grp < 0 || nl_socket_add_membership(mcast, grp)) {
		ktlsd_upcall_close();
		return -EPROTO;
	}
	/* READY arrives unasked: no sequence numbers to match */
	nl_socket_disable_seq_check(mcast);
	nl_socket_set_nonblocking(mcast);
	return 0;
}

/**
 * ktlsd_upcall_close() - leave the group (at exit)
 */
void ktlsd_upcall_close(void)
{
	if (mcast)
		nl_socket_free(mcast);
	mcast = NULL;
	family = -1;
}

/**
 * ktlsd_upcall_fd() - the multicast socket to watch, or -1
 *
 * Return: descriptor or -1 when kernel requests are not served.
 */
int ktlsd_upcall_fd(void)
{
	return mcast ? nl_socket_get_fd(mcast) : -1;
}

/**
 * ktlsd_upcall_worker_init() - the worker's own ACCEPT/DONE socket
 * @w: worker
 *
 * Return: 0 or a negative errno.
 */
int ktlsd_upcall_worker_init(struct ktlsd_worker *w)
{
	if (!mcast)
		return 0;
	w->nl = connect_genl();
	if (!w->nl)
		return -ENOMEM;
	set_timeout(w->nl);
	return 0;
}

/**
 * ktlsd_upcall_worker_fini() - close the worker's socket
 * @w: worker
 */
void ktlsd_upcall_worker_fini(struct ktlsd_worker *w)
{
	if (w->nl)
		nl_socket_free(w->nl);
	w->nl = NULL;
}

static int skip_msg(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/**
 * ktlsd_upcall_drain() - read every READY waiting on the multicast socket
 *
 * READY carries nothing we need (ACCEPT asks for the next request of our
 * class whatever the READY said), so they are only read away; the caller
 * then ACCEPTs until the kernel has nothing left. An overrun (ENOBUFS)
 * loses READYs, not requests.
 */
void ktlsd_upcall_drain(void)
{
	int i;

	pthread_mutex_lock(&mcast_lock);
	nl_socket_modify_cb(mcast, NL_CB_VALID, NL_CB_CUSTOM, skip_msg, NULL);
	for (i = 0; i < 64; i++)
		if (nl_recvmsgs_default(mcast) < 0)
			break;
	pthread_mutex_unlock(&mcast_lock);
}

static int32_t attr_s32(const struct nlattr *a)
{
	return nla_len(a) >= 4 ? (int32_t)nla_get_u32((struct nlattr *)a) : 0;
}

static void parse_certificate(struct nlattr *nest, struct ktlsd_kreq *req)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == HS_A_X509_CERT)
			req->cert = attr_s32(a);
		else if (nla_type(a) == HS_A_X509_PRIVKEY)
			req->privkey = attr_s32(a);
	}
}

static int parse_accept(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct ktlsd_kreq *req = arg;
	struct nlattr *a;
	int rem, n;

	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		switch (nla_type(a)) {
		case HS_A_ACCEPT_SOCKFD:
			req->sockfd = attr_s32(a);
			break;
		case HS_A_ACCEPT_MSG_TYPE:
			req->msg_type = attr_s32(a);
			break;
		case HS_A_ACCEPT_TIMEOUT:
			req->timeout_ms = attr_s32(a);
			break;
		case HS_A_ACCEPT_AUTH_MODE:
			req->auth_mode = attr_s32(a);
			break;
		case HS_A_ACCEPT_PEER_ID:
			if (req->npeer_ids < KTLSD_KREQ_MAX_IDS)
				req->peer_ids[req->npeer_ids++] = attr_s32(a);
			break;
		case HS_A_ACCEPT_CERTIFICATE:
			parse_certificate(a, req);
			break;
		case HS_A_ACCEPT_PEERNAME:
			/* a string from the kernel; bounded, NUL-terminated */
			n = nla_len(a);
			if (n >= (int)sizeof(req->peername))
				n = sizeof(req->peername) - 1;
			memcpy(req->peername, nla_data(a), n);
			req->peername[n] = '\0';
			req->peername[strnlen(req->peername, n)] = '\0';
			break;
		}
	}
	return NL_OK;
}

static int to_errno(int nlerr)
{
	/* libnl folds errnos into its own codes; these are the ones seen */
	switch (-nlerr) {
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static struct nl_msg *new_msg(int cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
				cmd, 1)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int got_ack(struct nl_msg *msg, void *arg)
{
	*(bool *)arg = true;
	return NL_STOP;
}

/*
 * Send a request and read until its ACK (which follows the reply, if any,
 * in a datagram of its own). Any failure but the kernel's own answer
 * leaves the socket in an unknown state: it is replaced, so a late reply
 * can never be read as the answer to the next request.
 */
static int transact(struct ktlsd_worker *w, struct nl_msg *msg,
		    nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	bool acked = false, kernel_said = false;
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, got_ack, &acked);
	ret = nl_send_auto(w->nl, msg);
	while (ret >= 0 && !acked)
		ret = nl_recvmsgs(w->nl, cb);
	nl_cb_put(cb);
	if (ret >= 0)
		return 0;
	/* an error the kernel sent back arrives as the ACK's errno */
	kernel_said = ret != -NLE_AGAIN && ret != -NLE_SEQ_MISMATCH &&
		      ret != -NLE_MSG_TRUNC && ret != -NLE_NOMEM;
	if (!kernel_said) {
		ktlsd_upcall_worker_fini(w);
		if (ktlsd_upcall_worker_init(w))
			ktlsd_log(LOG_ERR,
				  "kernel: cannot reopen the worker's netlink socket");
	}
	return to_errno(ret);
}

/**
 * ktlsd_upcall_accept() - take the next pending request
 * @w: worker (its command socket)
 * @req: filled in; @req->sockfd is ours to DONE and close
 *
 * Return: 0, -ENOENT when none is pending (another agent or worker took
 * it), or another negative errno.
 */
int ktlsd_upcall_accept(struct ktlsd_worker *w, struct ktlsd_kreq *req)
{
	struct nl_msg *msg;
	int ret;

	memset(req, 0, sizeof(*req));
	req->sockfd = -1;
	if (!w->nl)
		return -ENOTCONN;
	msg = new_msg(HS_CMD_ACCEPT);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, HS_A_ACCEPT_CLASS, HS_CLASS_TLSHD)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = transact(w, msg, parse_accept, req);
	nlmsg_free(msg);
	if (ret && req->sockfd >= 0) {
		/* the request was ours, the answer incomplete: fail it */
		ktlsd_upcall_done(w, req, -EIO);
		close(req->sockfd);
		req->sockfd = -1;
	}
	if (ret)
		return ret == -EAGAIN ? -ENOENT : ret;
	return req->sockfd < 0 ? -ENOENT : 0;
}

/**
 * ktlsd_upcall_done() - give the socket back to its consumer
 * @w: worker
 * @req: the request; its @remote serials are sent on success
 * @status: 0 or a negative errno (the kernel wants it positive)
 *
 * Return: 0 or a negative errno (the consumer then times out).
 */
int ktlsd_upcall_done(struct ktlsd_worker *w, const struct ktlsd_kreq *req,
		      int status)
{
	struct nl_msg *msg;
	unsigned int i;
	int ret = -ENOMEM;

	if (!w->nl)
		return -ENOTCONN;
	msg = new_msg(HS_CMD_DONE);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, HS_A_DONE_STATUS, (uint32_t)-status) ||
	    nla_put_u32(msg, HS_A_DONE_SOCKFD, (uint32_t)req->sockfd))
		goto out;
	for (i = 0; !status && i < req->nremote; i++)
		if (nla_put_u32(msg, HS_A_DONE_REMOTE_AUTH,
				(uint32_t)req->remote[i]))
			goto out;
	ret = transact(w, msg, skip_msg, NULL);
out:
	nlmsg_free(msg);
	return ret;
}
