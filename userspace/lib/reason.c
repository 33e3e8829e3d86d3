// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reasons and sentences for failures, alert and version names.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static const char *const reason_names[__KTLS_R_MAX] = {
	[KTLS_R_NONE] = "none",
	[KTLS_R_INTERNAL] = "internal",
	[KTLS_R_CONFIG] = "config",
	[KTLS_R_KEY_MISMATCH] = "key-mismatch",
	[KTLS_R_NO_SHARED_CIPHER] = "no-shared-cipher",
	[KTLS_R_VERSION_TOO_OLD] = "version-too-old",
	[KTLS_R_VERSION_MISMATCH] = "version-mismatch",
	[KTLS_R_CERT_EXPIRED] = "cert-expired",
	[KTLS_R_CERT_NOT_YET_VALID] = "cert-not-yet-valid",
	[KTLS_R_CERT_UNTRUSTED] = "cert-untrusted",
	[KTLS_R_HOSTNAME_MISMATCH] = "hostname-mismatch",
	[KTLS_R_NO_PEER_CERT] = "no-peer-cert",
	[KTLS_R_PEER_ALERT] = "peer-alert",
	[KTLS_R_PEER_CLOSED] = "peer-closed",
	[KTLS_R_NOT_TLS] = "not-tls",
	[KTLS_R_TIMEOUT] = "timeout",
	[KTLS_R_NO_KERNEL_TLS] = "no-kernel-tls",
	[KTLS_R_KERNEL_CIPHER] = "kernel-cipher",
	[KTLS_R_CIPHER_NOT_OFFLOADABLE] = "cipher-not-offloadable",
	[KTLS_R_NOT_TCP] = "not-tcp",
	[KTLS_R_ALPN] = "alpn",
	[KTLS_R_PROTOCOL] = "protocol",
	[KTLS_R_IO] = "io",
	[KTLS_R_REVOKED] = "revoked",
	[KTLS_R_CRL_MISSING] = "crl-missing",
	[KTLS_R_CRL_STALE] = "crl-stale",
	[KTLS_R_WEAK_SIGNATURE] = "weak-signature",
	[KTLS_R_WEAK_KEY] = "weak-key",
	[KTLS_R_WRONG_PURPOSE] = "wrong-purpose",
	[KTLS_R_OCSP_MISSING] = "ocsp-missing",
	[KTLS_R_OCSP_INVALID] = "ocsp-invalid",
	[KTLS_R_KEYLOG_TLS13] = "keylog-tls13",
	[KTLS_R_PEER_CLOSED_EARLY] = "peer-closed-early",
	[KTLS_R_PSK_UNKNOWN] = "psk-unknown",
	[KTLS_R_PSK_MISMATCH] = "psk-mismatch",
};

/**
 * ktls_reason_name() - short stable name of a reason, for logs and JSON
 * @r: reason
 *
 * Return: a name such as "cert-expired".
 */
KTLS_EXPORT const char *ktls_reason_name(enum ktls_reason r)
{
	if ((unsigned int)r >= __KTLS_R_MAX || !reason_names[r])
		return "unknown";
	return reason_names[r];
}

/**
 * ktls_reason() - why the handshake or the switch failed
 * @s: session
 *
 * Return: KTLS_R_NONE while nothing failed.
 */
KTLS_EXPORT enum ktls_reason ktls_reason(const struct ktls_session *s)
{
	return s->reason;
}

/**
 * ktls_reason_text() - the failure as a sentence a person can act on
 * @s: session
 *
 * Return: the sentence, or "" while nothing failed.
 */
KTLS_EXPORT const char *ktls_reason_text(const struct ktls_session *s)
{
	return s->text;
}

/**
 * __ktls_fail() - record a failure reason and sentence
 * @s: session
 * @r: reason
 * @err: negative errno to return
 * @fmt: sentence
 *
 * The first failure wins: later ones are consequences.
 *
 * Return: @err.
 */
int __ktls_fail(struct ktls_session *s, enum ktls_reason r, int err,
		const char *fmt, ...)
{
	va_list ap;

	if (s->reason)
		return err;
	s->reason = r;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof(s->text), fmt, ap);
	va_end(ap);
	return err;
}

/**
 * __ktls_escape() - a string from outside, safe inside a sentence
 * @in: the string, or NULL
 * @out: where to write it
 * @len: size of @out, at least 8
 *
 * Printable ASCII stays, but for the backslash and the double quote;
 * every other byte becomes \xHH. A string that does not fit ends in "...".
 *
 * Return: @out.
 */
