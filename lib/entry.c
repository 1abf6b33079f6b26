#include "entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "jsonscan.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

enum ftype { FT_STR, FT_INT, FT_TIME, FT_MONEY, FT_QUOTA, FT_TAGS, FT_RAW };

struct field_desc {
	const char *name;
	size_t len;         /* of the name */
	enum ftype type;
	size_t offset;
};

#define F(id, name, type, member) \
	[id] = { name, sizeof(name) - 1, type, offsetof(struct entry, member) }

static const struct field_desc fields[EF__COUNT] = {
	F(EF_V, "v", FT_INT, v),
	F(EF_ENTRY_ID, "entryId", FT_STR, entry_id),
	F(EF_SESSION_RESOURCE, "sessionResource", FT_STR, session_resource),
	F(EF_REQUEST_ID, "requestId", FT_STR, request_id),
	F(EF_PROVIDER_ID, "providerId", FT_STR, provider_id),
	F(EF_PROVIDER_REQUEST_ID, "providerRequestId", FT_STR,
			provider_request_id),
	F(EF_MODEL_ID, "modelId", FT_STR, model_id),
	F(EF_STARTED_AT, "startedAt", FT_TIME, started_at),
	F(EF_COMPLETED_AT, "completedAt", FT_TIME, completed_at),
	F(EF_BILLED_INPUT_TOKENS, "billedInputTokens", FT_INT,
			billed_input_tokens),
	F(EF_BILLED_OUTPUT_TOKENS, "billedOutputTokens", FT_INT,
			billed_output_tokens),
	F(EF_TOTAL_BILLED_TOKENS, "totalBilledTokens", FT_INT,
			total_billed_tokens),
	F(EF_BILLED_COST_USD, "billedCostUsd", FT_MONEY, billed_cost_usd),
	F(EF_REMAINING_PROVIDER_TOKENS, "remainingProviderTokens", FT_INT,
			remaining_provider_tokens),
	F(EF_REMAINING_PROVIDER_USD, "remainingProviderUsd", FT_MONEY,
			remaining_provider_usd),
	F(EF_SOURCE, "source", FT_STR, source),
	F(EF_SYNC_STATUS, "syncStatus", FT_STR, sync_status),
	F(EF_SYNC_ERROR_CODE, "syncErrorCode", FT_STR, sync_error_code),
	F(EF_SYNCED_AT, "syncedAt", FT_TIME, synced_at),
	F(EF_STATUS, "status", FT_STR, status),
	F(EF_QUOTA_SNAPSHOT, "quotaSnapshot", FT_QUOTA, quota),
	F(EF_CACHE_READ_TOKENS, "cacheReadTokens", FT_INT, cache_read_tokens),
	F(EF_CACHE_WRITE_TOKENS, "cacheWriteTokens", FT_INT,
			cache_write_tokens),
	F(EF_CACHE_WRITE_1H_TOKENS, "cacheWrite1hTokens", FT_INT,
			cache_write_1h_tokens),
	F(EF_REASONING_TOKENS, "reasoningTokens", FT_INT, reasoning_tokens),
	F(EF_TOOL_TOKENS, "toolTokens", FT_INT, tool_tokens),
	F(EF_AUDIO_TOKENS, "audioTokens", FT_INT, audio_tokens),
	F(EF_WEB_SEARCHES, "webSearchRequests", FT_INT, web_searches),
	F(EF_ESTIMATED_COST_USD, "estimatedCostUsd", FT_MONEY,
			estimated_cost_usd),
	F(EF_TOOL_FEES_USD, "toolFeesUsd", FT_MONEY, tool_fees_usd),
	F(EF_PRICE_ID, "priceId", FT_STR, price_id),
	F(EF_LATENCY_MS, "latencyMs", FT_INT, latency_ms),
	F(EF_TTFT_MS, "ttftMs", FT_INT, ttft_ms),
	F(EF_THROTTLE_WAIT_MS, "throttleWaitMs", FT_INT, throttle_wait_ms),
	F(EF_RETRIES, "retries", FT_INT, retries),
	F(EF_RETRY_AFTER_MS, "retryAfterMs", FT_INT, retry_after_ms),
	F(EF_HTTP_STATUS, "httpStatus", FT_INT, http_status),
	F(EF_ERROR_CODE, "errorCode", FT_STR, error_code),
	F(EF_TAGS, "tags", FT_TAGS, tags),
	F(EF_RECORDED_AT, "recordedAt", FT_TIME, recorded_at),
	F(EF_KIND, "kind", FT_STR, kind),
	F(EF_REQUESTS, "requests", FT_INT, requests),
	F(EF_CHUNKS, "chunksReceived", FT_INT, chunks),
	F(EF_SYNC_ATTEMPTS, "syncAttempts", FT_INT, sync_attempts),
	F(EF_NEXT_SYNC_AT, "nextSyncAt", FT_TIME, next_sync_at),
	F(EF_ROLLUP, "rollup", FT_RAW, rollup),
	F(EF_DEVICE_ID, "deviceId", FT_STR, device_id),
};

