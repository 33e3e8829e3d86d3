// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The msghdr every record-typed send or receive on a kTLS socket needs:
 * one data buffer and room for the one-byte TLS content-type cmsg
 * (TLS_SET_RECORD_TYPE going out, TLS_GET_RECORD_TYPE coming in).
 */
#include <errno.h>
#include <linux/tls.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/**
 * __ktls_typed_msg_init() - point a typed message at one buffer
 * @m: filled in; it points into itself, so use it where it is
 * @buf: data to send, or room to receive into
 * @len: its length
 * @type: content type to send with it, or -1 to receive one
 */
void __ktls_typed_msg_init(struct ktls_uring_msg *m, const void *buf,
			   size_t len, int type)
{
	struct cmsghdr *cm;

	memset(m, 0, sizeof(*m));
	m->iov.iov_base = (void *)buf;
	m->iov.iov_len = len;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->cbuf.bytes;
	m->msg.msg_controllen = sizeof(m->cbuf.bytes);
	if (type < 0)
		return;
	cm = CMSG_FIRSTHDR(&m->msg);
	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*(unsigned char *)CMSG_DATA(cm) = type;
}

/**
 * ktls_uring_msg_type() - content type of a record a receive filled in
 * @m: the message a recvmsg (ktls_prep_recv_record()'s, once its CQE
 *	came) completed
 *
 * Return: the type from the kernel's TLS_GET_RECORD_TYPE cmsg, or
 * application data when there is none (the kernel adds it only for
 * records that are not data, and always for those).
 */
KTLS_EXPORT int ktls_uring_msg_type(const struct ktls_uring_msg *m)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(&m->msg); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)&m->msg, cm))
		if (cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			return *(unsigned char *)CMSG_DATA(cm);
	return KTLS_CT_APPLICATION_DATA;
}

/**
 * ktls_fd_recv_record() - one record's data and its type from a kTLS socket
 * @fd: socket with kernel TLS on receive, with or without a session here
 *	(ktlsd hands such sockets back to clients that keep no session)
 * @buf: buffer
 * @len: its size
 * @type: set to the TLS content type (enum ktls_content_type)
 * @flags: recvmsg flags, such as MSG_DONTWAIT
 *
 * A control record (alert, handshake message) is returned whole, never
 * merged with data, so the caller sees exactly what the peer sent.
 *
 * Return: bytes read, 0 at TCP end of stream, or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_fd_recv_record(int fd, void *buf, size_t len,
					unsigned char *type, int flags)
{
	struct ktls_uring_msg m;
	ssize_t n;

	*type = KTLS_CT_APPLICATION_DATA;
	__ktls_typed_msg_init(&m, buf, len, -1);
	do {
		n = recvmsg(fd, &m.msg, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*type = ktls_uring_msg_type(&m);
	return n;
}

/**
 * ktls_fd_send_record() - send one record of a given type on a kTLS socket
 * @fd: socket with kernel TLS on transmit, with or without a session here
 * @type: TLS content type (enum ktls_content_type)
 * @buf: payload
 * @len: its length, at most 16384
 * @flags: sendmsg flags besides MSG_NOSIGNAL, such as MSG_DONTWAIT
 *
 * Return: bytes sent or a negative errno.
 */
KTLS_EXPORT ssize_t ktls_fd_send_record(int fd, unsigned char type,
					const void *buf, size_t len, int flags)
{
	struct ktls_uring_msg m;
	ssize_t n;

	if (len > KTLS_MAX_PLAIN)
		return -EMSGSIZE;
	__ktls_typed_msg_init(&m, buf, len, type);
	do {
		n = sendmsg(fd, &m.msg, flags | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}
