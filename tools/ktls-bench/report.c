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

static void json_cpu_us(double v)
{
	if (v >= 0)
		json_num(stdout, v);
	else
		fputs("null", stdout);
}

static void json_hs_row(const struct bench_opts *o, const struct hs_result *r)
{
	printf("\n  {\"impl\":\"%s\",\"cert\":\"%s\",\"resumed\":%s,\"tls\":\"%s\",\"group\":",
	       r->impl, r->cert, r->resumed ? "true" : "false",
	       r->tls == KTLS_TLS_1_2 ? "1.2" : "1.3");
	tool_json_string(stdout, r->group);
	printf(",\"kernel_tls\":%s,\"count\":%u,\"full_fallbacks\":%u,\"handshakes_per_sec\":",
	       o->no_kernel ? "false" : "true", r->count, r->fallbacks);
	if (r->count) {
		json_num(stdout, r->per_sec);
		fputs(",\"latency_us\":{\"p50\":", stdout);
		json_num(stdout, r->p50);
		fputs(",\"p90\":", stdout);
		json_num(stdout, r->p90);
		fputs(",\"p99\":", stdout);
		json_num(stdout, r->p99);
		fputs(",\"max\":", stdout);
		json_num(stdout, r->max);
		fputc('}', stdout);
	} else {
		fputs("null,\"latency_us\":null", stdout);
	}
	fputs(",\"cpu_us_per_handshake\":{\"server\":", stdout);
	json_cpu_us(r->count ? r->srv_cpu_us : -1);
	fputs(",\"client\":", stdout);
	json_cpu_us(r->count ? r->cli_cpu_us : -1);
	fputs("},\"error\":", stdout);
	if (r->error[0])
		tool_json_string(stdout, r->error);
	else
		fputs("null", stdout);
	fputc('}', stdout);
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
			if (i)
				fputc(',', stdout);
			json_hs_row(o, &r[i]);
		}
		printf("\n], \"kernel_tls\":%s,\"concurrency\":%u,\"pin\":",
		       o->no_kernel ? "false" : "true", o->concurrency);
		if (o->pin_server >= 0)
			printf("{\"server\":%d,\"client\":%d}", o->pin_server,
			       o->pin_client);
		else
			fputs("null", stdout);
		fputs("}\n", stdout);
		fflush(stdout);
		return;
	}
	emulation_line(h);
	printf("# kernel %s, %s, %d CPUs; %s", h->kernel, h->cpu, h->cpus,
	       o->no_kernel ? "handshakes only (--no-kernel)" :
	       "keys to kernel TLS included");
	if (o->pin_server >= 0)
		printf("; server on CPU %d, client on CPU %d", o->pin_server,
		       o->pin_client);
	printf("\n%-8s %-3s %-11s %-8s %-7s %7s %9s %8s %8s %8s %8s\n",
	       "impl", "tls", "cert", "group", "resumed", "count", "hs/s",
	       "p50 us", "p99 us", "srv us", "cli us");
	for (i = 0; i < n; i++) {
		printf("%-8s %-3s %-11s %-8s %-7s %7u %9.1f %8.0f %8.0f %8.0f %8.0f\n",
		       r[i].impl, r[i].tls == KTLS_TLS_1_2 ? "1.2" : "1.3",
		       r[i].cert, r[i].group, r[i].resumed ? "yes" : "no",
		       r[i].count, r[i].per_sec, r[i].p50, r[i].p99,
		       r[i].srv_cpu_us, r[i].cli_cpu_us);
		if (r[i].fallbacks)
			printf("  %u handshakes were full: the server refused the ticket\n",
			       r[i].fallbacks);
		if (r[i].error[0])
			printf("  error: %s\n", r[i].error);
	}
	printf("# srv us, cli us: CPU microseconds per handshake, each side's threads (ktlsd rows: the daemon's too)\n");
}