#define Q(id, name, type) \
	[id] = { name, sizeof(name) - 1, type, \
		 offsetof(struct quota_snapshot, v[id]) }

static const struct field_desc quota_fields[QF__COUNT] = {
	[QF_PROVIDER_ID] = { "providerId", sizeof("providerId") - 1, FT_STR,
		offsetof(struct quota_snapshot, provider_id) },
	Q(QF_REMAINING_REQUESTS, "remainingRequests", FT_INT),
	Q(QF_REMAINING_TOKENS, "remainingTokens", FT_INT),
	Q(QF_REMAINING_USD, "remainingUsd", FT_MONEY),
	Q(QF_RESET_DATE, "resetDate", FT_TIME),
	Q(QF_CAPTURED_AT, "capturedAt", FT_TIME),
	Q(QF_LIMIT_REQUESTS, "limitRequests", FT_INT),
	Q(QF_LIMIT_TOKENS, "limitTokens", FT_INT),
	[QF_WINDOW] = { "window", sizeof("window") - 1, FT_STR,
		offsetof(struct quota_snapshot, window) },
	Q(QF_USED_PERCENT, "usedPercent", FT_MONEY),
};

const char *quota_field_name(enum quota_field f)
{
	return quota_fields[f].name;
}

int quota_field_is_money(enum quota_field f)
{
	return quota_fields[f].type == FT_MONEY;
}

int quota_field_is_text(enum quota_field f)
{
	return quota_fields[f].type == FT_STR;
}

const char *entry_field_name(enum entry_field f)
{
	return fields[f].name;
}

/* Field lookup by name: a small open-addressing table built once. */
#define LOOKUP_SLOTS 128
static signed char lookup_table[LOOKUP_SLOTS];
static int lookup_ready;

static unsigned name_hash(const char *s, size_t len)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void build_lookup(void)
{
	memset(lookup_table, -1, sizeof(lookup_table));
	for (int f = 0; f < EF__COUNT; f++) {
		unsigned h = name_hash(fields[f].name, fields[f].len);

		while (lookup_table[h % LOOKUP_SLOTS] >= 0)
			h++;
		lookup_table[h % LOOKUP_SLOTS] = (signed char)f;
	}
	lookup_ready = 1;
}

int entry_field_lookup(const char *name, size_t len)
{
	unsigned h;

	if (!lookup_ready)
		build_lookup();
	for (h = name_hash(name, len);; h++) {
		int f = lookup_table[h % LOOKUP_SLOTS];

		if (f < 0)
			return -1;
		if (fields[f].len == len && !memcmp(fields[f].name, name, len))
			return f;
	}
}

void entry_init(struct entry *e)
{
	memset(e, 0, sizeof(*e));
	strbuf_init(&e->extra, 0);
	strbuf_init(&e->quota.extra, 0);
}

void entry_reset(struct entry *e)
{
	struct tag *tags = e->tags;
	size_t tags_alloc = e->tags_alloc;
	struct mempool pool = e->pool;
	struct strbuf extra = e->extra, qextra = e->quota.extra;

	memset(e, 0, sizeof(*e));
	e->tags = tags;
	e->tags_alloc = tags_alloc;
	e->pool = pool;
	mempool_reset(&e->pool);
	e->extra = extra;
	strbuf_reset(&e->extra);
	e->quota.extra = qextra;
	strbuf_reset(&e->quota.extra);
}

