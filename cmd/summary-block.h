#ifndef TALLY_CMD_SUMMARY_BLOCK_H
#define TALLY_CMD_SUMMARY_BLOCK_H

#include <stdint.h>

#include "../lib/blocks.h"
#include "../lib/config.h"
#include "../lib/jsonw.h"
#include "../lib/report.h"
#include "../lib/strbuf.h"

/*
 * summary --window block: the five-hour block under way (or the last
 * one), its burn rate over the block and over the last 15 minutes, the
 * projection to its end, and when a configured limit would be reached
 * at the block's pace (block_token_limit, block_cost_limit_usd; "max"
 * is the largest block before it). The rates and the projection are
 * ccusage's: tokens and cost over the minutes from the block's first
 * request to its last; the projection adds that pace until the block
 * ends.
 */

#define BLOCK_RECENT_MS (15 * 60 * 1000LL)

struct block_rate {
	double tokens_per_minute;
	int64_t cost_per_hour;       /* nano-USD; -1 when unpriced */
	int known;
};

struct block_limit {
	int64_t value;               /* tokens, or nano-USD */
	int from_max;                /* "max": the largest past block */
	int64_t minutes_left;        /* at the block's pace; -1: not reached */
	const char *status;          /* ok, warning, exceeds */
};

struct block_view {
	int found;                   /* there is a block to show */
	int active;
	int64_t start, end, first, last, now;
	int64_t tokens, cost;        /* cost -1 when unpriced */
	struct block_rate rate, recent;
	int64_t projected_tokens, projected_cost, remaining_minutes;
	int has_projection;
	struct block_limit token_limit, cost_limit;
	int has_token_limit, has_cost_limit;
	struct blocks blocks;        /* of every request the filters select */
};

/*
 * Finds the block and sets spec's window to it (its first request to
 * its end). 0, or T_ELEDGER.
 */
int block_window(struct block_view *bv, const struct report_scope *sc,
		struct report_spec *spec, int64_t now, struct strbuf *err);

/*
 * Fills the rates, projection and limits, the block's totals being in
 * total. 0, or T_ELEDGER.
 */
int block_measure(struct block_view *bv, const struct report_scope *sc,
		const struct report_spec *spec, const struct counters *total,
		const struct config *cfg, enum cost_mode mode,
		struct strbuf *err);

/*
 * The block under way from the summary's hours (lib/hours.h), without
 * the ledger: 1 with bv and its totals filled, 0 when none is under way,
 * -1 when the hours cannot tell (then block_window() can).
 */
struct summary;
int block_from_hours(struct block_view *bv, const struct summary *s,
		int64_t now, struct counters *total);

/*
 * The configured limits (block_token_limit, block_cost_limit_usd) and
 * when the block reaches them, after block_pace(); max_tokens and
 * max_cost stand for "max", the largest past block.
 */
void block_limits(struct block_view *bv, const struct config *cfg,
		int64_t max_tokens, int64_t max_cost);
/* Whether a limit says "max", which needs the largest past block. */
int block_limits_want_max(const struct config *cfg);

/* The block's totals, rates over it and projection to its end. */
void block_pace(struct block_view *bv, const struct counters *total,
		enum cost_mode mode);

void block_view_release(struct block_view *bv);

void block_human(struct strbuf *out, const struct block_view *bv);
/* "key": {"limit" or "limitUsd", "from", "minutesToLimit", "status"}. */
void block_limit_json(struct jsonw *w, const char *key,
		const struct block_limit *l, int money);
void block_json(struct jsonw *w, const struct block_view *bv);

#endif
