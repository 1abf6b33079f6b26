#ifndef TALLY_PERF_H
#define TALLY_PERF_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/*
 * Performance per provider over a window, the seed's
 * ProviderPerformanceMetrics: rates, latency, time to first token, token
 * usage by kind, throttling and errors. Read from the ledger's entries.
 */

#define PERF_ERRORS_KEPT 10

struct perf_error {
	int64_t timestamp;
	int64_t duration;    /* latency in ms, or -1 when unknown */
	char *error;
};

struct perf_provider {
	char *provider;
	int64_t requests;
	int64_t input, output, tool, thought;
	int64_t latency_sum, latency_n;
	int64_t ttft_sum, ttft_n;
	int64_t throttle_ms;
	int64_t chunks;
	int chunks_known;       /* any entry recorded its chunk count */
	int64_t errors;
	int64_t minute_tokens, minute_requests; /* in the last minute */
	int64_t first, last;                    /* entry times */
	struct perf_error recent[PERF_ERRORS_KEPT]; /* newest first */
	size_t nrecent;
};

struct perf_report {
	struct perf_provider *p;
	size_t n, alloc;
	int64_t now;
};

void perf_init(struct perf_report *pr, int64_t now);
void perf_release(struct perf_report *pr);

/* Collects the entries of the spec's window. 0 or T_ELEDGER. */
int perf_build(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec,
		struct perf_report *pr, struct strbuf *err);

/* Minutes spanned by the window: from its start (or the first entry) on. */
double perf_window_minutes(const struct perf_provider *p,
		const struct report_spec *spec, int64_t now);

#endif
