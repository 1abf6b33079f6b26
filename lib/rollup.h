#ifndef TALLY_ROLLUP_H
#define TALLY_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "intern.h"

/*
 * Rollups: the sums of the entries of one local day, provider, model and
 * session. They are what reports add up, and they outlive the ledger rows
 * they came from (retention prunes rows, never rollups).
 *
 * An entry contributes its counters to exactly one rollup. When a later
 * row supersedes it, the old row's contribution is subtracted and the new
 * one added (rollup_apply with sign -1, then +1), so nothing is counted
 * twice.
 */

enum rollup_counter {
	RC_REQUESTS,
	RC_INPUT,
	RC_OUTPUT,
	RC_CACHE_READ,
	RC_CACHE_WRITE,
	RC_REASONING,
	RC_TOOL,
	RC_BILLED,        /* nano-USD billed by providers */
	RC_ESTIMATED,     /* nano-USD estimated */
	RC_EST_UNBILLED,  /* estimates of entries that have no bill */
	RC_N_BILLED,      /* entries with a bill */
	RC_N_ESTIMATED,   /* entries with an estimate */
	RC_N_UNPRICED,    /* entries with tokens but neither */
	RC_N_USAGE,       /* entries with any token count */
	RC_N_PENDING,     /* syncStatus pending_sync */
	RC_N_SYNC_FAILED, /* syncStatus sync_failed */
	RC_N_FAILED,      /* status failed */
	RC_N_IN_PROGRESS, /* status in_progress */
	RC_LATENCY_SUM,
	RC_LATENCY_N,
	RC_TTFT_SUM,
	RC_TTFT_N,
	RC_THROTTLE_MS,
	RC_CHUNKS,
	/* What providers' usage and cost APIs reported (provider rows). */
	RC_PROV_REQUESTS,
	RC_PROV_INPUT,
	RC_PROV_OUTPUT,
	RC_PROV_COST,
	/* Server-side web searches, and their fees inside the estimates. */
	RC_WEB_SEARCHES,
	RC_TOOL_FEES,
	RC_TOOL_FEES_UNBILLED, /* those of entries that have no bill */
	RC__COUNT
};

struct counters {
	int64_t v[RC__COUNT];
};

/*
 * Sums are kept within +-COUNTER_MAX (about 2.3e18 tokens, or 2.3 billion
 * USD in nano-USD), so that the figures reports derive from a few of them
 * (input + output, billed + estimated) cannot wrap either. A sum that
 * would leave that range becomes COUNTER_OVERFLOW and stays so, whatever
 * is added to or taken from it later: tally refuses such totals with an
 * error (counters_overflowed()) instead of showing a wrapped number.
 */
#define COUNTER_MAX (INT64_MAX / 4)
#define COUNTER_OVERFLOW INT64_MIN

struct rollup_key {
	int32_t day;        /* local calendar day, days since 1970-01-01 */
	uint32_t provider;  /* ids in the table's strings */
	uint32_t model;
	uint32_t session;   /* 0 (empty) once the session detail is dropped */
	/*
	 * The entry's project tag: kept by the rollup rows of compaction, so
	 * summary --by tag:project answers alike before and after; 0 in the
	 * summary's own rollups, which leave tags to the ledger.
	 */
	uint32_t project;
	/*
	 * Where the figures came from (the entry's source: response,
	 * import:claude-code, ...), so that usage a subscription covers (an
	 * agent's, say) is told apart without the ledger.
	 */
	uint32_t source;
	/*
	 * The device that recorded the figures (device.h), 0 for this
	 * device, whose rows may carry its id or none: a rollup never sums
	 * two devices' figures.
	 */
	uint32_t device;
};

struct rollup {
	struct rollup_key key;
	int64_t last;       /* newest entry time seen, for session ageing */
	struct counters c;
};

/*
 * The sessions whose detail rollup_compact() merged away, as a Bloom
 * filter of their names: a session it does not hold has all its sums in
 * the rollups (or has none), one it may hold needs the ledger. 8 KiB
 * with three probes: under 1% false positives up to 4,000 sessions
 * dropped, 5% at 10,000 (a false positive only costs a ledger read).
 */
#define ROLLUP_DROPPED_BYTES 8192

/*
 * Before that, the sums of the sessions whose detail was merged away are
 * kept whole by name, for the ROLLUP_SESSION_TOTALS most recently active
 * of them: a session resumed after its detail went (claude --resume) is
 * its total here plus its rollups, without the ledger. A session that
 * leaves this table goes to the dropped set.
 */
#define ROLLUP_SESSION_TOTALS 256

struct session_total {
	int64_t last;       /* its newest entry time */
	struct counters c;
};

struct rollup_table {
	struct rollup *items;
	size_t nr, alloc;
	struct hash_index ix;
	struct intern strings;
	uint32_t last_id[5]; /* last provider, model, session, source, device */
	unsigned char *dropped; /* ROLLUP_DROPPED_BYTES, or NULL: none */
	/* totals[i] is the session named total_names' id i + 1. */
	struct session_total *totals;
	size_t ntotals, atotals;
	struct intern total_names;
};