const char *__ktls_escape(const char *in, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0;

	for (; *p; p++) {
		bool plain = *p >= 0x20 && *p < 0x7f && *p != '\\' &&
			     *p != '"';

		/* room for this byte's form, "..." and the NUL */
		if (o + (plain ? 1 : 4) + 4 > len) {
			snprintf(out + o, len - o, "...");
			return out;
		}
		if (plain)
			out[o++] = *p;
		else
			o += snprintf(out + o, len - o, "\\x%02x", *p);
	}
	out[o] = '\0';
	return out;
}

const char *__ktls_version_name(unsigned int v)
{
	switch (v) {
	case 0x0300:
		return "SSL 3.0";
	case 0x0301:
		return "TLS 1.0";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	}
	return "an unknown version";
}

/**
 * ktls_alert_name() - RFC 8446 name of an alert description
 * @desc: alert description byte
 *
 * Return: e.g. "handshake_failure", or "unknown".
 */
KTLS_EXPORT const char *ktls_alert_name(int desc)
{
	switch (desc) {
	case KTLS_ALERT_CLOSE_NOTIFY:
		return "close_notify";
	case KTLS_ALERT_UNEXPECTED_MESSAGE:
		return "unexpected_message";
	case KTLS_ALERT_BAD_RECORD_MAC:
		return "bad_record_mac";
	case KTLS_ALERT_RECORD_OVERFLOW:
		return "record_overflow";
	case KTLS_ALERT_HANDSHAKE_FAILURE:
		return "handshake_failure";
	case KTLS_ALERT_BAD_CERTIFICATE:
		return "bad_certificate";
	case KTLS_ALERT_UNSUPPORTED_CERTIFICATE:
		return "unsupported_certificate";
	case KTLS_ALERT_CERTIFICATE_REVOKED:
		return "certificate_revoked";
	case KTLS_ALERT_CERTIFICATE_EXPIRED:
		return "certificate_expired";
	case KTLS_ALERT_CERTIFICATE_UNKNOWN:
		return "certificate_unknown";
	case KTLS_ALERT_ILLEGAL_PARAMETER:
		return "illegal_parameter";
	case KTLS_ALERT_UNKNOWN_CA:
		return "unknown_ca";
	case KTLS_ALERT_ACCESS_DENIED:
		return "access_denied";
	case KTLS_ALERT_DECODE_ERROR:
		return "decode_error";
	case KTLS_ALERT_DECRYPT_ERROR:
		return "decrypt_error";
	case KTLS_ALERT_PROTOCOL_VERSION:
		return "protocol_version";
	case KTLS_ALERT_INSUFFICIENT_SECURITY:
		return "insufficient_security";
	case KTLS_ALERT_INTERNAL_ERROR:
		return "internal_error";
	case KTLS_ALERT_INAPPROPRIATE_FALLBACK:
		return "inappropriate_fallback";
	case KTLS_ALERT_USER_CANCELED:
		return "user_canceled";
	case KTLS_ALERT_NO_RENEGOTIATION:
		return "no_renegotiation";
	case KTLS_ALERT_MISSING_EXTENSION:
		return "missing_extension";
	case KTLS_ALERT_UNSUPPORTED_EXTENSION:
		return "unsupported_extension";
	case KTLS_ALERT_UNRECOGNIZED_NAME:
		return "unrecognized_name";
	case KTLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE:
		return "bad_certificate_status_response";
	case KTLS_ALERT_UNKNOWN_PSK_IDENTITY:
		return "unknown_psk_identity";
	case KTLS_ALERT_CERTIFICATE_REQUIRED:
		return "certificate_required";
	case KTLS_ALERT_NO_APPLICATION_PROTOCOL:
		return "no_application_protocol";
	}
	return "unknown";
}

/**
 * ktls_content_type_name() - RFC 8446 name of a record content type
 * @type: content type byte (enum ktls_content_type)
 *
 * Return: e.g. "application_data", or "unknown".
 */
KTLS_EXPORT const char *ktls_content_type_name(int type)
{
	switch (type) {
	case KTLS_CT_CHANGE_CIPHER_SPEC:
		return "change_cipher_spec";
	case KTLS_CT_ALERT:
		return "alert";
	case KTLS_CT_HANDSHAKE:
		return "handshake";
	case KTLS_CT_APPLICATION_DATA:
		return "application_data";
	}
	return "unknown";
}

/**
 * ktls_carrier_name() - who carries a direction, for people
 * @c: carrier
 *
 * Return: "kernel-sw", "kernel-device" or "userspace".
 */
KTLS_EXPORT const char *ktls_carrier_name(enum ktls_carrier c)
{
	switch (c) {
	case KTLS_CARRIER_KERNEL_SW:
		return "kernel-sw";
	case KTLS_CARRIER_KERNEL_DEVICE:
		return "kernel-device";
	default:
		return "userspace";
	}
}
