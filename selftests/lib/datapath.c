// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libktls data paths: write, sendfile, splice and the io_uring helpers each
 * move a file larger than 16 MiB through kernel TLS intact; io_uring also
 * sends a control record (sendmsg with a record type) and receives with the
 * record type in a cmsg.
 *
 * ktlskit-timeout: 900
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <poll.h>
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ossl_peer.h"
#include "pair.h"
#include "uring_sync.h"

#define FILE_SIZE	((17 << 20) + 12345)

enum path { P_WRITE, P_SENDFILE, P_SPLICE, P_URING, P_URING_ZC,
	    P_URING_SPLICE };

FIXTURE(datapath) {
	struct pair p;
	int fd;
	unsigned char *map;
};

FIXTURE_VARIANT(datapath) {
	unsigned int version;
	const char *cipher;
};

FIXTURE_VARIANT_ADD(datapath, tls13_aes128gcm) {
	.version = KTLS_TLS_1_3,
	.cipher = "TLS13-AES128-GCM-SHA256",
};

FIXTURE_VARIANT_ADD(datapath, tls12_chacha) {
	.version = KTLS_TLS_1_2,
	.cipher = "ECDHE-ECDSA-CHACHA20-POLY1305",
};

FIXTURE_SETUP(datapath)
{
	struct pair_opts o = {
		.version = variant->version,
		.cipher = variant->cipher,
		.offload = true,
	};
	char name[] = "/tmp/ktls-datapath.XXXXXX";
	unsigned char *buf;

	self->fd = -1;
	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ASSERT_EQ(0, pair_open(&self->p, &o));
	self->fd = mkstemp(name);
	ASSERT_LE(0, self->fd);
	unlink(name);
	buf = malloc(FILE_SIZE);
	ASSERT_NE(NULL, buf);
	pair_fill(buf, FILE_SIZE, 42);
	ASSERT_EQ(FILE_SIZE, write(self->fd, buf, FILE_SIZE));
	free(buf);
	self->map = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(datapath)
{
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, FILE_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	pair_close(&self->p);
}

struct job {
	struct ktls_session *s;
	int fd;
	const unsigned char *map;
	enum path path;
	ssize_t ret;
};

static ssize_t send_by(struct job *j, struct io_uring *ring)
{
	off_t off = 0;
	size_t done = 0;
	ssize_t n;

	switch (j->path) {
	case P_SENDFILE:
		return ktls_sendfile(j->s, j->fd, &off, FILE_SIZE);
	case P_SPLICE:
		lseek(j->fd, 0, SEEK_SET);
		return ktls_splice_from(j->s, j->fd, FILE_SIZE);
	case P_URING_SPLICE:
		lseek(j->fd, 0, SEEK_SET);
		return uring_splice_file(ring, j->s, -1, j->fd, FILE_SIZE);
	default:
		break;
	}
	while (done < FILE_SIZE) {
		size_t chunk = FILE_SIZE - done > (1 << 20) ? 1 << 20 :
			       FILE_SIZE - done;

		if (j->path == P_WRITE)
			n = ktls_send(j->s, j->map + done, chunk);
		else
			n = uring_send_all(ring, j->s, j->map + done, chunk,
					   j->path == P_URING_ZC);
		if (n <= 0)
			return n ? n : -EIO;
		done += n;
	}
	return done;
}

static void *sender(void *arg)
{
	struct job *j = arg;
	struct io_uring ring;
	bool uring = j->path >= P_URING;

	if (uring && io_uring_queue_init(8, &ring, 0)) {
		j->ret = -EOPNOTSUPP;
		return NULL;
	}
	j->ret = send_by(j, uring ? &ring : NULL);
	/* a failed sender must not leave the receiver waiting */
	if (j->ret != FILE_SIZE)
		shutdown(ktls_session_fd(j->s), SHUT_RDWR);
	if (uring)
		io_uring_queue_exit(&ring);
	return NULL;
}

/* Receive the whole file on the other end and compare as it comes. */
static int move_file(struct __test_metadata *_metadata, struct _test_data_datapath *self,
		     enum path path)
{
	struct job j = {
		.s = self->p.cs, .fd = self->fd, .map = self->map,
		.path = path,
	};
	unsigned char *buf = malloc(1 << 20);
	size_t got = 0;
	pthread_t th;
	int bad = 0;

	pthread_create(&th, NULL, sender, &j);
	while (got < FILE_SIZE) {
		ssize_t n = ktls_recv(self->p.ss, buf, 1 << 20);

		if (n <= 0) {
			TH_LOG("recv after %zu bytes: %zd", got, n);
			bad = 1;
			break;
		}
		if (got + n > FILE_SIZE || memcmp(buf, self->map + got, n))
			bad = 1;
		got += n;
	}
	pthread_join(th, NULL);
	free(buf);
	if (j.ret != FILE_SIZE)
		TH_LOG("sender returned %zd", j.ret);
	return bad || j.ret != FILE_SIZE ? -1 : 0;
}

TEST_F_TIMEOUT(datapath, write, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_WRITE));
}

TEST_F_TIMEOUT(datapath, sendfile, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_SENDFILE));
}

