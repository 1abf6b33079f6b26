#ifndef TALLY_PRICING_H
#define TALLY_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "entry.h"
#include "mempool.h"
#include "strbuf.h"

/*
 * Prices and cost estimates.
 *
 * Sources, in the order they are asked:
 *   1. pricing.models in the configuration (a model glob and prices);
 *   2. the built-in table (lib/prices-data.c) and the table fetched by
 *      `tally pricing update` (${XDG_CACHE_HOME:-~/.cache}/tally/
 *      prices.tsv): of the rows that match, the one with the latest
 *      `since` on or before the usage's day wins (a fetched row applies
 *      from the day it was fetched, and to earlier days only when nothing
 *      else knows the model);
 *   3. pricing.fallback.<provider> (input and output per 1k tokens), only
 *      when the user set it; such estimates are marked as fallbacks.
 * A model none of them knows is unpriced: no estimate, never $0.
 *
 * A model name matches a row by its name, by one of the row's globs, or
 * after dropping a provider prefix ("anthropic/claude-sonnet-4",
 * "models/gemini-2.5-pro") or a date or "-latest" suffix
 * ("claude-sonnet-4-20250514", "gpt-4.1-2025-04-14").
 *
 * Rates are nano-USD per million tokens.
 */

enum price_rate {
	PR_INPUT,
	PR_OUTPUT,
	PR_CACHE_READ,
	PR_CACHE_WRITE,     /* 5-minute cache writes */
	PR_CACHE_WRITE_1H,  /* 1-hour cache writes */
	PR__COUNT
};

/*
 * A long-context tier applies to a request whose input is above the
 * price's tier_tokens: 200,000 for most models that have one, 272,000 for
 * some (gpt-5.4). A fetched table of the first format knows only 200k.
 */
#define PRICE_TIER_TOKENS 200000

enum price_source { PS_CONFIG, PS_BUILTIN, PS_FETCHED, PS_FALLBACK };

struct price {
	const char *id;
	const char *provider;   /* NULL: any */
	const char *model;      /* a name or a glob */
	const char *match;      /* more globs, space-separated, or NULL */
	int32_t since;          /* local-independent day number (UTC) */
	enum price_source source;
	int64_t rate[PR__COUNT];   /* -1: unknown */
	int64_t above[PR__COUNT];  /* above tier_tokens; -1: no tier */
	int has_tier;
	int64_t tier_tokens;       /* input tokens the tier starts above */
};

struct price_memo;

struct price_table {
	struct price *items;
	size_t nr, alloc;
	struct price_memo *memo;   /* recent resolutions */
	struct mempool pool;
	const struct config *cfg;  /* for fallbacks */
	int64_t fetched_at;        /* of the fetched table; 0 if none */
	const char *fetched_from;
	const char *fetched_path;
};

/* The built-in rows, as text (see lib/prices-data.c). */
struct builtin_tier {
	int64_t tokens;            /* applies above this many input tokens */
	const char *rate[PR__COUNT];
};

struct builtin_price {
	const char *provider, *model, *since, *match;
	const char *rate[PR__COUNT];
	const struct builtin_tier *above;
};

extern const struct builtin_price builtin_prices[];

/*
 * Loads the configured, built-in and fetched prices. cfg must outlive
 * the table. Returns 0, or T_ECONFIG for a bad pricing.* setting; a
 * fetched table that cannot be read is warned about and left out.
 */
int pricing_load(struct price_table *t, const struct config *cfg,
		struct strbuf *err);
void pricing_release(struct price_table *t);

struct price_match {
	const struct price *price;
	struct price fallback;     /* when price points here */
	char fallback_id[96];
	char why[256];             /* how the name matched, for people */
};

/*
 * Finds the price of a model of a provider for a usage at time at (ms).
 * Returns 1 and fills m, or 0 when the model is unpriced (m->why says
 * what was tried).
 */
int pricing_resolve(const struct price_table *t, const char *provider,
		const char *model, int64_t at, struct price_match *m);

/*
 * The cost of an entry's tokens at price p, in nano-USD. Returns 0, or
 * -1 when p lacks a rate the usage needs (input or output).
 */
int pricing_cost(const struct price *p, const struct entry *e,
		int64_t *nano);

/*
 * Sets estimatedCostUsd and priceId on e from the table, unless e has
 * an estimate already or no token counts. Server-side web searches are
 * added at their fee, which is also set apart in toolFeesUsd. Returns 1
 * when it did.
 */
int pricing_estimate_entry(const struct price_table *t, struct entry *e);

/* nano-USD per server-side web search at provider on day when, or -1. */
int64_t pricing_web_search_fee(const char *provider, int64_t when);

/* Where `pricing update` keeps the fetched table. */
void pricing_cache_path(struct strbuf *out);

/*
 * Converts a LiteLLM model_prices_and_context_window.json document into
 * the fetched-table format (TSV, see pricing.c) in out. Rows are chat
 * and completion models with an input and an output price. Returns the
 * number of rows, or -1 with err set when the text is not such a
 * document.
 */
int pricing_from_litellm(const char *json, size_t len, const char *from,
		int64_t now, struct strbuf *out, struct strbuf *err);

/* What a new fetched table changes of the one it replaces. */
#define PRICE_DIFF_NAMES 10
struct price_diff {
	size_t added, changed, removed, kept;
	/* The first changed models' names (owned). */
	char *changed_names[PRICE_DIFF_NAMES];
};

/* Compares two fetched tables (TSV text; old may be empty). */
void pricing_diff(const char *old_tsv, const char *new_tsv,
		struct price_diff *d);
void price_diff_release(struct price_diff *d);

/* LiteLLM's published price table: pricing update's default source. */
#define PRICING_DEFAULT_URL "https://raw.githubusercontent.com/BerriAI/" \
	"litellm/main/model_prices_and_context_window.json"

const char *price_source_name(enum price_source s);

#endif
