#ifndef TALLY_SUMMARY_H
#define TALLY_SUMMARY_H

#include <stdint.h>

#include "hours.h"
#include "rollup.h"
#include "scope.h"
#include "strbuf.h"

/*
 * The summary cache of a scope (usage-summary.json): rollups, sync state,
 * the latest quota snapshots, the most recent entries and the budget
 * alerts already fired. It is a cache: everything in it can be rebuilt
 * from the ledger, except the rollups of rows that retention has pruned.
 *
 * It remembers which ledger it folded (device, inode) and up to which
 * byte, so a refresh reads only the rows appended since; with the entry
 * index (summary-index.h) a row that supersedes an earlier one moves that
 * entry's contribution instead of adding to it. A ledger rewritten under
 * it is folded again from the start. Rewritten means: another inode;
 * shorter than the offset; the same size with another mtime or ctime (an
 * edit in place); or, when it grew, other bytes just before the offset
 * than were folded (a rewrite that reused the inode, as a compaction's
 * temporary file can, then grew past the offset).
 *
 * Concurrency: refreshes take usage-summary.lock; the cache file is
 * replaced atomically, so readers never see it half written. A torn
 * refresh (a crash between updating the index in place and renaming the
 * new cache file) is detected, see fold_row() in summary.c, and answered
 * with a rebuild.
 */

#define SUMMARY_VERSION 7
#define SUMMARY_RECENT_MAX 512
/* Entries older than this (before now) never enter the recent list. */
#define SUMMARY_RECENT_SPAN (60 * 60 * 1000LL)
#define SUMMARY_SESSIONS_KEPT 64
/* Days of usage by tag kept: this month and the one before, at least. */
#define SUMMARY_TAG_DAYS 62
/* More rows by tag than this: a tag of too many values; none are kept. */
#define SUMMARY_TAG_ROWS 20000

/* The seed's monthly budget, summarised in the cache's budgetState. */
struct summary_budget {
	int64_t tokens;         /* 0: none */
	int64_t usd;            /* nano-USD; 0: none */
	int64_t warn_percent;
};

struct recent_item {
	int64_t time;
	uint64_t hash;   /* of the entry id */
	int64_t tokens;
};

/* The latest snapshot per provider and plan window (NULL: the API's). */
struct quota_state {
	char *provider;
	char *window;
	uint32_t has;    /* bits of enum quota_field */
	int64_t v[QF__COUNT];
};

struct summary {
	int64_t updated_at;
	uint64_t dev, ino;
	uint64_t offset;        /* bytes of the ledger folded */
	uint64_t lines;         /* lines folded */
	uint64_t invalid;       /* invalid lines among them */
	uint64_t generation;    /* must match the index's */
	/* The ledger as the last refresh saw it, to tell appends from edits. */
	uint64_t seen_size;
	uint64_t seen_mtime_ns, seen_ctime_ns;
	uint64_t tail_hash;     /* of the bytes before offset, tail_of() */
	/*
	 * The zone the day keys were made in (timeutil_zone_id()): a
	 * refresh in another zone folds again, so that a cron job in UTC and
	 * a shell in Berlin each see their own days.
	 */
	char *timezone;
	int64_t last_synced_at;
	struct rollup_table rollups;
	/*
	 * Usage by tag: a row per tag ("team=a" in project's place), local
	 * day, provider, model and device (session and source 0), for the
	 * days from tags_from on (SUMMARY_TAG_DAYS before the day of the
	 * last refresh), so that budgets and reports filtered by one tag
	 * need no ledger. tags_overflow: a tag had too many values
	 * (SUMMARY_TAG_ROWS); the table is empty and the ledger answers.
	 */
	struct rollup_table tags;
	int32_t tags_from;
	int tags_overflow;
	struct hour_table hours;  /* for the five-hour block under way */
	struct recent_item *recent; /* oldest first */
	size_t nrecent;
	struct quota_state *quotas;
	size_t nquotas, aquotas;
	char **alerts;          /* "<budget>\t<period>\t<state>" */
	size_t nalerts, aalerts;
	struct summary_budget budget; /* as written with budgetState */

	/* Set by summary_refresh(). */
	int stale;              /* the lock was busy: the cache as it was */
	int rebuilt;            /* folded from the start */
	uint64_t bytes_read;    /* of the ledger, by this refresh */
};


struct summary_opts {
	int do_sync;            /* fsync the cache and index (config fsync) */
	int64_t lock_timeout_ms;
	int quiet;              /* do not warn about invalid ledger lines */
	int rebuild;            /* fold from the start whatever the cache says */
	struct summary_budget budget;
};

void summary_init(struct summary *s);
void summary_release(struct summary *s);

/*
 * Brings the scope's cache up to date with its ledger and loads it into
 * s. When another process holds the cache lock beyond the timeout, s is
 * the cache as it was on disk, with s->stale set. Returns 0 or T_ELEDGER.
 */
int summary_refresh(struct summary *s, const struct scope *sc,
		const struct summary_opts *o, struct strbuf *err);

/*
 * Claims an alert ("<budget>\t<period>\t<state>") under the cache lock:
 * returns 1 when this process is the first to claim it (the caller then
 * runs the hook), 0 when it was claimed before, T_ELEDGER on error.
 */
int summary_claim_alert(const struct scope *sc, const struct summary_opts *o,
		const char *key, struct strbuf *err);

/*
 * Adds src into dst: its rollups (strings mapped into dst's), its recent
 * entries (the newest SUMMARY_RECENT_MAX of both kept), its hours, its
 * quota snapshots (the newer of each provider and window) and its last
 * sync; dst takes src's time zone when it has none.
 */
void summary_merge(struct summary *dst, const struct summary *src);

/* Adds (sign 1) or takes out (-1) an entry's usage by each of its tags. */
void summary_tags_apply(struct summary *s, const struct entry *e, int sign);

/* Lets the days before from go (the table covers from on). */
void summary_tags_advance(struct summary *s, int32_t from);

/* Adds src's usage by tag into dst's, over the days both cover. */
void summary_tags_merge(struct summary *dst, const struct summary *src);

/* The latest snapshot of a provider's API (window NULL) or plan window. */
struct quota_state *summary_find_quota(const struct summary *s,
		const char *provider, const char *window);

/* A quota snapshot as members of the JSON object w has open. */
struct jsonw;
void quota_state_json_members(struct jsonw *w, const struct quota_state *q);

/* Tokens of the recent entries in [since, until). */
int64_t summary_recent_tokens(const struct summary *s, int64_t since,
		int64_t until, int64_t *requests);

/* Paths of the cache's files in a scope directory. */
void summary_index_path(const struct scope *sc, struct strbuf *out);
void summary_lock_path(const struct scope *sc, struct strbuf *out);

#endif