TEST_F_TIMEOUT(datapath, splice, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_SPLICE));
}

TEST_F_TIMEOUT(datapath, uring_send, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_URING));
}

TEST_F_TIMEOUT(datapath, uring_send_zc, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_URING_ZC));
}

TEST_F_TIMEOUT(datapath, uring_splice, 240)
{
	EXPECT_EQ(0, move_file(_metadata, self, P_URING_SPLICE));
}

/* splice out of the kTLS socket, then recv for the close_notify after it */
TEST_F_TIMEOUT(datapath, splice_to_file_then_close_notify, 240)
{
	struct job j = {
		.s = self->p.cs, .fd = self->fd, .map = self->map,
		.path = P_SENDFILE,
	};
	char name[] = "/tmp/ktls-splice-out.XXXXXX";
	int out = mkstemp(name);
	unsigned char c, *m;
	size_t got = 0;
	pthread_t th;

	ASSERT_LE(0, out);
	unlink(name);
	pthread_create(&th, NULL, sender, &j);
	while (got < FILE_SIZE) {
		ssize_t n = ktls_splice_to(self->p.ss, out, FILE_SIZE - got);

		ASSERT_LT(0, n);
		got += n;
	}
	pthread_join(th, NULL);
	ASSERT_EQ(FILE_SIZE, j.ret);
	ASSERT_EQ(0, ktls_close_notify(self->p.cs));
	EXPECT_GT(0, ktls_splice_to(self->p.ss, out, 100));
	EXPECT_EQ(0, ktls_recv(self->p.ss, &c, 1));
	m = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, out, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0, memcmp(m, self->map, FILE_SIZE));
	munmap(m, FILE_SIZE);
	close(out);
}

/* io_uring: data, then an alert record by sendmsg, read back with types */
TEST_F_TIMEOUT(datapath, uring_record_types, 240)
{
	static const unsigned char alert[2] = {
		KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY
	};
	unsigned char buf[64], type;
	struct ktls_uring_msg m;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	ssize_t n;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	EXPECT_EQ(5, uring_send_all(&ring, self->p.cs, "hello", 5, false));
	ASSERT_EQ(0, ktls_prep_send_record(io_uring_get_sqe(&ring),
					   self->p.cs, KTLS_CT_ALERT, alert,
					   2, &m));
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(2, ktls_uring_done(self->p.cs, cqe));
	io_uring_cqe_seen(&ring, cqe);
	n = uring_recv_record(&ring, self->p.ss, buf, sizeof(buf), &type);
	EXPECT_EQ(5, n);
	EXPECT_EQ(KTLS_CT_APPLICATION_DATA, type);
	n = uring_recv_record(&ring, self->p.ss, buf, sizeof(buf), &type);
	EXPECT_EQ(2, n);
	EXPECT_EQ(KTLS_CT_ALERT, type);
	io_uring_queue_exit(&ring);
}

#define SHARED_SIZE	(256 << 10)
#define SHARED_CHUNK	(64 << 10)
#define OWN_READ	1	/* the caller's own operations' user_data */
#define OWN_NOP		2
#define SEND_BASE	16	/* sends: SEND_BASE + offset / SHARED_CHUNK */

/* /proc/net/tls_stat's counter @name, or -1 */
static long long tls_stat(const char *name)
{
	FILE *f = fopen("/proc/net/tls_stat", "r");
	char key[64];
	long long v, ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	wc_Sha256 h;

	wc_InitSha256(&h);
	wc_Sha256Update(&h, p, n);
	wc_Sha256Final(&h, out);
	wc_Sha256Free(&h);
}

#define MARK		"\nend-of-payload"
#define MARK_LEN	(sizeof(MARK) - 1)

/*
 * What the peer printed after its handshake output: the last @n bytes,
 * once the output ends with MARK.
 */
static int peer_tail(const struct peer *p, unsigned char *out, size_t n)
{
	long long end = peer_now_ms() + PEER_WAIT_MS;
	char tail[MARK_LEN];
	struct stat st;
	int ret = -1, fd = open(p->log, O_RDONLY);

	if (fd < 0)
		return -1;
	while (peer_now_ms() < end && !fstat(fd, &st)) {
		if ((size_t)st.st_size >= n &&
		    pread(fd, tail, MARK_LEN, st.st_size - MARK_LEN) ==
		    (ssize_t)MARK_LEN && !memcmp(tail, MARK, MARK_LEN)) {
			if (pread(fd, out, n, st.st_size - n) == (ssize_t)n)
				ret = 0;
			break;
		}
		poll(NULL, 0, 20);
	}
	close(fd);
	return ret;
}

/*
 * A ring shared with the caller's own work: a read from a pipe and a NOP,
 * each with the caller's user_data, queued next to a session's sends. The
 * caller reaps every CQE itself; libktls only prepares SQEs and turns
 * each of its CQEs into the session's accounting. The old helpers, which
 * submitted and consumed the next CQE, took the caller's NOP or read
 * completion as their own.
 */
