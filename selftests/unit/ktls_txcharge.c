// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One counted send path (rekey.c's __ktls_tx_begin()): every way of
 * sending on a session, plain calls and io_uring preparations alike,
 * charges the same records toward the key's usage limit and is refused
 * the same way past it, while the library's own alerts never are. Driven
 * on the host: a session made by hand over a Unix socket pair stands in
 * for a kTLS socket (the kernel's TLS layer adds nothing to the count).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../userspace/lib/internal.h"

#define BIG	(2 * 16384 + 100)	/* three records */

FIXTURE(txcharge) {
	struct ktls_ctx ctx;
	struct ktls_session s;
	int peer, file, pipefd[2];
	struct io_uring ring;
	bool ring_ok;
	unsigned char buf[BIG];
};

FIXTURE_SETUP(txcharge)
{
	char name[] = "/tmp/ktls-txcharge.XXXXXX";
	pthread_mutexattr_t ma;
	int sv[2], big = 1 << 20;

	memset(self->buf, 'x', sizeof(self->buf));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	self->peer = sv[1];
	self->s.fd = sv[0];
	self->s.ctx = &self->ctx;
	self->s.tx_kernel = self->s.rx_kernel = true;
	self->s.offloaded = self->s.done = true;
	/* TLS 1.2 cannot change its key: at the limit the session ends */
	self->s.version = KTLS_TLS_1_2;
	self->s.rekey_limit = 10;
	self->s.peer_alert = -1;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&self->s.lock, &ma);
	pthread_mutexattr_destroy(&ma);
	self->file = mkstemp(name);
	ASSERT_LE(0, self->file);
	unlink(name);
	ASSERT_EQ(BIG, write(self->file, self->buf, BIG));
	ASSERT_EQ(0, pipe(self->pipefd));
	self->ring_ok = !io_uring_queue_init(8, &self->ring, 0);
}

FIXTURE_TEARDOWN(txcharge)
{
	if (self->ring_ok)
		io_uring_queue_exit(&self->ring);
	close(self->pipefd[0]);
	close(self->pipefd[1]);
	close(self->file);
	close(self->s.fd);
	close(self->peer);
	pthread_mutex_destroy(&self->s.lock);
}

/* the records charged since the last call */
static uint64_t charged(const struct ktls_session *s, uint64_t *mark)
{
	uint64_t was = *mark;

	*mark = ktls_records_sent(s);
	return *mark - was;
}

TEST_F(txcharge, every_path_counts_alike)
{
	struct ktls_session *s = &self->s;
	struct io_uring *r = &self->ring;
	struct ktls_uring_msg m;
	uint64_t mark = 0;
	off_t off = 0;

	s->rekey_limit = 1000;
	EXPECT_EQ(BIG, ktls_send(s, self->buf, BIG));
	EXPECT_EQ(3U, charged(s, &mark));
	EXPECT_EQ(100, ktls_send_record(s, KTLS_CT_APPLICATION_DATA, self->buf, 100));
	EXPECT_EQ(1U, charged(s, &mark));
	EXPECT_EQ(BIG, ktls_sendfile(s, self->file, &off, BIG));
	EXPECT_EQ(3U, charged(s, &mark));
	if (!self->ring_ok)
		SKIP(return, "no io_uring on this host");
	EXPECT_EQ(0, ktls_prep_send(io_uring_get_sqe(r), s, self->buf, BIG, 0));
	EXPECT_EQ(3U, charged(s, &mark));
	EXPECT_EQ(0, ktls_prep_send_zc(io_uring_get_sqe(r), s, self->buf, BIG,
				       0));
	EXPECT_EQ(3U, charged(s, &mark));
	EXPECT_EQ(0, ktls_prep_send_record(io_uring_get_sqe(r), s,
					   KTLS_CT_APPLICATION_DATA, self->buf,
					   100, &m));
	EXPECT_EQ(1U, charged(s, &mark));
	EXPECT_EQ(0, ktls_prep_splice(io_uring_get_sqe(r), io_uring_get_sqe(r),
				      s, self->file, 0, self->pipefd, 20000));
	EXPECT_EQ(2U, charged(s, &mark));
}

/* past the limit, each path is refused and the session ends */
TEST_F(txcharge, refused_alike_at_the_limit)
{
	struct ktls_uring_msg m;
	off_t off = 0;

	self->s.tx_records = self->s.rekey_limit;
	EXPECT_EQ(-EKEYEXPIRED, ktls_send(&self->s, self->buf, 1));
	EXPECT_EQ(KTLS_R_PROTOCOL, (int)ktls_reason(&self->s));
	EXPECT_EQ(-EKEYEXPIRED, ktls_send_record(&self->s, KTLS_CT_APPLICATION_DATA, self->buf, 1));
	EXPECT_EQ(-EKEYEXPIRED, ktls_sendfile(&self->s, self->file, &off, 1));
	ASSERT_EQ(0, lseek(self->file, 0, SEEK_SET));
	EXPECT_EQ(-EKEYEXPIRED, ktls_splice_from(&self->s, self->file, 1));
	if (!self->ring_ok)
		SKIP(return, "no io_uring on this host");
	EXPECT_EQ(-EKEYEXPIRED, ktls_prep_send(io_uring_get_sqe(&self->ring),
					       &self->s, self->buf, 1, 0));
	EXPECT_EQ(-EKEYEXPIRED,
		  ktls_prep_send_record(io_uring_get_sqe(&self->ring),
					&self->s, KTLS_CT_APPLICATION_DATA, self->buf, 1, &m));
	/* a refused preparation leaves a NOP, so the ring stays sane */
	EXPECT_EQ(IORING_OP_NOP, self->ring.sq.sqes[1].opcode);
}

/* the library's own control records go out past the limit */
TEST_F(txcharge, alerts_are_never_refused)
{
	self->s.tx_records = self->s.rekey_limit;
	EXPECT_EQ(0, ktls_send_alert(&self->s, KTLS_ALERT_LEVEL_WARNING,
				     KTLS_ALERT_CLOSE_NOTIFY));
	EXPECT_EQ(self->s.rekey_limit + 1, ktls_records_sent(&self->s));
	EXPECT_EQ(KTLS_R_NONE, (int)ktls_reason(&self->s));
}

/* a record that fits exactly is allowed; the next one is not */
TEST_F(txcharge, limit_is_inclusive)
{
	self->s.tx_records = self->s.rekey_limit - 3;
	EXPECT_EQ(BIG, ktls_send(&self->s, self->buf, BIG));
	EXPECT_EQ(self->s.rekey_limit, ktls_records_sent(&self->s));
	EXPECT_EQ(-EKEYEXPIRED, ktls_send(&self->s, self->buf, 1));
}

TEST_HARNESS_MAIN