void entry_release(struct entry *e)
{
	free(e->tags);
	mempool_release(&e->pool);
	strbuf_release(&e->extra);
	strbuf_release(&e->quota.extra);
	entry_init(e);
}

static const char **str_slot(const struct field_desc *d, const void *base)
{
	return (const char **)((char *)base + d->offset);
}

static int64_t *int_slot(const struct field_desc *d, const void *base)
{
	return (int64_t *)((char *)base + d->offset);
}

void entry_set_str(struct entry *e, enum entry_field f, const char *s)
{
	if (fields[f].type != FT_STR)
		BUG("field %s is not a string", fields[f].name);
	*str_slot(&fields[f], e) = mempool_strdup(&e->pool, s);
	e->has |= 1ULL << f;
}

/* Copies a string or raw JSON field as it is. */
static void entry_set_raw_or_str(struct entry *e, enum entry_field f,
		const char *s)
{
	*str_slot(&fields[f], e) = mempool_strdup(&e->pool, s);
	e->has |= 1ULL << f;
}

void entry_set_raw(struct entry *e, enum entry_field f, const char *json)
{
	if (fields[f].type != FT_RAW)
		BUG("field %s is not raw JSON", fields[f].name);
	entry_set_raw_or_str(e, f, json);
}

void entry_set_int(struct entry *e, enum entry_field f, int64_t v)
{
	enum ftype t = fields[f].type;

	if (t != FT_INT && t != FT_TIME && t != FT_MONEY)
		BUG("field %s is not a number", fields[f].name);
	*int_slot(&fields[f], e) = v;
	e->has |= 1ULL << f;
}

void entry_unset(struct entry *e, enum entry_field f)
{
	e->has &= ~(1ULL << f);
	if (f == EF_TAGS)
		e->ntags = 0;
	if (f == EF_QUOTA_SNAPSHOT) {
		e->quota.has = 0;
		strbuf_reset(&e->quota.extra);
	}
}

const char *entry_get_str(const struct entry *e, enum entry_field f)
{
	if (fields[f].type != FT_STR || !entry_has(e, f))
		return NULL;
	return *str_slot(&fields[f], e);
}

int64_t entry_get_int(const struct entry *e, enum entry_field f)
{
	enum ftype t = fields[f].type;

	if ((t != FT_INT && t != FT_TIME && t != FT_MONEY) || !entry_has(e, f))
		return 0;
	return *int_slot(&fields[f], e);
}

void entry_set_tag(struct entry *e, const char *key, const char *value)
{
	for (size_t i = 0; i < e->ntags; i++) {
		if (!strcmp(e->tags[i].key, key)) {
			e->tags[i].value = mempool_strdup(&e->pool, value);
			return;
		}
	}
	ALLOC_GROW(e->tags, e->ntags + 1, e->tags_alloc);
	e->tags[e->ntags].key = mempool_strdup(&e->pool, key);
	e->tags[e->ntags].value = mempool_strdup(&e->pool, value);
	e->ntags++;
	e->has |= 1ULL << EF_TAGS;
}

const char *entry_tag(const struct entry *e, const char *key)
{
	for (size_t i = 0; i < e->ntags; i++)
		if (!strcmp(e->tags[i].key, key))
			return e->tags[i].value;
	return NULL;
}

int entry_is_usage(const struct entry *e)
{
	return !entry_has(e, EF_KIND);
}

int entry_is_rollup(const struct entry *e)
{
	return entry_has(e, EF_KIND) && !strcmp(e->kind, KIND_ROLLUP);
}

int64_t entry_time(const struct entry *e)
{
	if (entry_has(e, EF_STARTED_AT))
		return e->started_at;
	if (entry_has(e, EF_COMPLETED_AT))
		return e->completed_at;
	if (entry_has(e, EF_RECORDED_AT))
		return e->recorded_at;
	return 0;
}

