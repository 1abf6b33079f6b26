#ifndef TALLY_REPORT_H
#define TALLY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "query.h"
#include "string-list.h"
#include "rollup.h"
#include "summary.h"

/*
 * Reports: totals and groups over a window of time, with filters. They
 * are answered from the summary's rollups when those carry enough detail
 * (whole local days, provider, model, a recent session) and from the
 * ledger's folded entries otherwise (tags, sessions in general, windows
 * that cut through a day), so every report is exact either way.
 */

enum report_dim {
	DIM_PROVIDER,
	DIM_MODEL,
	DIM_DAY,
	DIM_WEEK,
	DIM_MONTH,
	DIM_SESSION,
	DIM_TAG,
	DIM_BLOCK,    /* five-hour usage blocks (blocks.h) */
	DIM_SOURCE,   /* where the figures came from: response, import:codex */
	DIM_DEVICE,   /* the device that recorded them (device.h) */
	DIM__COUNT
};

/* What each dimension is called: on the command line, in table headers. */
struct report_dim_info {
	const char *name;   /* --by provider, the JSON group key */
	const char *title;  /* the column of human tables */
	int is_time;        /* groups are sorted by time, not by size */
};
extern const struct report_dim_info report_dims[DIM__COUNT];

#define REPORT_MAX_DIMS 4

struct blocks;

/* This device's group for DIM_DEVICE when the spec names it not. */
#define REPORT_SELF_DEVICE "this device"

/* The session of compaction's rollup rows, grouped by session. */
#define REPORT_COMPACTED_SESSIONS "(compacted)"

struct report_spec {
	struct query filter;     /* which entries count: query.h */
	enum report_dim dims[REPORT_MAX_DIMS];
	const char *tag_keys[REPORT_MAX_DIMS];
	size_t ndims;
	int force_ledger;        /* e.g. days in another time zone */
	/* For DIM_BLOCK: blocks already made (report_blocks), or NULL. */
	const struct blocks *blocks;
	/* For DIM_DEVICE: what this device's group is called, or NULL. */
	const char *self_device;
	/* and the other devices': ids and their labels (remote.h), or NULL */
	const struct string_list *device_ids, *device_labels;
};

#define REPORT_SPEC_INIT { .filter = QUERY_INIT_ALL_KINDS }

struct report_group {
	char *key[REPORT_MAX_DIMS];
	struct counters c;
};

struct report {
	struct counters total;
	struct report_group *groups;
	size_t ngroups, alloc;
	int64_t first, last;     /* entry times seen (ledger reports only) */
	int from_ledger;
};

void report_init(struct report *r);
void report_release(struct report *r);

/* Parses "provider", "day", "tag:team" ... into the spec. 0 or -1. */
int report_add_dim(struct report_spec *spec, const char *name);

/* Whether the spec needs the ledger rather than the rollups. */
int report_needs_ledger(const struct report_spec *spec,
		const struct summary *s);

/* Builds a report from the rollups of s. */
void report_from_rollups(const struct summary *s,
		const struct report_spec *spec, struct report *r);

/*
 * Builds a report from the folded entries of ledgers (one, or the
 * scopes a merged summary stands for). 0 or T_ELEDGER.
 */
int report_from_ledgers(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec, struct report *r,
		struct strbuf *err);

/*
 * The five-hour blocks (blocks.h) of the entries the spec selects, its
 * window aside. 0 or T_ELEDGER.
 */
int report_blocks(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec, struct blocks *b,
		struct strbuf *err);

/*
 * Calls fn for every folded entry of the ledgers (one, or every scope's)
 * that the spec's window and filters select, in ledger order, one ledger
 * after the other (the entry is valid during the call only). A nonzero
 * return from fn stops and is returned.
 */
int report_foreach(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec,
		int (*fn)(const struct entry *e, void *data), void *data,
		struct strbuf *err);

/*
 * Usage to report on: a summary cache and the ledgers it sums up (one
 * scope's ledger, or every scope's for the merged summary of all).
 */
struct report_scope {
	const struct summary *s;
	const char *const *ledgers;
	size_t nledgers;
};

/*
 * The report of sc: from its rollups or from its ledgers' entries, as
 * the spec requires (see above). 0 or T_ELEDGER.
 */
int report_build(const struct report_scope *sc,
		const struct report_spec *spec, struct report *r,
		struct strbuf *err);

/* One report to make: what it counts, and where it goes (initialised). */
struct report_job {
	const struct report_spec *spec;
	struct report *r;
};

/*
 * Several reports of one scope at once: each from the rollups when they
 * answer it, the rest from one walk of the ledgers together (see
 * report_build()). 0 or T_ELEDGER.
 */
int report_build_many(const struct report_scope *sc,
		const struct report_job *jobs, size_t n, struct strbuf *err);

/*
 * T_ELEDGER when a total or group of r is too large to be exact (see
 * COUNTER_MAX); 0 otherwise. report_build() checks by itself.
 */
int report_check(const struct report *r, const char *ledger_path,
		struct strbuf *err);

/*
 * dst (empty) becomes src with its groups added up by their key of
 * dimension dim alone, or with no groups when dim is -1: one walk of the
 * ledger by provider and model gives the reports by either and the total.
 */
void report_collapse(const struct report *src, int dim, struct report *dst);

/* Adds the totals and groups of src into dst (same dimensions). */
void report_merge(struct report *dst, const struct report *src,
		size_t ndims);

/* Sorts groups: by time for time dimensions, else by tokens, largest first. */
void report_sort(struct report *r, const struct report_spec *spec);

#endif
