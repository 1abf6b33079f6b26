#include "recorder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/entry-id.h"
#include "../lib/device.h"
#include "../lib/error.h"
#include "../lib/money.h"
#include "../lib/pricing.h"
#include "../lib/session.h"
#include "../lib/timeutil.h"
#include "../providers/provider.h"
#include "../lib/banned.h"

pthread_mutex_t proxy_lib_lock = PTHREAD_MUTEX_INITIALIZER;

/* How long a batch that could not be appended waits before a new try. */
#define RETRY_APPEND_MS 1000

struct recorder {
	struct recorder_settings s;
	struct price_table prices;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	struct capture *queue;       /* newest first */
	int stopping;
	struct strbuf pending;       /* rows not yet appended */
	struct recorder_counts counts;
};

/* Session, id, sync state, estimate: what record adds to a response. */
static int complete(struct recorder *r, struct capture *c, struct entry *e,
		int64_t now, struct strbuf *why)
{
	struct strbuf session = STRBUF_INIT;
	int ret = 0;

	if (c->session) {
		strbuf_addstr(&session, c->session);
	} else if (session_auto(r->s.ledger_path, now, &session, why)) {
		strbuf_release(&session);
		return -1;
	}
	entry_set_str(e, EF_SESSION_RESOURCE, session.buf);
	strbuf_release(&session);
	entry_stamp(e, now);
	entry_set_str(e, EF_SYNC_STATUS, provider_can_sync(e->provider_id) ?
			"pending_sync" : "unsupported_provider");
	entry_assign_id(e);
	entry_fill_total(e);
	if (entry_validate(e, why)) {
		static const char pre[] = "the response does not add up: ";

		strbuf_splice(why, 0, 0, pre, sizeof(pre) - 1);
		ret = -1;
	}
	if (!ret)
		pricing_estimate_entry(&r->prices, e);
	return ret;
}

static void log_exchange(const struct capture *c, const struct entry *e,
		const char *why)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "tally: %s %s %ld %lld ms", c->method, c->path,
			c->status ? c->status : 502L,
			(long long)(c->ended - c->started));
	if (e) {
		strbuf_addf(&line, " %s %s", e->entry_id, e->provider_id);
		if (e->model_id)
			strbuf_addf(&line, "/%s", e->model_id);
		if (entry_has(e, EF_BILLED_INPUT_TOKENS))
			strbuf_addf(&line, " %lld in %lld out",
					(long long)e->billed_input_tokens,
					(long long)e->billed_output_tokens);
		else if (!strcmp(e->status, "completed"))
			strbuf_addstr(&line, " usage unknown");
		if (strcmp(e->status, "completed"))
			strbuf_addf(&line, " %s", e->status);
		if (e->error_code)
			strbuf_addf(&line, " (%s)", e->error_code);
	} else {
		strbuf_addf(&line, " not recorded: %s", why);
	}
	strbuf_addch(&line, '\n');
	fputs(line.buf, stderr);
	strbuf_release(&line);
}

/* Turns one exchange into a row of r->pending (proxy_lib_lock held). */
static void take(struct recorder *r, struct capture *c)
{
	struct strbuf why = STRBUF_INIT;
	struct entry e;
	int found;

	entry_init(&e);
	found = capture_entry(c, &e, &why);
	if (found && complete(r, c, &e, now_ms(), &why))
		found = 0;
	if (found) {
		entry_to_row(&r->pending, &e);
		r->counts.recorded++;
	} else {
		r->counts.not_recorded++;
	}
	if (r->s.log)
		log_exchange(c, found ? &e : NULL, why.buf);
	entry_release(&e);
	strbuf_release(&why);
}

/* Appends r->pending. 0, or -1 when the ledger could not be written. */
static int append(struct recorder *r, int last_try)
{
	struct strbuf err = STRBUF_INIT;
	struct ledger l;
	int ret;

	if (!r->pending.len)
		return 0;
	ledger_init(&l, r->s.ledger_path, r->s.lock_path, r->s.fsync,
			r->s.lock_timeout_ms);
	ret = ledger_lock(&l, &err);
	if (!ret)
		ret = ledger_append_locked(&l, r->pending.buf, r->pending.len,
				&err);
	if (!ret && r->s.after_append)
		r->s.after_append(&l, r->s.data);
	if (ret && last_try) {
		warning("%s; the entries went to usage-ledger.rejected.jsonl "
				"beside the ledger", err.buf);
		strbuf_reset(&err);
		for (const char *p = r->pending.buf; *p; p++)
			r->counts.unwritten += *p == '\n';
		if (ledger_append_beside(&l, "usage-ledger.rejected.jsonl",
				r->pending.buf, r->pending.len, &err))
			warning("%s", err.buf);
	} else if (ret) {
		warning("%s; trying again", err.buf);
	}
	ledger_release(&l);
	strbuf_release(&err);
	if (!ret || last_try)
		strbuf_reset(&r->pending);
	return ret ? -1 : 0;
}

static void wait_until(struct recorder *r, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&r->wake, &r->mu, &ts);
}

static void *run(void *data)
{
	struct recorder *r = data;
	int stopping = 0, failed = 0;

	while (!stopping || r->pending.len) {
		struct capture *batch = NULL, *c;

		pthread_mutex_lock(&r->mu);
		while (!r->queue && !r->stopping && !failed)
			pthread_cond_wait(&r->wake, &r->mu);
		if (failed && !r->stopping)
			wait_until(r, RETRY_APPEND_MS);
		/* Oldest first. */
		while ((c = r->queue)) {
			r->queue = c->next;
			c->next = batch;
			batch = c;
		}
		stopping = r->stopping;
		pthread_mutex_unlock(&r->mu);

		pthread_mutex_lock(&proxy_lib_lock);
		while ((c = batch)) {
			batch = c->next;
			if (r->s.record)
				take(r, c);
			capture_free(c);
		}
		failed = append(r, stopping) < 0;
		pthread_mutex_unlock(&proxy_lib_lock);
	}
	return NULL;
}

int recorder_start(struct recorder **out, const struct recorder_settings *s,
		struct strbuf *err)
{
	struct recorder *r = xcalloc(1, sizeof(*r));
	int ret;

	r->s = *s;
	strbuf_init(&r->pending, 0);
	ret = pricing_load(&r->prices, s->cfg, err);
	if (ret) {
		free(r);
		return ret;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->wake, NULL);
	errno = pthread_create(&r->thread, NULL, run, r);
	if (errno) {
		pricing_release(&r->prices);
		free(r);
		return fail_errno(err, T_EFAIL, "cannot start the recorder");
	}
	*out = r;
	return 0;
}

void recorder_submit(struct recorder *r, struct capture *c)
{
	pthread_mutex_lock(&r->mu);
	c->next = r->queue;
	r->queue = c;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
}

void recorder_stop(struct recorder *r, struct recorder_counts *counts)
{
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	if (counts)
		*counts = r->counts;
	pricing_release(&r->prices);
	strbuf_release(&r->pending);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->wake);
	free(r);
}
