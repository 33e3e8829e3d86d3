// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Logs (stderr or syslog, one line per event) and the counters served over
 * the socket as Prometheus text. Nothing secret is ever passed here: the
 * callers log names, numbers and libktls's sentences, which never hold key
 * material.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ktlsd.h"

struct ktlsd_stats ktlsd_stats;

static bool log_syslog;
static int log_level = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/**
 * ktlsd_log_init() - where logs go and how much
 * @use_syslog: syslog (daemon facility) instead of stderr
 * @level: LOG_ERR ... LOG_DEBUG
 */
void ktlsd_log_init(bool use_syslog, int level)
{
	if (use_syslog && !log_syslog)
		openlog("ktlsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = use_syslog;
	log_level = level;
}

/*
 * Escaping. Every string that comes from outside the daemon (a request's
 * profile, server name and ALPN, a peer certificate's subject, a TLS
 * library's sentence about the peer, a path or name from the
 * configuration) passes through escape() before it reaches a log line or
 * a reply, so that a newline cannot start a forged line and a space,
 * quote or "=" cannot forge a key=value field. The rules are in ktlsd(8):
 * a backslash, and in names a double quote, get a backslash in front;
 * tab, newline and carriage return become \t, \n, \r; every other byte
 * below 0x20 or from 0x7f up becomes \xHH. A value that needed any of
 * that, holds a space or "=", or is empty, is put in double quotes.
 */
enum esc_mode {
	ESC_TEXT,	/* inside a sentence: quotes stay as they are */
	ESC_VALUE,	/* a key=value value: quoted only when needed */
	ESC_QUOTED,	/* a name, always in double quotes */
};

#define ESC_SLOTS	8
#define ESC_MAX		2048

static bool needs_esc(unsigned char c, enum esc_mode m)
{
	return c < 0x20 || c >= 0x7f || c == '\\' ||
	       (c == '"' && m != ESC_TEXT);
}

static void escape(char *out, size_t cap, const char *s, enum esc_mode m)
{
	const unsigned char *p = (const unsigned char *)s;
	bool quote = m == ESC_QUOTED || !*p;
	size_t o = 0;

	for (; m == ESC_VALUE && *p && !quote; p++)
		quote = needs_esc(*p, m) || *p == ' ' || *p == '=';
	if (m == ESC_TEXT)
		quote = false;
	if (quote)
		out[o++] = '"';
	/* room for the longest escape, "...", the quote and the NUL */
	for (p = (const unsigned char *)s; *p && o + 4 + 3 + 2 <= cap; p++) {
		if (!needs_esc(*p, m)) {
			out[o++] = *p;
			continue;
		}
		out[o++] = '\\';
		if (*p == '\\' || *p == '"')
			out[o++] = *p;
		else if (*p == '\n')
			out[o++] = 'n';
		else if (*p == '\t')
			out[o++] = 't';
		else if (*p == '\r')
			out[o++] = 'r';
		else
			o += sprintf(out + o, "x%02x", *p);
	}
	if (*p) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
}

/* Results live in a small per-thread ring: enough for one log line. */
static const char *escape_ring(const char *s, enum esc_mode m)
{
	static __thread char ring[ESC_SLOTS][ESC_MAX];
	static __thread unsigned int next;
	char *out = ring[next++ % ESC_SLOTS];

	escape(out, ESC_MAX, s ? s : "", m);
	return out;
}

/**
 * ktlsd_esc() - an untrusted string as a key=value value
 * @s: string (NULL is taken as "")
 *
 * The result stays valid for the next seven calls of ktlsd_esc(),
 * ktlsd_quote() and ktlsd_esc_text() in the same thread: use it in one
 * log call or one message.
 *
 * Return: @s's bytes when they are safe as they are, else the escaped
 * string in double quotes.
 */
const char *ktlsd_esc(const char *s)
{
	return escape_ring(s, ESC_VALUE);
}

/**
 * ktlsd_quote() - an untrusted name, escaped and in double quotes
 * @s: string (NULL is taken as "")
 *
 * For names inside a sentence (no profile "x" in ...). Lifetime as for
 * ktlsd_esc().
 *
 * Return: the quoted form.
 */
const char *ktlsd_quote(const char *s)
{
	return escape_ring(s, ESC_QUOTED);
}

/**
 * ktlsd_esc_text() - a sentence that may hold untrusted bytes
 * @s: sentence, e.g. a TLS library's reason text naming the peer's
 *	certificate subject (NULL is taken as "")
 *
 * Escapes backslashes and unprintable bytes, leaves quotes and spaces.
 * Lifetime as for ktlsd_esc().
 *
 * Return: the escaped form.
 */
const char *ktlsd_esc_text(const char *s)
{
	return escape_ring(s, ESC_TEXT);
}

/**
 * ktlsd_sanitize() - copy a finished line, unprintable bytes escaped
 * @out: output
 * @cap: its size (at least 5)
 * @s: line built from escaped parts
 *
 * The last line of defence for a log line or a reply's sentence: a byte
 * below 0x20, or 0x7f, that a caller failed to escape becomes \xHH, so that
 * nothing can end a line early. Backslashes are left alone: the parts are
 * escaped already.
 */
void ktlsd_sanitize(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 5 <= cap; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			o += sprintf(out + o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
}

/**
 * ktlsd_log() - log one line
 * @prio: syslog priority
 * @fmt: format; every untrusted string among the arguments goes through
 *	ktlsd_esc(), ktlsd_quote() or ktlsd_esc_text() first
 */
void ktlsd_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};
	char line[2048], safe[4096];
	va_list ap;

	if (prio > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ktlsd_sanitize(safe, sizeof(safe), line);
	if (log_syslog) {
		syslog(prio, "%s", safe);
		return;
	}
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "ktlsd: %s: %s\n", names[prio & 7], safe);
	pthread_mutex_unlock(&log_lock);
}

