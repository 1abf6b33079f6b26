#include "headers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/timeutil.h"
#include "../lib/banned.h"

void headers_release(struct header_set *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->names[i]);
		free(h->values[i]);
	}
	free(h->names);
	free(h->values);
	memset(h, 0, sizeof(*h));
}

static void add(struct header_set *h, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const char *v, *end = line + len;
	size_t old = h->alloc;
	char *name;

	if (!colon)
		return;
	ALLOC_GROW(h->names, h->n + 1, h->alloc);
	if (h->alloc != old)
		h->values = xrealloc(h->values, h->alloc * sizeof(*h->values));
	name = xstrndup(line, (size_t)(colon - line));
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	h->names[h->n] = name;
	h->values[h->n] = xstrndup(v, (size_t)(end - v));
	h->n++;
}

/* The status of "HTTP/1.1 200 OK", read within the line's n bytes. */
static int status_of(const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n), *end = line + n;
	int status = 0;

	if (!sp)
		return 0;
	for (sp++; sp < end && *sp >= '0' && *sp <= '9' && status < 1000; sp++)
		status = status * 10 + (*sp - '0');
	return status < 1000 ? status : 0;
}

int headers_parse(struct header_set *h, const char *text, size_t len)
{
	const char *p = text, *stop = text + len;

	memset(h, 0, sizeof(*h));
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(stop - p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
			/* A new response: only the last one counts. */
			headers_release(h);
			memset(h, 0, sizeof(*h));
			h->status = status_of(p, n);
		} else if (n) {
			add(h, p, n);
		}
		p = nl ? nl + 1 : stop;
	}
	return h->status || h->n ? 0 : -1;
}

const char *headers_get(const struct header_set *h, const char *name)
{
	for (size_t i = h->n; i-- > 0;)
		if (!strcmp(h->names[i], name))
			return h->values[i];
	return NULL;
}

static int number(const struct header_set *h, const char *name, int64_t *out)
{
	const char *v = headers_get(h, name);
	char *end;
	long long n;

	if (!v)
		return 0;
	n = strtoll(v, &end, 10);
	if (end == v || *end || n < 0)
		return 0;
	*out = n;
	return 1;
}

static void set_quota(struct entry *e, enum quota_field f, int64_t v)
{
	e->quota.v[f] = v;
	e->quota.has |= 1u << f;
	e->has |= 1ULL << EF_QUOTA_SNAPSHOT;
}

/* The time the response was sent, from its Date header, else now. */
static int64_t captured_at(const struct header_set *h, int64_t now)
{
	int64_t at;

	return time_parse_http_date(headers_get(h, "date"), &at) ? now : at;
}

static void openai_limits(const struct header_set *h, struct entry *e,
		int64_t at)
{
	static const char *const resets[] = { "x-ratelimit-reset-tokens",
		"x-ratelimit-reset-requests", NULL };
	int64_t v;

	if (number(h, "x-ratelimit-remaining-requests", &v))
		set_quota(e, QF_REMAINING_REQUESTS, v);
	if (number(h, "x-ratelimit-remaining-tokens", &v))
		set_quota(e, QF_REMAINING_TOKENS, v);
	if (number(h, "x-ratelimit-limit-requests", &v))
		set_quota(e, QF_LIMIT_REQUESTS, v);
	if (number(h, "x-ratelimit-limit-tokens", &v))
		set_quota(e, QF_LIMIT_TOKENS, v);
	/* Resets are durations from the response: "6m0s", "12ms". */
	for (const char *const *r = resets; *r; r++) {
		const char *s = headers_get(h, *r);

		if (s && !duration_parse(s, strlen(s), &v)) {
			set_quota(e, QF_RESET_DATE, at + v);
			break;
		}
	}
}

static void anthropic_limits(const struct header_set *h, struct entry *e)
{
	static const char *const resets[] = { "anthropic-ratelimit-tokens-reset",
		"anthropic-ratelimit-input-tokens-reset",
		"anthropic-ratelimit-requests-reset", NULL };
	int64_t v, in, out;

	if (number(h, "anthropic-ratelimit-requests-remaining", &v))
		set_quota(e, QF_REMAINING_REQUESTS, v);
	if (number(h, "anthropic-ratelimit-requests-limit", &v))
		set_quota(e, QF_LIMIT_REQUESTS, v);
	if (number(h, "anthropic-ratelimit-tokens-remaining", &v))
		set_quota(e, QF_REMAINING_TOKENS, v);
	else if (number(h, "anthropic-ratelimit-input-tokens-remaining", &in) &&
		 number(h, "anthropic-ratelimit-output-tokens-remaining", &out))
		set_quota(e, QF_REMAINING_TOKENS, in + out);
	if (number(h, "anthropic-ratelimit-tokens-limit", &v))
		set_quota(e, QF_LIMIT_TOKENS, v);
	/* Resets are RFC 3339 times. */
	for (const char *const *r = resets; *r; r++) {
		const char *s = headers_get(h, *r);

		if (s && !time_parse_iso(s, strlen(s), &v)) {
			set_quota(e, QF_RESET_DATE, v);
			break;
		}
	}
}

static int has_prefix(const struct header_set *h, const char *prefix)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strncmp(h->names[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

const char *headers_apply(const struct header_set *h, struct entry *e,
		int64_t now)
{
	const char *provider = NULL, *id;
	int64_t at = captured_at(h, now);

	if (has_prefix(h, "anthropic-")) {
		provider = "anthropic";
		anthropic_limits(h, e);
	} else if (has_prefix(h, "x-ratelimit-") || has_prefix(h, "openai-")) {
		provider = "openai";
		openai_limits(h, e, at);
	}
	id = headers_get(h, "x-request-id");
	if (!id)
		id = headers_get(h, "request-id");
	if (id && *id && !entry_has(e, EF_PROVIDER_REQUEST_ID))
		entry_set_str(e, EF_PROVIDER_REQUEST_ID, id);
	if (h->status && !entry_has(e, EF_HTTP_STATUS))
		entry_set_int(e, EF_HTTP_STATUS, h->status);
	if (entry_has(e, EF_QUOTA_SNAPSHOT)) {
		set_quota(e, QF_CAPTURED_AT, at);
		if (provider) {
			e->quota.provider_id = mempool_strdup(&e->pool, provider);
			e->quota.has |= 1u << QF_PROVIDER_ID;
		}
	}
	return provider;
}
