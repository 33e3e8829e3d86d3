/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag) queries about TCP sockets and
 * their upper layer protocol (ULP) state, shared by libktls (how the kernel
 * carries our own socket) and ktls-stat (every socket of a namespace). Not
 * installed; no wolfSSL types here so tools can include it.
 *
 * The kernel reports the ULP (INET_DIAG_ULP_INFO, nested name and, for
 * "tls", the TLS_INFO_* attributes of tls_get_info()) only to callers with
 * CAP_NET_ADMIN in the socket's namespace, and only when INET_DIAG_INFO is
 * requested.
 */
#ifndef KTLS_SOCKDIAG_H
#define KTLS_SOCKDIAG_H

#include <linux/types.h>
#include <stdbool.h>

/**
 * struct ktls_diag_sock - one TCP socket as sock_diag describes it
 * @family: AF_INET or AF_INET6
 * @state: TCP state (TCP_ESTABLISHED, ...)
 * @local: local address, 4 or 16 bytes used
 * @peer: peer address
 * @lport: local port, host order
 * @pport: peer port, host order
 * @uid: owner's uid
 * @inode: socket inode (0 once the socket has no file, e.g. TIME_WAIT)
 * @ulp: ULP name ("tls", "mptcp"), empty when none or when hidden
 * @tls: the kernel sent INET_ULP_INFO_TLS
 * @version: TLS_INFO_VERSION (TLS_1_2_VERSION, ...), 0 when absent
 * @cipher: TLS_INFO_CIPHER (TLS_CIPHER_*), 0 when absent
 * @txconf: TLS_INFO_TXCONF (TLS_CONF_*), 0 when absent
 * @rxconf: TLS_INFO_RXCONF (TLS_CONF_*), 0 when absent
 * @zc_ro_tx: TLS_INFO_ZC_RO_TX flag (zero-copy sendfile, device TX only)
 * @rx_no_pad: TLS_INFO_RX_NO_PAD flag (TLS_RX_EXPECT_NO_PAD)
 */
struct ktls_diag_sock {
	int family;
	__u8 state;
	__u8 local[16];
	__u8 peer[16];
	__u16 lport;
	__u16 pport;
	__u32 uid;
	__u32 inode;
	char ulp[16];
	bool tls;
	__u16 version;
	__u16 cipher;
	__u16 txconf;
	__u16 rxconf;
	bool zc_ro_tx;
	bool rx_no_pad;
};

int __ktls_diag_query(int family, const struct ktls_diag_sock *match,
		      int (*cb)(const struct ktls_diag_sock *s, void *arg),
		      void *arg);

#endif /* KTLS_SOCKDIAG_H */
