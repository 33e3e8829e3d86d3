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
#include <unistd.h>

#include "kselftest_harness.h"
#include "pair.h"

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
		return ktls_uring_splice(ring, j->s, j->fd, FILE_SIZE);
	default:
		break;
	}
	while (done < FILE_SIZE) {
		size_t chunk = FILE_SIZE - done > (1 << 20) ? 1 << 20 :
			       FILE_SIZE - done;

		if (j->path == P_WRITE)
			n = ktls_send(j->s, j->map + done, chunk);
		else if (j->path == P_URING)
			n = ktls_uring_send(ring, j->s, j->map + done, chunk);
		else
			n = ktls_uring_send_zc(ring, j->s, j->map + done,
					       chunk);
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
	struct io_uring ring;
	unsigned char buf[64], type;
	static const unsigned char alert[2] = {
		KTLS_ALERT_LEVEL_WARNING, KTLS_ALERT_CLOSE_NOTIFY
	};
	ssize_t n;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	EXPECT_EQ(5, ktls_uring_send(&ring, self->p.cs, "hello", 5));
	EXPECT_EQ(2, ktls_uring_sendmsg_type(&ring, self->p.cs,
						 KTLS_CT_ALERT, alert, 2));
	n = ktls_uring_recv(&ring, self->p.ss, buf, sizeof(buf), &type);
	EXPECT_EQ(5, n);
	EXPECT_EQ(KTLS_CT_APPLICATION_DATA, type);
	n = ktls_uring_recv(&ring, self->p.ss, buf, sizeof(buf), &type);
	EXPECT_EQ(2, n);
	EXPECT_EQ(KTLS_CT_ALERT, type);
	io_uring_queue_exit(&ring);
}

TEST_HARNESS_MAIN