/**
 * ktlsd_stats_reason() - count a failure by reason
 * @reason: enum ktls_reason or KTLSD_R_*
 */
void ktlsd_stats_reason(unsigned int reason)
{
	unsigned int i;

	if (reason < __KTLS_R_MAX)
		i = reason;
	else if (reason >= KTLSD_R_BASE && reason < __KTLSD_R_MAX)
		i = __KTLS_R_MAX + reason - KTLSD_R_BASE;
	else
		return;
	atomic_fetch_add(&ktlsd_stats.by_reason[i], 1);
}

static const unsigned int lat_le_ms[KTLSD_LAT_BUCKETS - 1] = {
	1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
};

/**
 * ktlsd_stats_latency() - count a finished handshake's duration
 * @ms: duration
 */
void ktlsd_stats_latency(long long ms)
{
	unsigned int i;

	for (i = 0; i < KTLSD_LAT_BUCKETS - 1; i++)
		if (ms <= lat_le_ms[i])
			break;
	atomic_fetch_add(&ktlsd_stats.lat[i], 1);
	atomic_fetch_add(&ktlsd_stats.lat_sum_ms, ms);
}

#define EMIT(...) do {							\
	int n_ = snprintf(buf + off, len > off ? len - off : 0,	\
			  __VA_ARGS__);					\
	if (n_ > 0)							\
		off += n_;						\
} while (0)

/**
 * ktlsd_consumer_name() - label of a consumer kind
 * @consumer: KTLSD_CONSUMER_*
 *
 * Return: "nfs", "nvme" or "other".
 */
const char *ktlsd_consumer_name(int consumer)
{
	switch (consumer) {
	case KTLSD_CONSUMER_NFS:
		return "nfs";
	case KTLSD_CONSUMER_NVME:
		return "nvme";
	}
	return "other";
}

/**
 * ktlsd_stats_text() - every counter in the Prometheus text format
 * @buf: output
 * @len: its size
 *
 * Return: bytes written (truncated to @len - 1).
 */
