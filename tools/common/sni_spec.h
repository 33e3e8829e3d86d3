/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one text form of a server identity picked by SNI, shared by
 * ktls-cat --sni-cert, ktls-serve --sni-cert and ktlsd.conf's sni_cert:
 * "NAME:CERT:KEY[:CHAIN[:OCSP]]".
 */
#ifndef KTLS_TOOLS_SNI_SPEC_H
#define KTLS_TOOLS_SNI_SPEC_H

#include <ktls/ktls.h>

int sni_spec_add(struct ktls_sni_cert **listp, char *spec);

#endif /* KTLS_TOOLS_SNI_SPEC_H */
