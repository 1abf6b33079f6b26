#ifndef TALLY_RECORDER_H
#define TALLY_RECORDER_H

#include <pthread.h>
#include <stdint.h>

#include "../lib/config.h"
#include "../lib/ledger.h"
#include "../lib/strbuf.h"
#include "capture.h"

/*
 * The recording proxy's writer: one thread that turns finished exchanges
 * into entries and appends them in batches, so that the ledger lock is
 * taken only around the append, never across network I/O, and many
 * exchanges finishing together cost one lock.
 *
 * The rest of tally is single-threaded; every call into it from the
 * proxy's threads (building entries, rendering /metrics) holds
 * proxy_lib_lock.
 */

extern pthread_mutex_t proxy_lib_lock;

struct recorder_settings {
	const char *ledger_path, *lock_path;
	int fsync;
	int64_t lock_timeout_ms;
	const struct config *cfg;    /* for prices */
	int record;                  /* 0: enabled is false, record nothing */
	int log;                     /* one line per exchange on stderr */
	/* Called with the lock held after rows went in (compaction). */
	void (*after_append)(struct ledger *l, void *data);
	void *data;
};

struct recorder_counts {
	uint64_t recorded, not_recorded, unwritten;
};

struct recorder;

/* Loads the prices and starts the thread. 0, or an error code. */
int recorder_start(struct recorder **out, const struct recorder_settings *s,
		struct strbuf *err);

/* Hands over an exchange (the recorder frees it). */
void recorder_submit(struct recorder *r, struct capture *c);

/*
 * Records what is queued, stops the thread and frees the recorder.
 * Rows that could not be appended (the ledger locked for longer than
 * lock_timeout_ms at every try) go to usage-ledger.rejected.jsonl beside
 * it and are counted as unwritten.
 */
void recorder_stop(struct recorder *r, struct recorder_counts *counts);

#endif