void entry_fill_total(struct entry *e)
{
	if (!entry_has(e, EF_BILLED_INPUT_TOKENS) &&
	    !entry_has(e, EF_BILLED_OUTPUT_TOKENS))
		return;
	entry_set_int(e, EF_TOTAL_BILLED_TOKENS,
			entry_get_int(e, EF_BILLED_INPUT_TOKENS) +
			entry_get_int(e, EF_BILLED_OUTPUT_TOKENS));
}

/* ---- parsing ---- */

static int invalid(struct entry *e, const char **why, const char *fmt,
		const char *name)
{
	snprintf(e->why, sizeof(e->why), fmt, name);
	*why = e->why;
	return -1;
}

/* Reads one scalar into the slot described by d; base is the struct. */
static int read_scalar(struct jscan *s, struct entry *e, void *base,
		const struct field_desc *d, const char **why)
{
	struct js_span sp;
	int64_t v;

	switch (d->type) {
	case FT_STR:
		if (js_peek(s) != JS_STRING)
			return invalid(e, why, "%s is not a string", d->name);
		if (js_string(s, &sp))
			return -1;
		*str_slot(d, base) = js_unescape(&sp, &e->pool);
		return 0;
	case FT_INT:
	case FT_TIME:
		if (js_peek(s) != JS_NUMBER || js_int64(s, &v))
			return invalid(e, why, "%s is not a whole number "
					"in range", d->name);
		if (v < 0 && d->type == FT_TIME)
			return invalid(e, why, "%s is negative", d->name);
		*int_slot(d, base) = v;
		return 0;
	case FT_MONEY:
		if (js_peek(s) != JS_NUMBER || js_number(s, &sp))
			return invalid(e, why, "%s is not a number", d->name);
		if (money_parse(sp.p, sp.len, &v))
			return invalid(e, why, "%s is out of range", d->name);
		*int_slot(d, base) = v;
		return 0;
	default:
		BUG("not a scalar field: %s", d->name);
	}
}

static void keep_raw(struct strbuf *extra, const char *from, const char *to)
{
	if (extra->len)
		strbuf_addch(extra, ',');
	strbuf_add(extra, from, (size_t)(to - from));
}

static int parse_quota(struct jscan *s, struct entry *e, const char **why)
{
	struct quota_snapshot *q = &e->quota;
	struct js_span key;
	int r;

	if (js_peek(s) != JS_OBJECT || js_object_begin(s))
		return invalid(e, why, "%s is not an object", "quotaSnapshot");
	while ((r = js_member(s, &key)) > 0) {
		const char *start = key.p - 1;
		int f;

		for (f = 0; f < QF__COUNT; f++)
			if (js_key_is(&key, quota_fields[f].name))
				break;
		if (f == QF__COUNT) {
			if (js_skip(s))
				return -1;
			keep_raw(&q->extra, start, s->p);
			continue;
		}
		r = js_null(s);
		if (r < 0)
			return -1;
		if (r) {
			q->has &= ~(1u << f);
			continue;
		}
		if (read_scalar(s, e, q, &quota_fields[f], why))
			return -1;
		q->has |= 1u << f;
	}
	return r;
}

static int parse_tags(struct jscan *s, struct entry *e, const char **why)
{
	struct js_span key, val;
	int r;

	if (js_peek(s) != JS_OBJECT || js_object_begin(s))
		return invalid(e, why, "%s is not an object", "tags");
	e->ntags = 0;
	while ((r = js_member(s, &key)) > 0) {
		if (js_peek(s) != JS_STRING || js_string(s, &val))
			return invalid(e, why, "%s values must be strings",
					"tags");
		ALLOC_GROW(e->tags, e->ntags + 1, e->tags_alloc);
		e->tags[e->ntags].key = js_unescape(&key, &e->pool);
		e->tags[e->ntags].value = js_unescape(&val, &e->pool);
		e->ntags++;
	}
	return r;
}

/* Positions s at the next value (js_peek skips the blanks before it). */
static void skip_ws_of(struct jscan *s)
{
	(void)js_peek(s);
}

