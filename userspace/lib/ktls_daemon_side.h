/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session calls only ktlsd makes: it runs handshakes for other processes,
 * so it moves a finished session to the socket it hands back, answers
 * their post-handshake messages and keeps resumption tickets between
 * them. Not part of libktls' ABI: this header is not installed, the
 * functions are not in libktls.map, and ktlsd links libktls.a. An
 * embedder gets the same through daemon mode (ktls_daemon_*()) or does
 * it in process with ktls_recv(). Kernel-doc in daemon_session.c.
 */
#ifndef KTLS_DAEMON_SIDE_H
#define KTLS_DAEMON_SIDE_H

#include <stddef.h>
#include <ktls/ktls.h>

struct ktls_ticket;

int ktls_session_rebind(struct ktls_session *s, int fd);
int ktls_post_handshake(struct ktls_session *s, const void *msg, size_t len);
int ktls_session_get_ticket(struct ktls_session *s, struct ktls_ticket **tp);
int ktls_session_request_ticket(struct ktls_session *s);
int ktls_session_set_ticket(struct ktls_session *s,
			    const struct ktls_ticket *t);
void ktls_ticket_free(struct ktls_ticket *t);

#endif /* KTLS_DAEMON_SIDE_H */
