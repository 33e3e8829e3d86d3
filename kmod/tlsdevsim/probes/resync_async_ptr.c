// SPDX-License-Identifier: GPL-2.0
/* The async RX resync helpers take the resync_async state, not the socket. */
#include <net/tls.h>

void tds_probe(struct tls_offload_resync_async *a);
void tds_probe(struct tls_offload_resync_async *a)
{
	tls_offload_rx_resync_async_request_start(a, 0, 0);
	tls_offload_rx_resync_async_request_end(a, 0);
}