static int parse_member(struct jscan *s, struct entry *e, int f,
		const char **why)
{
	int r = js_null(s);

	if (r < 0)
		return -1;
	if (r) {
		entry_unset(e, (enum entry_field)f);
		return 0;
	}
	switch (fields[f].type) {
	case FT_QUOTA:
		r = parse_quota(s, e, why);
		break;
	case FT_RAW: {
		const char *start;

		skip_ws_of(s);
		start = s->p;
		if (js_peek(s) != JS_OBJECT || js_skip(s))
			return invalid(e, why, "%s is not an object",
					fields[f].name);
		*str_slot(&fields[f], e) = mempool_strndup(&e->pool, start,
				(size_t)(s->p - start));
		r = 0;
		break;
	}
	case FT_TAGS:
		r = parse_tags(s, e, why);
		break;
	default:
		r = read_scalar(s, e, e, &fields[f], why);
	}
	if (r)
		return -1;
	e->has |= 1ULL << f;
	return 0;
}

static int check_parsed(struct entry *e, const char **why)
{
	/* Counts and durations: 0 to ENTRY_MAX_TOKENS, as writers allow. */
	static const enum entry_field counts[] = {
		EF_BILLED_INPUT_TOKENS, EF_BILLED_OUTPUT_TOKENS,
		EF_TOTAL_BILLED_TOKENS, EF_CACHE_READ_TOKENS,
		EF_CACHE_WRITE_TOKENS, EF_CACHE_WRITE_1H_TOKENS,
		EF_REASONING_TOKENS, EF_TOOL_TOKENS, EF_AUDIO_TOKENS,
		EF_WEB_SEARCHES,
		EF_REQUESTS, EF_CHUNKS, EF_LATENCY_MS, EF_TTFT_MS,
		EF_THROTTLE_WAIT_MS, EF_RETRIES,
	};
	static const enum entry_field money[] = {
		EF_BILLED_COST_USD, EF_ESTIMATED_COST_USD, EF_TOOL_FEES_USD,
	};

	if (!entry_has(e, EF_ENTRY_ID) || !*e->entry_id)
		return invalid(e, why, "%s", "no entryId");
	if (entry_has(e, EF_V) && e->v > ENTRY_VERSION)
		return invalid(e, why, "%s", "written by a newer tally "
				"(unknown schema version)");
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		int64_t v = *int_slot(&fields[counts[i]], e);

		if (!entry_has(e, counts[i]))
			continue;
		if (v < 0)
			return invalid(e, why, "%s is negative",
					fields[counts[i]].name);
		if (v > ENTRY_MAX_TOKENS)
			return invalid(e, why, "%s is out of range",
					fields[counts[i]].name);
	}
	for (size_t i = 0; i < sizeof(money) / sizeof(money[0]); i++) {
		int64_t v = *int_slot(&fields[money[i]], e);

		if (entry_has(e, money[i]) &&
		    (v > ENTRY_MAX_NANO_USD || v < -ENTRY_MAX_NANO_USD))
			return invalid(e, why, "%s is out of range",
					fields[money[i]].name);
	}
	return 0;
}

/*
 * The field whose key comes next, taken straight from the text when it is
 * one of the few after the last (rows tally wrote); else -1, nothing read.
 */
static int expected_field(struct jscan *s, int next)
{
	int stop = next + 8 < EF__COUNT ? next + 8 : EF__COUNT;

	for (int f = next; f < stop; f++)
		if (js_member_is(s, fields[f].name, fields[f].len))
			return f;
	return -1;
}

/*
 * A rollup row names the local day it sums ("day" in its rollup object;
 * rows from earlier releases do not). Its times are that day's midnights
 * in the zone in force, whichever zone compacted it: a day rolled up by
 * a cron job running in UTC stays on its day in the user's own zone.
 */
