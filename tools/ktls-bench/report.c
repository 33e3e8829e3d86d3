// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktls-bench: results as one JSON document (--json) or a table. Every
 * figure is the median of the repetitions, with min and max beside it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct spread {
	double median, min, max;
};

static struct spread spread_of(const double *v, unsigned int n)
{
	struct spread s = { 0 };
	double tmp[BENCH_MAX_REPS];

	if (!n)
		return s;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	s.min = tmp[0];
	s.max = tmp[n - 1];
	s.median = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	return s;
}

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.10g", v);
	else
		fputs("null", f);
}

static void json_spread(FILE *f, const double *v, unsigned int n,
			bool known, bool samples)
{
	struct spread s = spread_of(v, n);
	unsigned int i;

	if (!n || !known) {
		fputs("null", f);
		return;
	}
	fputs("{\"median\":", f);
	json_num(f, s.median);
	fputs(",\"min\":", f);
	json_num(f, s.min);
	fputs(",\"max\":", f);
	json_num(f, s.max);
	if (samples) {
		fputs(",\"samples\":[", f);
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', f);
			json_num(f, v[i]);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void json_host(FILE *f, const struct host_info *h, const char *mode)
{
	fprintf(f, "{\"tool\":\"ktls-bench\",\"version\":\"%s\",\"mode\":\"%s\",\n \"host\":{\"kernel\":",
		BENCH_VERSION, mode);
	tool_json_string(f, h->kernel);
	fputs(",\"cpu\":", f);
	tool_json_string(f, h->cpu);
	fprintf(f, ",\"cpus\":%d,\"emulated\":%s,\"note\":", h->cpus,
		h->emulated ? "true" : "false");
	tool_json_string(f, h->note);
	fputs("},\n \"results\":[", f);
}

static void json_case(FILE *f, const struct case_result *r)
{
	const struct bench_case *c = &r->c;
	static const char *const side[3] = { "server", "client", "system" };
	unsigned int i;

	fputs("\n  {\"path\":", f);
	tool_json_string(f, bench_path_name(c->path));
	if (c->path == P_TCP) {
		fputs(",\"cipher\":null,\"tls\":null", f);
	} else {
		fputs(",\"cipher\":", f);
		tool_json_string(f, bench_cipher_name(c->cipher));
		fprintf(f, ",\"tls\":\"%s\"",
			c->tls == KTLS_TLS_1_3 ? "1.3" : "1.2");
	}
	fprintf(f, ",\"size\":%llu,\"bytes\":%llu,\"flows\":%u,\"reps\":%u,\n   \"bytes_per_sec\":",
		(unsigned long long)c->size, (unsigned long long)c->bytes,
		c->flows, r->reps);
	json_spread(f, r->bps, r->reps, true, true);
	fputs(",\n   \"cpu_sec_per_gib\":", f);
	if (!r->reps) {
		fputs("null", f);
	} else {
		for (i = 0; i < 3; i++) {
			fprintf(f, "%s\"%s\":", i ? "," : "{", side[i]);
			json_spread(f, r->cpu[i], r->reps, r->cpu_known[i],
				    false);
		}
		fputc('}', f);
	}
	fputs(",\n   \"tls_stat_delta\":{", f);
	for (i = 0; i < r->delta.n; i++)
		fprintf(f, "%s\"%s\":%lld", i ? "," : "", r->delta.name[i],
			r->delta.val[i]);
	fprintf(f, "},\"path_verified\":%s,\"unsupported\":%s,\"error\":",
		r->verified ? "true" : "false",
		r->unsupported ? "true" : "false");
	if (r->error[0])
		tool_json_string(f, r->error);
	else
		fputs("null", f);
	fputc('}', f);
}

static void emulation_line(const struct host_info *h)
{
	if (h->emulated)
		printf("NOTE: the CPU is emulated in software: timings compare paths with each other, they do not predict native speed.\n# (%s)\n",
		       h->note);
}

static void fmt_cpu(char *buf, size_t len, const struct case_result *r,
		    int i)
{
	struct spread s = spread_of(r->cpu[i], r->reps);

	if (!r->reps || !r->cpu_known[i])
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f", s.median);
}

/**
 * bench_report_throughput() - print the matrix's results
 * @o: options (--json)
 * @h: host
 * @r: results
 * @n: their count
 */
void bench_report_throughput(const struct bench_opts *o,
			     const struct host_info *h,
			     const struct case_result *r, unsigned int n)
{
	unsigned int i;

	if (o->json) {
		json_host(stdout, h, "throughput");
		for (i = 0; i < n; i++) {
			json_case(stdout, &r[i]);
			if (i + 1 < n)
				fputc(',', stdout);
		}
		fputs("\n]}\n", stdout);
		fflush(stdout);
		return;
	}
	emulation_line(h);
	printf("# kernel %s, %s, %d CPUs\n", h->kernel, h->cpu, h->cpus);
	printf("%-14s %-9s %-3s %9s %5s %10s %17s %7s %7s %7s %s\n", "path",
	       "cipher", "tls", "size", "flows", "MB/s", "(min-max)",
	       "srv/GiB", "cli/GiB", "sys/GiB", "kernel path");
	for (i = 0; i < n; i++) {
		struct spread s = spread_of(r[i].bps, r[i].reps);
		char range[40], cpu[3][16];
		int k;

		for (k = 0; k < 3; k++)
			fmt_cpu(cpu[k], sizeof(cpu[k]), &r[i], k);
		snprintf(range, sizeof(range), "(%.1f-%.1f)", s.min / 1e6,
			 s.max / 1e6);
		printf("%-14s %-9s %-3s %9llu %5u %10.1f %17s %7s %7s %7s %s\n",
		       bench_path_name(r[i].c.path),
		       r[i].c.path == P_TCP ? "-" :
		       bench_cipher_name(r[i].c.cipher),
		       r[i].c.path == P_TCP ? "-" :
		       r[i].c.tls == KTLS_TLS_1_3 ? "1.3" : "1.2",
		       (unsigned long long)r[i].c.size, r[i].c.flows,
		       s.median / 1e6, range, cpu[0], cpu[1], cpu[2],
		       r[i].verified ? "verified" : r[i].unsupported ?
		       "unsupported" : "NOT verified");
		if (r[i].error[0])
			printf("  error: %s\n", r[i].error);
	}
	printf("# MB/s: median of %u repetitions; CPU: seconds per GiB moved (server and client flow threads, all CPUs from /proc/stat)\n",
	       o->reps);
}

/**
 * bench_report_handshake() - print handshake results
 * @o: options (--json)
 * @h: host
 * @r: results
 * @n: their count
 */
void bench_report_handshake(const struct bench_opts *o,
			    const struct host_info *h,
			    const struct hs_result *r, unsigned int n)
{
	unsigned int i;

	if (o->json) {
		json_host(stdout, h, "handshake");
		for (i = 0; i < n; i++) {
			printf("%s\n  {\"impl\":\"%s\",\"cert\":\"%s\",\"resumed\":%s,\"tls\":\"1.3\",\"count\":%u,\"full_fallbacks\":%u,\"handshakes_per_sec\":",
			       i ? "," : "", r[i].impl, r[i].cert,
			       r[i].resumed ? "true" : "false", r[i].count,
			       r[i].fallbacks);
			if (r[i].count) {
				json_num(stdout, r[i].per_sec);
				fputs(",\"latency_us\":{\"p50\":", stdout);
				json_num(stdout, r[i].p50);
				fputs(",\"p90\":", stdout);
				json_num(stdout, r[i].p90);
				fputs(",\"p99\":", stdout);
				json_num(stdout, r[i].p99);
				fputs(",\"max\":", stdout);
				json_num(stdout, r[i].max);
				fputc('}', stdout);
			} else {
				fputs("null,\"latency_us\":null", stdout);
			}
			fputs(",\"error\":", stdout);
			if (r[i].error[0])
				tool_json_string(stdout, r[i].error);
			else
				fputs("null", stdout);
			fputc('}', stdout);
		}
		fputs("\n]}\n", stdout);
		fflush(stdout);
		return;
	}
	emulation_line(h);
	printf("# kernel %s, %s, %d CPUs; TLS 1.3\n", h->kernel, h->cpu,
	       h->cpus);
	printf("%-8s %-11s %-7s %7s %10s %9s %9s %9s %9s\n", "impl", "cert",
	       "resumed", "count", "hs/s", "p50 us", "p90 us", "p99 us",
	       "max us");
	for (i = 0; i < n; i++) {
		printf("%-8s %-11s %-7s %7u %10.1f %9.0f %9.0f %9.0f %9.0f\n",
		       r[i].impl, r[i].cert, r[i].resumed ? "yes" : "no",
		       r[i].count, r[i].per_sec, r[i].p50, r[i].p90,
		       r[i].p99, r[i].max);
		if (r[i].fallbacks)
			printf("  %u handshakes were full: the server refused the ticket\n",
			       r[i].fallbacks);
		if (r[i].error[0])
			printf("  error: %s\n", r[i].error);
	}
}
