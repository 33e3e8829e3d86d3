// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why a kTLS connection runs in software although the interface that
 * holds its address could offload it. The kernel decides once, when the
 * application sets TLS_TX or TLS_RX: it asks the route's device
 * (tls_dev_add) and falls back to software when the device lacks or has
 * switched off the feature, refuses the connection, or cannot do the
 * version or cipher (Linux offloads TLS 1.2 with AES-GCM only).
 */
#include <ifaddrs.h>
#include <linux/tls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "stat.h"

/* The interface that holds @c's local address, if any. */
static void find_ifname(struct conn *c, const struct ifaddrs *ifs)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const unsigned char *want = c->d.local;
	int family = c->d.family;
	const struct ifaddrs *i;

	if (family == AF_INET6 && !memcmp(want, mapped, 12)) {
		family = AF_INET;
		want += 12;
	}
	for (i = ifs; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != family)
			continue;
		if (family == AF_INET &&
		    memcmp(&((struct sockaddr_in *)sa)->sin_addr, want, 4))
			continue;
		if (family == AF_INET6 &&
		    memcmp(&((struct sockaddr_in6 *)sa)->sin6_addr, want, 16))
			continue;
		snprintf(c->ifname, sizeof(c->ifname), "%s", i->ifa_name);
		return;
	}
}

static bool device_cipher(unsigned int cipher)
{
	return cipher == TLS_CIPHER_AES_GCM_128 ||
	       cipher == TLS_CIPHER_AES_GCM_256;
}

/* Direction @d (0 TX, 1 RX) runs in software: say why, if we can tell. */
static void explain_sw(struct conn *c, int d, const bool available[2],
		       const bool active[2])
{
	static const char * const dir[2] = { "tx", "rx" };
	char *out = c->why[d];
	char vbuf[16], cbuf[24];
	const char *dev = c->ifname;

	if (!available[d])
		return;		/* the device cannot: nothing was expected */
	if (!active[d]) {
		snprintf(out, STAT_NOTE_LEN,
			 "%s offers TLS offload but tls-hw-%s-offload is off (ethtool -K %s tls-hw-%s-offload on; it applies to connections that set their keys afterwards)",
			 dev, dir[d], dev, dir[d]);
	} else if (c->d.version && c->d.version != TLS_1_2_VERSION) {
		snprintf(out, STAT_NOTE_LEN,
			 "TLS %s: the kernel offloads only TLS 1.2 to %s, so this connection runs in software",
			 stat_version_name(c->d.version, vbuf, sizeof(vbuf)),
			 dev);
	} else if (c->d.cipher && !device_cipher(c->d.cipher)) {
		snprintf(out, STAT_NOTE_LEN,
			 "cipher %s: the kernel offloads only AES-GCM-128/256 to %s, so this connection runs in software",
			 stat_cipher_name(c->d.cipher, cbuf, sizeof(cbuf)),
			 dev);
	} else {
		snprintf(out, STAT_NOTE_LEN,
			 "%s has tls-hw-%s-offload on but did not take this connection: the route to the peer may not leave through %s, the device may have refused it (tls_dev_add failed: see dmesg and ethtool -S %s), or the offload was switched on after the keys were set",
			 dev, dir[d], dev, dev);
	}
}

static void explain_one(struct conn *c, const struct ifaddrs *ifs,
			bool plain_note)
{
	bool available[2], active[2];
	__u16 conf[2] = { c->d.txconf, c->d.rxconf };
	int d;

	find_ifname(c, ifs);
	if (!c->d.tls) {
		if (plain_note && !c->d.ulp[0] &&
		    c->d.state != TCP_LISTEN)
			snprintf(c->note, STAT_NOTE_LEN,
				 "no ULP: the kernel does not handle TLS on this socket (user-space TLS or plain TCP)");
		return;
	}
	if (conf[0] == TLS_CONF_BASE && conf[1] == TLS_CONF_BASE) {
		snprintf(c->note, STAT_NOTE_LEN,
			 "tls ULP attached but no keys handed to the kernel yet (handshake still running, or the application never set TLS_TX/TLS_RX)");
		return;
	}
	if (conf[0] != TLS_CONF_SW && conf[1] != TLS_CONF_SW)
		return;
	if (!c->ifname[0] ||
	    stat_tls_features(c->ifname, available, active))
		return;
	for (d = 0; d < 2; d++)
		if (conf[d] == TLS_CONF_SW)
			explain_sw(c, d, available, active);
}

/**
 * stat_explain() - fill in each connection's interface and explanations
 * @l: connections collected in this namespace
 * @plain_note: say of sockets without a ULP that the kernel does not do
 *	their TLS (when the user asked about them, and the kernel would have
 *	shown us a ULP)
 */
void stat_explain(struct conn_list *l, bool plain_note)
{
	struct ifaddrs *ifs = NULL;
	size_t i;

	if (getifaddrs(&ifs))
		ifs = NULL;
	for (i = 0; i < l->n; i++)
		explain_one(&l->v[i], ifs, plain_note);
	if (ifs)
		freeifaddrs(ifs);
}