/* The whole sums kept for a session merged away, or NULL. */
const struct session_total *rollup_session_total(const struct rollup_table *t,
		const char *session);
/*
 * Adds to a session's whole sums as its detail is merged away: to its
 * total when it has one, else a new one, unless the session may be in
 * the dropped set (part of it is already only in the ledger): then it
 * stays there. rollup_trim_totals() keeps the newest.
 */
void rollup_add_session_total(struct rollup_table *t, const char *session,
		int64_t last, const struct counters *c);
/* Keeps the ROLLUP_SESSION_TOTALS newest; the others go to the dropped set. */
void rollup_trim_totals(struct rollup_table *t);
/* Lets every kept total go (another device's sessions are not ours). */
void rollup_forget_totals(struct rollup_table *t);
/* A total as read back from the cache (no checks, no merging). */
void rollup_put_session_total(struct rollup_table *t, const char *session,
		int64_t last, const struct counters *c);

/* Notes a session as dropped; whether it may have been. */
void rollup_note_dropped(struct rollup_table *t, const char *session);
int rollup_maybe_dropped(const struct rollup_table *t, const char *session);
/* Adds src's sessions merged away (totals and dropped set) to dst's. */
void rollup_merge_dropped(struct rollup_table *dst,
		const struct rollup_table *src);

void rollup_table_init(struct rollup_table *t);
void rollup_table_release(struct rollup_table *t);

/* The rollup for key, created empty when new. */
struct rollup *rollup_get(struct rollup_table *t, const struct rollup_key *key);

/*
 * The source of a rollup's figures, or NULL when it has none or sums
 * several (the rollup rows of older versions say "rollup").
 */
const char *rollup_source(const struct intern *strings,
		const struct rollup_key *key);

/* The device of a rollup's figures, or NULL for this device. */
const char *rollup_device(const struct intern *strings,
		const struct rollup_key *key);

/* The counters one entry contributes. */
void counters_of_entry(const struct entry *e, struct counters *c);

/* Adds (sign 1) or subtracts (sign -1) c, checked as above. */
void counters_add(struct counters *to, const struct counters *c, int sign);

/* Whether a counter left the range it can be trusted in. */
int counters_overflowed(const struct counters *c);

/* The error for such totals; %s is the ledger's path. */
#define COUNTERS_OVERFLOW_ERROR "the totals of '%s' are too large to add " \
	"up exactly (beyond 2.3e18 tokens or 2.3 billion USD): it holds " \
	"rows with absurd counts or costs"

/* Cost of counters under a cost mode, and the entries it leaves unpriced. */
int64_t counters_cost(const struct counters *c, enum cost_mode mode,
		int64_t *unpriced);

/* The cost, or -1 when none of the usage has a price (never $0). */
int64_t counters_priced_cost(const struct counters *c, enum cost_mode mode);

/* Whether the cost includes estimates (shown with a "~"). */
int counters_cost_is_estimate(const struct counters *c, enum cost_mode mode);

/* Tokens as reports count them: input (cache included) and output. */
int64_t counters_tokens(const struct counters *c);

/*
 * How a cost reads where people see it: "~$1.23" for an estimate, with
 * " +2 unpriced" for entries without a price; the unpriced word when
 * nothing has a price (never $0), the none word when there is no usage.
 */
struct cost_words {
	const char *unpriced;       /* "unpriced" */
	const char *none;           /* "-" */
	const char *more_unpriced;  /* " +%lld unpriced" */
};

struct strbuf;
void counters_cost_text(struct strbuf *out, const struct counters *c,
		enum cost_mode mode, const struct cost_words *w);

struct jsonw;

/*
 * The counters as reports show them in JSON (summary --json, the cache
 * file's totals): token counts, costs in USD under the cost mode, and
 * counts of unpriced, failed and unfinished entries, as members of the
 * object w is in. Usage with no price at all has costUsd null, never 0.
 */
void counters_report_json(struct jsonw *w, const struct counters *c,
		enum cost_mode mode);

/*
 * The "rollup" object of a rollup row: counter names (as in the cache
 * file) to values, zeros left out. counters_from_json() returns 0 or -1.
 */
void counters_to_json(struct strbuf *out, const struct counters *c);
/* The same members, into an object w has open. */
void counters_json_members(struct jsonw *w, const struct counters *c);
int counters_from_json(struct counters *c, const char *json);
int counters_empty(const struct counters *c);

/* The key of an entry (day in the local time zone). */
void rollup_key_of(struct rollup_table *t, const struct entry *e,
		struct rollup_key *key);

/* Adds (sign 1) or removes (sign -1) an entry's contribution. */
void rollup_apply(struct rollup_table *t, const struct entry *e, int sign);

/*
 * Keeps session detail only for the `keep` most recently active sessions:
 * the rollups of older sessions merge into session 0. Empty rollups go.
 */
void rollup_compact(struct rollup_table *t, size_t keep);

/* Name of each counter in the cache file, in enum order. */
extern const char *const rollup_counter_names[RC__COUNT];

#endif