TEST(uring_shared_ring)
{
	static const char * const args[] = { "-quiet", "-verify_quiet", NULL };
	unsigned char *data = malloc(SHARED_SIZE);
	unsigned char *got = malloc(SHARED_SIZE + MARK_LEN);
	unsigned char want_md[32], got_md[32], pipe_buf[16];
	struct ktls_config cfg = { .role = KTLS_SERVER };
	char dir[] = "/tmp/ktls-shared.XXXXXX", cert[256], key[256];
	const char *pki = pair_pki();
	bool own_read = false, own_nop = false;
	struct ktls_session *s = NULL;
	struct ktls_ctx *ctx = NULL;
	unsigned int inflight = 0;
	long long sw_before;
	struct ktls_info info;
	struct io_uring ring;
	struct io_uring_sqe *own;
	struct peer peer = { 0 };
	size_t i, sent = 0;
	int fd, p[2];

	if (!pair_kernel_has_tls())
		SKIP(return, "kernel has no TLS: run in the VM (tools/vm/run)");
	ASSERT_NE(NULL, pki);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, mkdtemp(dir));
	peer_dir = dir;
	/* printable, so the peer's output is easy to look at when it fails */
	for (i = 0; i < SHARED_SIZE; i++)
		data[i] = 'a' + (i * 7 + i / 251) % 26;
	snprintf(cert, sizeof(cert), "%s/server.pem", pki);
	snprintf(key, sizeof(key), "%s/server.key", pki);
	cfg.cert_file = cert;
	cfg.key_file = key;
	cfg.min_version = KTLS_TLS_1_3;
	sw_before = tls_stat("TlsTxSw");
	fd = peer_client(&peer, args);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ktls_ctx_new(&cfg, &ctx));
	ASSERT_EQ(0, ktls_session_new(ctx, fd, &s));
	ASSERT_EQ(0, peer_handshake(s));
	ASSERT_EQ(0, ktls_offload(s));
	ASSERT_EQ(0, ktls_get_info(s, &info));
	EXPECT_EQ(KTLS_CARRIER_KERNEL_SW, (int)info.tx);
	EXPECT_LT(sw_before, tls_stat("TlsTxSw"));

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(9, write(p[1], "own-data!", 9));
	ASSERT_EQ(0, io_uring_queue_init(16, &ring, 0));
	/* the caller's own work first, not yet submitted */
	own = io_uring_get_sqe(&ring);
	io_uring_prep_read(own, p[0], pipe_buf, sizeof(pipe_buf), 0);
	io_uring_sqe_set_data64(own, OWN_READ);
	own = io_uring_get_sqe(&ring);
	io_uring_prep_nop(own);
	io_uring_sqe_set_data64(own, OWN_NOP);
	/* then the session's sends, all in flight at once */
	for (i = 0; i < SHARED_SIZE; i += SHARED_CHUNK) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		ASSERT_NE(NULL, sqe);
		ASSERT_EQ(0, ktls_prep_send(sqe, s, data + i, SHARED_CHUNK,
					    0));
		io_uring_sqe_set_data64(sqe, SEND_BASE + i / SHARED_CHUNK);
		inflight++;
	}
	ASSERT_EQ(2 + inflight, (unsigned int)io_uring_submit(&ring));
	while (inflight || !own_read || !own_nop) {
		struct io_uring_cqe *cqe;
		unsigned long long ud;
		ssize_t n;

		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		ud = io_uring_cqe_get_data64(cqe);
		if (ud == OWN_READ) {
			EXPECT_EQ(9, cqe->res);
			EXPECT_EQ(0, memcmp(pipe_buf, "own-data!", 9));
			own_read = true;
		} else if (ud == OWN_NOP) {
			EXPECT_EQ(0, cqe->res);
			own_nop = true;
		} else {
			n = ktls_uring_done(s, cqe);
			/* a blocking send on a socket moves all of it */
			EXPECT_EQ(SHARED_CHUNK, n);
			ASSERT_LE((unsigned long long)SEND_BASE, ud);
			if (n > 0)
				sent += n;
			inflight--;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	EXPECT_EQ((size_t)SHARED_SIZE, sent);
	/* 4 sends of 64 KiB: 16 records under the key */
	EXPECT_EQ((uint64_t)SHARED_SIZE / 16384, ktls_records_sent(s));
	/* nothing left over in the ring for anyone */
	EXPECT_EQ(0U, io_uring_cq_ready(&ring));
	io_uring_queue_exit(&ring);

	ASSERT_EQ((ssize_t)MARK_LEN, ktls_write_all(s, MARK, MARK_LEN));
	ASSERT_EQ(0, peer_tail(&peer, got, SHARED_SIZE + MARK_LEN));
	sha256(data, SHARED_SIZE, want_md);
	sha256(got, SHARED_SIZE, got_md);
	EXPECT_EQ(0, memcmp(want_md, got_md, sizeof(want_md)));
	close(p[0]);
	close(p[1]);
	ktls_session_free(s);
	ktls_ctx_free(ctx);
	close(fd);
	peer_stop(&peer);
	unlink(peer.log);
	rmdir(dir);
	free(data);
	free(got);
}

TEST_HARNESS_MAIN