static void rollup_day_times(struct entry *e)
{
	struct jscan s;
	struct js_span key, val;
	char text[11];
	int32_t day;

	if (!entry_is_rollup(e) || !entry_has(e, EF_ROLLUP))
		return;
	js_init(&s, e->rollup, strlen(e->rollup));
	if (js_object_begin(&s))
		return;
	while (js_member(&s, &key) > 0) {
		if (!js_key_is(&key, "day")) {
			if (js_skip(&s))
				return;
			continue;
		}
		if (js_string(&s, &val) || val.len != 10 || val.escaped)
			return;
		memcpy(text, val.p, 10);
		text[10] = '\0';
		if (time_parse_day(text, &day))
			return;
		entry_set_int(e, EF_STARTED_AT, local_day_to_ms(day));
		entry_set_int(e, EF_COMPLETED_AT, local_day_to_ms(day + 1));
		return;
	}
}

int entry_parse(struct entry *e, const char *line, size_t len,
		const char **why)
{
	struct jscan s;
	struct js_span key;
	int r, next = 0;

	entry_reset(e);
	*why = NULL;
	js_init(&s, line, len);
	if (js_object_begin(&s))
		goto syntax;
	for (;;) {
		int f = expected_field(&s, next);

		if (f < 0) {
			const char *start;

			if ((r = js_member(&s, &key)) <= 0)
				break;
			start = key.p - 1;
			/* Not where tally puts it: found by name. */
			f = key.escaped ? -1 :
				entry_field_lookup(key.p, key.len);
			if (f < 0) {
				if (js_skip(&s))
					goto syntax;
				keep_raw(&e->extra, start, s.p);
				continue;
			}
		}
		next = f + 1;
		if (parse_member(&s, e, f, why)) {
			if (!*why)
				*why = s.error ? s.error : "invalid value";
			return -1;
		}
	}
	if (r < 0)
		goto syntax;
	if (!js_at_end(&s)) {
		*why = "unexpected text after the row";
		return -1;
	}
	rollup_day_times(e);
	return check_parsed(e, why);
syntax:
	*why = s.error ? s.error : "not a JSON object";
	return -1;
}

/* ---- writing ---- */

static void write_scalar(struct jsonw *w, const struct field_desc *d,
		const void *base)
{
	jw_key_plain(w, d->name, d->len);
	switch (d->type) {
	case FT_STR:
		jw_string(w, *str_slot(d, base));
		break;
	case FT_INT:
	case FT_TIME:
		jw_int(w, *int_slot(d, base));
		break;
	case FT_MONEY:
		jw_money(w, *int_slot(d, base));
		break;
	default:
		BUG("not a scalar field: %s", d->name);
	}
}

static void write_quota(struct jsonw *w, const struct quota_snapshot *q)
{
	jw_key(w, "quotaSnapshot");
	jw_object_begin(w);
	for (int f = 0; f < QF__COUNT; f++)
		if (q->has & (1u << f))
			write_scalar(w, &quota_fields[f], q);
	jw_raw_members(w, q->extra.buf, q->extra.len);
	jw_object_end(w);
}

static void write_tags(struct jsonw *w, const struct entry *e)
{
	jw_key(w, "tags");
	jw_object_begin(w);
	for (size_t i = 0; i < e->ntags; i++)
		jw_kv_string(w, e->tags[i].key, e->tags[i].value);
	jw_object_end(w);
}

void entry_write(struct jsonw *w, const struct entry *e)
{
	jw_object_begin(w);
	entry_write_members(w, e);
	jw_object_end(w);
}

void entry_write_members(struct jsonw *w, const struct entry *e)
{
	jw_kv_int(w, "v", ENTRY_VERSION);
	for (int f = EF_V + 1; f < EF__COUNT; f++) {
		if (!entry_has(e, (enum entry_field)f))
			continue;
		if (fields[f].type == FT_QUOTA) {
			write_quota(w, &e->quota);
		} else if (fields[f].type == FT_TAGS) {
			write_tags(w, e);
		} else if (fields[f].type == FT_RAW) {
			const char *raw = *str_slot(&fields[f], e);

			jw_key_plain(w, fields[f].name, fields[f].len);
			jw_raw(w, raw, strlen(raw));
		} else {
			write_scalar(w, &fields[f], e);
		}
	}
	jw_raw_members(w, e->extra.buf, e->extra.len);
}

