#ifndef TALLY_ENTRY_H
#define TALLY_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "jsonw.h"
#include "mempool.h"
#include "strbuf.h"

/*
 * One ledger row: the usage of one request (or, for rows that sync writes,
 * of one provider bucket). See tally-ledger(5) for the file format.
 *
 * Field names are those of the seed's IVSCloneUsageEntry, kept exactly so
 * that tools reading that format read ours, plus additive fields. Presence
 * is tracked per field: a missing count is unknown, not zero.
 *
 * Strings point into e->pool (or at storage the caller keeps alive, for
 * entries built by hand). Money fields hold nano-USD, times hold Unix
 * milliseconds.
 *
 * Calling sequence: struct entry e; entry_init(&e); entry_parse(&e, ...) or
 * entry_set_*(&e, ...) any number of times (each parse starts afresh);
 * entry_release(&e).
 */

#define ENTRY_VERSION 1

/* In the fixed order in which rows are written. */
enum entry_field {
	EF_V,
	EF_ENTRY_ID,
	EF_SESSION_RESOURCE,
	EF_REQUEST_ID,
	EF_PROVIDER_ID,
	EF_PROVIDER_REQUEST_ID,
	EF_MODEL_ID,
	EF_STARTED_AT,
	EF_COMPLETED_AT,
	EF_BILLED_INPUT_TOKENS,
	EF_BILLED_OUTPUT_TOKENS,
	EF_TOTAL_BILLED_TOKENS,
	EF_BILLED_COST_USD,
	EF_REMAINING_PROVIDER_TOKENS,
	EF_REMAINING_PROVIDER_USD,
	EF_SOURCE,
	EF_SYNC_STATUS,
	EF_SYNC_ERROR_CODE,
	EF_SYNCED_AT,
	EF_STATUS,
	EF_QUOTA_SNAPSHOT,
	/* additive */
	EF_CACHE_READ_TOKENS,
	EF_CACHE_WRITE_TOKENS,
	EF_CACHE_WRITE_1H_TOKENS,
	EF_REASONING_TOKENS,
	EF_TOOL_TOKENS,
	EF_AUDIO_TOKENS,
	EF_WEB_SEARCHES,
	EF_ESTIMATED_COST_USD,
	EF_TOOL_FEES_USD,
	EF_PRICE_ID,
	EF_LATENCY_MS,
	EF_TTFT_MS,
	EF_THROTTLE_WAIT_MS,
	EF_RETRIES,
	EF_RETRY_AFTER_MS,
	EF_HTTP_STATUS,
	EF_ERROR_CODE,
	EF_TAGS,
	EF_RECORDED_AT,
	EF_KIND,
	EF_REQUESTS,
	EF_CHUNKS,
	EF_SYNC_ATTEMPTS,
	EF_NEXT_SYNC_AT,
	EF_ROLLUP,
	EF_DEVICE_ID,
	EF__COUNT
};

/*
 * Kinds of rows (field "kind"; absent for usage entries). Provider rows
 * hold what a provider's usage or cost API reported for a time bucket;
 * they are compared with the usage entries, never added to them.
 */
#define KIND_PROVIDER_BUCKET "provider_bucket"
#define KIND_PROVIDER_COST "provider_cost"
#define KIND_QUOTA "quota"
/*
 * A rollup row stands for entries that compaction removed: the sums of
 * one local day, provider and model, in its "rollup" object.
 */
#define KIND_ROLLUP "rollup"

enum quota_field {
	QF_PROVIDER_ID,
	QF_REMAINING_REQUESTS,
	QF_REMAINING_TOKENS,
	QF_REMAINING_USD,
	QF_RESET_DATE,
	QF_CAPTURED_AT,
	QF_LIMIT_REQUESTS,
	QF_LIMIT_TOKENS,
	/*
	 * A subscription plan's usage window ("five_hour", "seven_day" of a
	 * Claude plan, as Claude Code reports them) and how much of it is
	 * used, in billionths of a percent (the money type's fixed point):
	 * such a snapshot is the plan's, not the API key's.
	 */
	QF_WINDOW,
	QF_USED_PERCENT,
	QF__COUNT
};

/*
 * A provider's limits as seen at one moment. The numbers are in v, by
 * enum quota_field (the provider id is a string, its slot unused); has
 * says which are known.
 */
struct quota_snapshot {
	uint32_t has;
	const char *provider_id;
	const char *window;
	int64_t v[QF__COUNT];
	struct strbuf extra; /* unknown members, raw: "k":v,"k2":v2 */
};

/* The member name of a quota field in the ledger ("remainingUsd"). */
const char *quota_field_name(enum quota_field f);
/*
 * Whether the field is a decimal kept in billionths (an amount in USD, a
 * percentage), a string (the provider, the window), else a whole number.
 */
int quota_field_is_money(enum quota_field f);
int quota_field_is_text(enum quota_field f);

struct tag {
	const char *key;
	const char *value;
};

