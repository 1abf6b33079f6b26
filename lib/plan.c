#include "plan.h"

#include <string.h>

#include "device.h"
#include "entry-id.h"
#include "entry.h"
#include "banned.h"

const char *const plan_windows[PLAN_WINDOWS] = { "five_hour", "seven_day" };
const char *const plan_window_short[PLAN_WINDOWS] = { "5h", "7d" };

const char *plan_window_of_minutes(int64_t minutes)
{
	/* Codex said 299 and 10079 before it said 300 and 10080. */
	if (minutes == 5 * 60 || minutes == 5 * 60 - 1)
		return plan_windows[0];
	if (minutes == 7 * 24 * 60 || minutes == 7 * 24 * 60 - 1)
		return plan_windows[1];
	return NULL;
}

int plan_sample_due(const struct plan_sample *ps, int64_t now, int has_last,
		int64_t last_at, int64_t last_used, int64_t last_resets_at)
{
	int64_t age = now - last_at;

	if (!has_last || age < 0)    /* none, or a clock moved */
		return 1;
	if (age < PLAN_SAMPLE_MS)
		return 0;
	return age >= PLAN_SAME_MS || last_used != ps->used ||
		last_resets_at != ps->resets_at;
}

void plan_sample_row(struct strbuf *rows, const struct plan_sample *ps,
		int64_t now, const char *what, const char *source,
		int64_t recorded_at)
{
	struct strbuf id = STRBUF_INIT, at = STRBUF_INIT;
	const char *parts[4] = { what, ps->window, NULL, NULL };
	struct entry e;

	strbuf_addf(&at, "%lld", (long long)now);
	parts[2] = at.buf;
	id_derived(&id, "q_", parts);
	entry_init(&e);
	entry_set_str(&e, EF_ENTRY_ID, id.buf);
	entry_set_str(&e, EF_PROVIDER_ID, ps->provider);
	entry_set_str(&e, EF_KIND, KIND_QUOTA);
	entry_set_str(&e, EF_SOURCE, source);
	entry_set_int(&e, EF_STARTED_AT, now);
	entry_stamp(&e, recorded_at);
	e.quota.provider_id = ps->provider;
	e.quota.window = ps->window;
	e.quota.v[QF_USED_PERCENT] = ps->used;
	e.quota.v[QF_RESET_DATE] = ps->resets_at;
	e.quota.v[QF_CAPTURED_AT] = now;
	e.quota.has = 1u << QF_PROVIDER_ID | 1u << QF_WINDOW |
		1u << QF_USED_PERCENT | 1u << QF_RESET_DATE |
		1u << QF_CAPTURED_AT;
	e.has |= 1ULL << EF_QUOTA_SNAPSHOT;
	entry_to_row(rows, &e);
	entry_release(&e);
	strbuf_release(&id);
	strbuf_release(&at);
}
