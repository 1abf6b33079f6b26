#ifndef TALLY_CMD_TOP_MODEL_H
#define TALLY_CMD_TOP_MODEL_H

#include <stdint.h>

#include "status-fields.h"

/*
 * What tally top shows, kept up to date cheaply. The figures of the
 * session, day, month, block, plan, budgets and quota come from the
 * summary cache (status_gather()); the requests of the last minutes,
 * for rates, latencies, errors and the list of the latest, are read from
 * the ledger: its tail once at the start, then only the rows appended
 * since, like log -f. A poll that finds no ledger grown costs a stat(2)
 * per ledger and nothing else.
 */

#define TOP_WINDOW_MS (5 * 60 * 1000LL)
#define TOP_RING 1024
/* At the start, at most this much of each ledger's end is read. */
#define TOP_TAIL_BYTES (512 * 1024)

enum top_scope { TOP_WORKSPACE, TOP_PROFILE, TOP_ALL };

struct top_request {
	uint64_t id;            /* hash of the entry id */
	int64_t at;
	char provider[24], model[48];
	struct counters c;
	int64_t latency_ms, ttft_ms, throttle_ms;   /* -1: not known */
	int failed;
};

struct top_follow {
	char *path;
	uint64_t off;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

struct top_model {
	struct tally_ctx *ctx;
	enum top_scope scope;
	struct reporting rp;
	int open;               /* rp is open */
	const struct report_scope *sc;
	struct status_fields f;
	struct top_request ring[TOP_RING]; /* oldest first from head */
	size_t head, n;
	struct top_follow *follow;
	size_t nfollow;
	int64_t now;
	uint64_t rows_read;     /* by the last poll */
};

/* Opens the model on a scope. 0, or T_ELEDGER. */
int top_model_open(struct top_model *m, struct tally_ctx *ctx,
		enum top_scope scope, int64_t now, struct strbuf *err);

/*
 * Reads what was appended since and, when anything was, gathers the
 * figures again. Returns 1 when something changed, 0 when nothing did,
 * T_ELEDGER on error.
 */
int top_model_poll(struct top_model *m, int64_t now, struct strbuf *err);

/* Another scope: the model opened again. */
int top_model_switch(struct top_model *m, enum top_scope scope,
		int64_t now, struct strbuf *err);

void top_model_release(struct top_model *m);

/* The i-th request, oldest first. */
const struct top_request *top_model_request(const struct top_model *m,
		size_t i);

/* The statistics of the requests of the last window_ms before now. */
struct top_stats {
	int64_t requests, tokens;
	int64_t failed, throttled, throttle_ms;
	int64_t latency_p50, latency_p95, ttft_p50, ttft_p95; /* -1: none */
};

void top_model_stats(const struct top_model *m, int64_t window_ms,
		struct top_stats *st);

const char *top_scope_name(enum top_scope s);

#endif