void entry_to_row(struct strbuf *sb, const struct entry *e)
{
	struct jsonw w;

	jw_init(&w, sb, JW_COMPACT);
	entry_write(&w, e);
	strbuf_addch(sb, '\n');
}

/* ---- validation of new rows ---- */

static int check_count(const struct entry *e, enum entry_field f,
		struct strbuf *err)
{
	int64_t v = entry_get_int(e, f);

	if (!entry_has(e, f))
		return 0;
	if (v < 0)
		return fail(err, T_EUSAGE, "%s must not be negative (got %lld)",
				fields[f].name, (long long)v);
	if (v > ENTRY_MAX_TOKENS)
		return fail(err, T_EUSAGE, "%s is out of range (got %lld)",
				fields[f].name, (long long)v);
	return 0;
}

static int check_subset(const struct entry *e, enum entry_field part,
		enum entry_field part2, enum entry_field whole,
		struct strbuf *err)
{
	int both = part2 != part && entry_has(e, part) && entry_has(e, part2);
	int64_t sum = entry_get_int(e, part) +
		      (part2 != part ? entry_get_int(e, part2) : 0);
	enum entry_field named = entry_has(e, part) ? part : part2;

	if (!entry_has(e, whole) || sum <= entry_get_int(e, whole))
		return 0;
	return fail(err, T_EUSAGE, "%s%s%s (%lld) exceeds %s (%lld)",
			fields[named].name, both ? " + " : "",
			both ? fields[part2].name : "",
			(long long)sum, fields[whole].name,
			(long long)entry_get_int(e, whole));
}

static int check_money(const struct entry *e, enum entry_field f,
		struct strbuf *err)
{
	if (entry_has(e, f) && entry_get_int(e, f) < 0)
		return fail(err, T_EUSAGE, "%s must not be negative",
				fields[f].name);
	if (entry_has(e, f) && entry_get_int(e, f) > ENTRY_MAX_NANO_USD)
		return fail(err, T_EUSAGE, "%s is out of range (more than "
				"1,000,000,000 USD)", fields[f].name);
	return 0;
}

int entry_validate(const struct entry *e, struct strbuf *err)
{
	static const enum entry_field nonneg[] = {
		EF_BILLED_INPUT_TOKENS, EF_BILLED_OUTPUT_TOKENS,
		EF_TOTAL_BILLED_TOKENS, EF_CACHE_READ_TOKENS,
		EF_CACHE_WRITE_TOKENS, EF_CACHE_WRITE_1H_TOKENS,
		EF_REASONING_TOKENS, EF_TOOL_TOKENS, EF_AUDIO_TOKENS,
		EF_WEB_SEARCHES,
		EF_LATENCY_MS, EF_TTFT_MS, EF_THROTTLE_WAIT_MS, EF_RETRIES,
		EF_REMAINING_PROVIDER_TOKENS,
	};
	static const char *const statuses[] = {
		"in_progress", "completed", "incomplete", "failed",
		"cancelled", NULL,
	};
	int ret = 0;

	if (!entry_has(e, EF_ENTRY_ID) || !*e->entry_id)
		return fail(err, T_EUSAGE, "entry has no id");
	for (size_t i = 0; !ret && i < sizeof(nonneg) / sizeof(nonneg[0]); i++)
		ret = check_count(e, nonneg[i], err);
	if (!ret)
		ret = check_subset(e, EF_CACHE_READ_TOKENS,
				EF_CACHE_WRITE_TOKENS, EF_BILLED_INPUT_TOKENS,
				err);
	if (!ret)
		ret = check_subset(e, EF_REASONING_TOKENS, EF_REASONING_TOKENS,
				EF_BILLED_OUTPUT_TOKENS, err);
	if (!ret)
		ret = check_subset(e, EF_CACHE_WRITE_1H_TOKENS,
				EF_CACHE_WRITE_1H_TOKENS, EF_CACHE_WRITE_TOKENS,
				err);
	if (!ret)
		ret = check_money(e, EF_BILLED_COST_USD, err);
	if (!ret)
		ret = check_money(e, EF_ESTIMATED_COST_USD, err);
	if (!ret)
		ret = check_money(e, EF_TOOL_FEES_USD, err);
	if (ret || !entry_has(e, EF_STATUS))
		return ret;
	for (const char *const *s = statuses; *s; s++)
		if (!strcmp(*s, e->status))
			return 0;
	return fail(err, T_EUSAGE, "unknown status '%s' (expected in_progress, "
			"completed, incomplete, failed or cancelled)", e->status);
}