struct entry {
	uint64_t has;
	int64_t v;
	const char *entry_id;
	const char *session_resource;
	const char *request_id;
	const char *provider_id;
	const char *provider_request_id;
	const char *model_id;
	int64_t started_at;
	int64_t completed_at;
	int64_t billed_input_tokens;
	int64_t billed_output_tokens;
	int64_t total_billed_tokens;
	int64_t billed_cost_usd;
	int64_t remaining_provider_tokens;
	int64_t remaining_provider_usd;
	const char *source;
	const char *sync_status;
	const char *sync_error_code;
	int64_t synced_at;
	const char *status;
	struct quota_snapshot quota;
	int64_t cache_read_tokens;
	int64_t cache_write_tokens;
	int64_t cache_write_1h_tokens; /* part of cache_write_tokens */
	int64_t reasoning_tokens;
	int64_t tool_tokens;
	int64_t audio_tokens;        /* part of input and output, unpriced */
	int64_t web_searches;        /* server-side searches, billed apiece */
	int64_t estimated_cost_usd;
	int64_t tool_fees_usd;       /* the searches' part of the estimate */
	const char *price_id;
	int64_t latency_ms;
	int64_t ttft_ms;
	int64_t throttle_wait_ms;
	int64_t retries;
	int64_t retry_after_ms;      /* what a 429 or 503 asked to wait */
	int64_t http_status;
	const char *error_code;
	struct tag *tags;
	size_t ntags, tags_alloc;
	int64_t recorded_at;
	const char *kind;
	int64_t requests;
	int64_t chunks;
	int64_t sync_attempts;
	int64_t next_sync_at;
	const char *rollup;    /* raw JSON object of a rollup row */
	const char *device_id; /* the device that wrote it (device.h) */

	/* Unknown top-level members, raw, kept for rewrites. */
	struct strbuf extra;

	struct mempool pool;
	char why[128];
};

/*
 * Largest token count one row may carry, and the limit for durations;
 * the largest cost (nano-USD, a billion dollars). Writers refuse more and
 * readers take a row with more for an invalid line.
 */
#define ENTRY_MAX_TOKENS 1000000000000000LL
#define ENTRY_MAX_NANO_USD 1000000000000000000LL

void entry_init(struct entry *e);
void entry_release(struct entry *e);
/* Forgets every field but keeps the allocations for reuse. */
void entry_reset(struct entry *e);

static inline int entry_has(const struct entry *e, enum entry_field f)
{
	return (e->has >> f) & 1;
}

const char *entry_field_name(enum entry_field f);
/* The field with this JSON name, or -1. */
int entry_field_lookup(const char *name, size_t len);

void entry_set_str(struct entry *e, enum entry_field f, const char *s);
void entry_set_int(struct entry *e, enum entry_field f, int64_t v);
/* Sets a raw JSON field (the "rollup" object), copying valid JSON text. */
void entry_set_raw(struct entry *e, enum entry_field f, const char *json);
void entry_unset(struct entry *e, enum entry_field f);
const char *entry_get_str(const struct entry *e, enum entry_field f);
int64_t entry_get_int(const struct entry *e, enum entry_field f);

/* Sets (or replaces) tag key to value; both are copied. */
void entry_set_tag(struct entry *e, const char *key, const char *value);
const char *entry_tag(const struct entry *e, const char *key);

/*
 * Parses one ledger line (without its newline). Returns 0, or -1 with *why
 * set to a static description when the line is not a valid row. Rows of
 * older schema versions (no "v") are upgraded in memory; rows of a newer
 * version are refused, since their meaning is unknown.
 */
int entry_parse(struct entry *e, const char *line, size_t len,
		const char **why);

/* Writes the entry as a JSON object, fields in the fixed order. */
void entry_write(struct jsonw *w, const struct entry *e);
/* The same members, into an object w has open. */
void entry_write_members(struct jsonw *w, const struct entry *e);

/* Appends the entry as one compact ledger line, newline included. */
void entry_to_row(struct strbuf *sb, const struct entry *e);

/*
 * Checks a new row before it is written: an id, token counts that are
 * neither negative nor absurd, subsets not larger than their totals,
 * a known status. Returns 0 or T_EUSAGE with a message.
 */
int entry_validate(const struct entry *e, struct strbuf *err);

/* Sets totalBilledTokens from input and output when either is known. */
void entry_fill_total(struct entry *e);

/* Whether the row is a usage entry (not a provider or quota row). */
int entry_is_usage(const struct entry *e);
/* Whether e is a rollup row of compaction (kind "rollup"). */
int entry_is_rollup(const struct entry *e);

/* The time an entry is listed under: started, else completed, else recorded. */
int64_t entry_time(const struct entry *e);

/*
 * Whether e carries an estimate that counts: an estimate of $0 for
 * nonzero tokens (a price table with a zero or missing price) does not:
 * such usage is unpriced, never free. A provider's own bill of $0 (a free
 * model on OpenRouter) is the provider's word and stands.
 */
int entry_has_estimate(const struct entry *e);

/* Usage with tokens but neither a bill nor an estimate. */
int entry_is_unpriced(const struct entry *e);

/*
 * Which cost figure an entry shows under a cost mode (config cost_mode):
 * auto prefers the provider's bill and falls back to the estimate,
 * provider shows bills only, estimate shows estimates only. Usage with no
 * figure is unpriced, never zero; an entry without tokens has no cost.
 */
enum cost_kind { COST_NONE, COST_BILLED, COST_ESTIMATED, COST_UNPRICED };
enum cost_mode { COST_MODE_AUTO, COST_MODE_PROVIDER, COST_MODE_ESTIMATE };

enum cost_kind entry_cost(const struct entry *e, enum cost_mode mode,
		int64_t *nano);
const char *cost_kind_name(enum cost_kind k);
enum cost_mode cost_mode_from(const char *name);

/* Copies src into dst (dst's previous contents are dropped). */
void entry_copy(struct entry *dst, const struct entry *src);

#endif
