// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --watch: sample /proc/net/tls_stat every few seconds and print how much
 * each counter grew, per second, until Ctrl-C (or --count samples).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "stat.h"

/* set from a signal handler: volatile sig_atomic_t is what C allows */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A counter that went down was reset (module reloaded): count from 0. */
static unsigned long long delta(const struct counters *prev,
				const struct counter *cur)
{
	const struct counter *p = stat_counter(prev, cur->name);

	if (!p || cur->value < p->value)
		return stat_is_gauge(cur->name) ? 0 : cur->value;
	return cur->value - p->value;
}

static void print_table(const struct counters *prev,
			const struct counters *cur, double secs)
{
	char stamp[16];
	time_t t = time(NULL);
	size_t i;

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&t));
	printf("%s  (%.1f s)\n", stamp, secs);
	for (i = 0; i < cur->n; i++) {
		const struct counter *c = &cur->v[i];
		const struct counter *p = stat_counter(prev, c->name);

		if (stat_is_gauge(c->name))
			printf("  %-28s %12llu %+10lld\n", c->name, c->value,
			       p ? (long long)(c->value - p->value) : 0LL);
		else
			printf("  %-28s %12llu %+10lld %10.1f/s\n", c->name,
			       c->value, (long long)delta(prev, c),
			       delta(prev, c) / secs);
	}
	fflush(stdout);
}

static void print_json(const struct counters *prev,
		       const struct counters *cur, double secs)
{
	size_t i;

	printf("{\"time\":%lld,\"interval\":%.3f,\"counters\":{",
	       (long long)time(NULL), secs);
	for (i = 0; i < cur->n; i++) {
		const struct counter *c = &cur->v[i];
		const struct counter *p = stat_counter(prev, c->name);

		if (i)
			putchar(',');
		tool_json_string(stdout, c->name);
		if (stat_is_gauge(c->name))
			printf(":{\"value\":%llu,\"change\":%lld}", c->value,
			       p ? (long long)(c->value - p->value) : 0LL);
		else
			printf(":{\"value\":%llu,\"delta\":%llu,\"per_second\":%.3f}",
			       c->value, delta(prev, c),
			       delta(prev, c) / secs);
	}
	printf("}}\n");
	fflush(stdout);
}

/* Sleep @secs unless a signal asks us to stop first. */
static void pause_for(unsigned int secs)
{
	struct timespec ts = { .tv_sec = secs };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/**
 * stat_watch() - print counter deltas every @o->watch seconds
 * @o: interval, sample count and format
 *
 * Return: 0 when stopped by Ctrl-C/SIGTERM or after @o->count samples,
 * STAT_EXIT_NO_KTLS when there are no counters to watch, 1 on a read error.
 */
int stat_watch(const struct stat_opts *o)
{
	struct counters prev, cur;
	struct sigaction sa;
	unsigned long n = 0;
	double t0, t1;
	struct env e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (stat_read_counters(&prev))
		return 1;
	if (!prev.present) {
		stat_env(&e, &prev);
		if (o->fmt == FMT_JSON)
			stat_print_json(stdout, o, &e, NULL, &prev);
		else
			stat_print_table(stdout, o, &e, NULL, &prev);
		return STAT_EXIT_NO_KTLS;
	}
	if (o->fmt == FMT_TABLE) {
		printf("watching /proc/net/tls_stat every %u s (Ctrl-C ends)\n",
		       o->watch);
		fflush(stdout);
	}
	t0 = now();
	while (!stop && (!o->count || n < o->count)) {
		pause_for(o->watch);
		if (stop)
			break;
		if (stat_read_counters(&cur))
			return 1;
		t1 = now();
		if (o->fmt == FMT_JSON)
			print_json(&prev, &cur, t1 - t0);
		else
			print_table(&prev, &cur, t1 - t0);
		prev = cur;
		t0 = t1;
		n++;
	}
	return 0;
}
