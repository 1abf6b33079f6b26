#include "perf.h"

#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "banned.h"

void perf_init(struct perf_report *pr, int64_t now)
{
	memset(pr, 0, sizeof(*pr));
	pr->now = now;
}

void perf_release(struct perf_report *pr)
{
	for (size_t i = 0; i < pr->n; i++) {
		free(pr->p[i].provider);
		for (size_t j = 0; j < pr->p[i].nrecent; j++)
			free(pr->p[i].recent[j].error);
	}
	free(pr->p);
	memset(pr, 0, sizeof(*pr));
}

static struct perf_provider *provider_of(struct perf_report *pr,
		const char *name)
{
	struct perf_provider *p;

	for (size_t i = 0; i < pr->n; i++)
		if (!strcmp(pr->p[i].provider, name))
			return &pr->p[i];
	ALLOC_GROW(pr->p, pr->n + 1, pr->alloc);
	p = &pr->p[pr->n++];
	memset(p, 0, sizeof(*p));
	p->provider = xstrdup(name);
	p->first = INT64_MAX;
	p->last = INT64_MIN;
	return p;
}

static int is_error(const struct entry *e)
{
	return (e->status && !strcmp(e->status, "failed")) ||
	       entry_has(e, EF_ERROR_CODE) ||
	       (entry_has(e, EF_HTTP_STATUS) && e->http_status >= 400);
}

/* Keeps the PERF_ERRORS_KEPT newest errors, newest first. */
static void note_error(struct perf_provider *p, const struct entry *e)
{
	struct perf_error err;
	size_t pos;

	err.timestamp = entry_time(e);
	if (p->nrecent == PERF_ERRORS_KEPT &&
	    err.timestamp <= p->recent[PERF_ERRORS_KEPT - 1].timestamp)
		return;
	err.duration = entry_has(e, EF_LATENCY_MS) ? e->latency_ms : -1;
	if (e->error_code) {
		err.error = xstrdup(e->error_code);
	} else {
		struct strbuf sb = STRBUF_INIT;

		if (entry_has(e, EF_HTTP_STATUS))
			strbuf_addf(&sb, "http_%lld", (long long)e->http_status);
		else
			strbuf_addstr(&sb, e->status ? e->status : "error");
		err.error = strbuf_detach(&sb, NULL);
	}
	if (p->nrecent == PERF_ERRORS_KEPT)
		free(p->recent[--p->nrecent].error);
	for (pos = 0; pos < p->nrecent; pos++)
		if (p->recent[pos].timestamp < err.timestamp)
			break;
	memmove(&p->recent[pos + 1], &p->recent[pos],
			(p->nrecent - pos) * sizeof(p->recent[0]));
	p->recent[pos] = err;
	p->nrecent++;
}

static int collect(const struct entry *e, void *data)
{
	struct perf_report *pr = data;
	struct perf_provider *p;
	int64_t t = entry_time(e);
	int64_t tokens = entry_get_int(e, EF_BILLED_INPUT_TOKENS) +
			 entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);

	if (!entry_is_usage(e))
		return 0;
	p = provider_of(pr, e->provider_id ? e->provider_id : "");
	p->requests++;
	p->input += entry_get_int(e, EF_BILLED_INPUT_TOKENS);
	p->output += entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	p->tool += entry_get_int(e, EF_TOOL_TOKENS);
	p->thought += entry_get_int(e, EF_REASONING_TOKENS);
	if (entry_has(e, EF_LATENCY_MS)) {
		p->latency_sum += e->latency_ms;
		p->latency_n++;
	}
	if (entry_has(e, EF_TTFT_MS)) {
		p->ttft_sum += e->ttft_ms;
		p->ttft_n++;
	}
	p->throttle_ms += entry_get_int(e, EF_THROTTLE_WAIT_MS);
	p->chunks += entry_get_int(e, EF_CHUNKS);
	p->chunks_known |= entry_has(e, EF_CHUNKS);
	if (t >= pr->now - MS_PER_MIN && t < pr->now) {
		p->minute_tokens += tokens;
		p->minute_requests++;
	}
	if (t < p->first)
		p->first = t;
	if (t > p->last)
		p->last = t;
	if (is_error(e)) {
		p->errors++;
		note_error(p, e);
	}
	return 0;
}

static int by_tokens(const void *a, const void *b)
{
	const struct perf_provider *x = a, *y = b;
	int64_t tx = x->input + x->output, ty = y->input + y->output;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return strcmp(x->provider, y->provider);
}

int perf_build(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec, struct perf_report *pr,
		struct strbuf *err)
{
	int ret = report_foreach(ledgers, nledgers, spec, collect, pr, err);

	if (!ret && pr->n)
		qsort(pr->p, pr->n, sizeof(*pr->p), by_tokens);
	return ret;
}

double perf_window_minutes(const struct perf_provider *p,
		const struct report_spec *spec, int64_t now)
{
	const struct query *q = &spec->filter;
	int64_t start = q->since >= 0 ? q->since : p->first;
	int64_t end = q->until >= 0 && q->until < now ? q->until : now;

	if (end <= start)
		return 1.0;
	return (double)(end - start) / MS_PER_MIN;
}