int ktlsd_stats_text(char *buf, size_t len)
{
	struct ktlsd_stats *s = &ktlsd_stats;
	unsigned long cum = 0;
	size_t off = 0;
	unsigned int i;

	EMIT("# TYPE ktlsd_handshakes_total counter\n");
	EMIT("ktlsd_handshakes_total{result=\"ok\"} %lu\n",
	     atomic_load(&s->ok));
	EMIT("ktlsd_handshakes_total{result=\"failed\"} %lu\n",
	     atomic_load(&s->failed));
	EMIT("ktlsd_handshakes_total{result=\"refused\"} %lu\n",
	     atomic_load(&s->refused));
	EMIT("ktlsd_handshakes_total{result=\"client_gone\"} %lu\n",
	     atomic_load(&s->client_gone));
	EMIT("# TYPE ktlsd_failures_total counter\n");
	for (i = 0; i < __KTLS_R_MAX + (__KTLSD_R_MAX - KTLSD_R_BASE); i++) {
		unsigned int r = i < __KTLS_R_MAX ? i :
				 KTLSD_R_BASE + i - __KTLS_R_MAX;
		unsigned long v = atomic_load(&s->by_reason[i]);

		if (v)
			EMIT("ktlsd_failures_total{reason=\"%s\"} %lu\n",
			     ktls_daemon_reason_name(r), v);
	}
	EMIT("# TYPE ktlsd_handshake_seconds histogram\n");
	for (i = 0; i < KTLSD_LAT_BUCKETS; i++) {
		cum += atomic_load(&s->lat[i]);
		if (i < KTLSD_LAT_BUCKETS - 1)
			EMIT("ktlsd_handshake_seconds_bucket{le=\"%g\"} %lu\n",
			     lat_le_ms[i] / 1000.0, cum);
		else
			EMIT("ktlsd_handshake_seconds_bucket{le=\"+Inf\"} %lu\n",
			     cum);
	}
	EMIT("ktlsd_handshake_seconds_sum %g\n",
	     atomic_load(&s->lat_sum_ms) / 1000.0);
	EMIT("ktlsd_handshake_seconds_count %lu\n", cum);
	EMIT("# TYPE ktlsd_tx_carrier_total counter\n");
	for (i = 0; i < 3; i++)
		EMIT("ktlsd_tx_carrier_total{carrier=\"%s\"} %lu\n",
		     ktls_carrier_name(i), atomic_load(&s->carrier[i]));
	EMIT("# TYPE ktlsd_resumed_total counter\n");
	EMIT("ktlsd_resumed_total %lu\n", atomic_load(&s->resumed));
	EMIT("# TYPE ktlsd_rekeys_total counter\n");
	EMIT("ktlsd_rekeys_total %lu\n", atomic_load(&s->rekeys));
	EMIT("# TYPE ktlsd_kernel_handshakes_total counter\n");
	for (i = 0; i < 3 * 2 * 2; i++) {
		unsigned long v = atomic_load(&s->kernel[i / 4][i / 2 % 2][i % 2]);

		EMIT("ktlsd_kernel_handshakes_total{consumer=\"%s\",role=\"%s\",result=\"%s\"} %lu\n",
		     ktlsd_consumer_name(i / 4), i / 2 % 2 ? "client" : "server",
		     i % 2 ? "ok" : "failed", v);
	}
	EMIT("# TYPE ktlsd_in_flight gauge\n");
	EMIT("ktlsd_in_flight %d\n", atomic_load(&s->in_flight));
	EMIT("# TYPE ktlsd_queued gauge\n");
	EMIT("ktlsd_queued %d\n", atomic_load(&s->queued));
	EMIT("# TYPE ktlsd_kept_sessions gauge\n");
	EMIT("ktlsd_kept_sessions %d\n", atomic_load(&s->kept));
	EMIT("# TYPE ktlsd_tickets gauge\n");
	EMIT("ktlsd_tickets %d\n", atomic_load(&s->tickets));
	return off < len ? (int)off : (int)len - 1;
}