/* ---- copying ---- */

void entry_copy(struct entry *dst, const struct entry *src)
{
	entry_reset(dst);
	for (int f = 0; f < EF__COUNT; f++) {
		const struct field_desc *d = &fields[f];

		if (!entry_has(src, (enum entry_field)f))
			continue;
		if (d->type == FT_STR || d->type == FT_RAW)
			entry_set_raw_or_str(dst, (enum entry_field)f,
					*str_slot(d, src));
		else if (d->type != FT_QUOTA && d->type != FT_TAGS)
			entry_set_int(dst, (enum entry_field)f,
					*int_slot(d, src));
	}
	for (size_t i = 0; i < src->ntags; i++)
		entry_set_tag(dst, src->tags[i].key, src->tags[i].value);
	if (entry_has(src, EF_QUOTA_SNAPSHOT)) {
		const struct quota_snapshot *q = &src->quota;

		dst->quota.has = q->has;
		dst->quota.provider_id = q->provider_id ?
			mempool_strdup(&dst->pool, q->provider_id) : NULL;
		dst->quota.window = q->window ?
			mempool_strdup(&dst->pool, q->window) : NULL;
		memcpy(dst->quota.v, q->v, sizeof(q->v));
		strbuf_addbuf(&dst->quota.extra, &q->extra);
		dst->has |= 1ULL << EF_QUOTA_SNAPSHOT;
	}
	strbuf_addbuf(&dst->extra, &src->extra);
}

/* ---- cost ---- */

int entry_has_estimate(const struct entry *e)
{
	if (!entry_has(e, EF_ESTIMATED_COST_USD))
		return 0;
	/* $0 estimated for tokens is a price table's gap, not a gift. */
	return e->estimated_cost_usd != 0 ||
	       (!entry_get_int(e, EF_BILLED_INPUT_TOKENS) &&
		!entry_get_int(e, EF_BILLED_OUTPUT_TOKENS));
}

int entry_is_unpriced(const struct entry *e)
{
	return entry_is_usage(e) && (entry_has(e, EF_BILLED_INPUT_TOKENS) ||
		entry_has(e, EF_BILLED_OUTPUT_TOKENS)) &&
		!entry_has(e, EF_BILLED_COST_USD) && !entry_has_estimate(e);
}

enum cost_kind entry_cost(const struct entry *e, enum cost_mode mode,
		int64_t *nano)
{
	int billed = entry_has(e, EF_BILLED_COST_USD);
	int estimated = entry_has_estimate(e);

	*nano = 0;
	if (billed && mode != COST_MODE_ESTIMATE) {
		*nano = e->billed_cost_usd;
		return COST_BILLED;
	}
	if (estimated && mode != COST_MODE_PROVIDER) {
		*nano = e->estimated_cost_usd;
		return COST_ESTIMATED;
	}
	if (!entry_has(e, EF_BILLED_INPUT_TOKENS) &&
	    !entry_has(e, EF_BILLED_OUTPUT_TOKENS) &&
	    !entry_has(e, EF_TOTAL_BILLED_TOKENS))
		return COST_NONE;
	return COST_UNPRICED;
}

const char *cost_kind_name(enum cost_kind k)
{
	switch (k) {
	case COST_BILLED: return "billed";
	case COST_ESTIMATED: return "estimated";
	case COST_UNPRICED: return "unpriced";
	default: return "none";
	}
}

enum cost_mode cost_mode_from(const char *name)
{
	if (name && !strcmp(name, "provider"))
		return COST_MODE_PROVIDER;
	if (name && !strcmp(name, "estimate"))
		return COST_MODE_ESTIMATE;
	return COST_MODE_AUTO;
}
