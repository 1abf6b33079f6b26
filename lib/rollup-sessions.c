/* The whole sums of sessions merged away: see rollup.h (totals). */
#include "rollup.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static struct session_total *find(const struct rollup_table *t,
		const char *session)
{
	uint32_t id;

	if (!t->ntotals)
		return NULL;
	id = intern_find(&t->total_names, session);
	return id && id != UINT32_MAX ? &t->totals[id - 1] : NULL;
}

const struct session_total *rollup_session_total(const struct rollup_table *t,
		const char *session)
{
	return find(t, session);
}

void rollup_put_session_total(struct rollup_table *t, const char *session,
		int64_t last, const struct counters *c)
{
	struct session_total *st = find(t, session);

	if (!*session)
		return;
	if (!st) {
		if (!t->total_names.strings)
			intern_init(&t->total_names);
		intern_id(&t->total_names, session, strlen(session));
		ALLOC_GROW(t->totals, t->ntotals + 1, t->atotals);
		st = &t->totals[t->ntotals++];
		memset(st, 0, sizeof(*st));
	}
	counters_add(&st->c, c, 1);
	if (last > st->last)
		st->last = last;
}

void rollup_add_session_total(struct rollup_table *t, const char *session,
		int64_t last, const struct counters *c)
{
	if (!find(t, session) && rollup_maybe_dropped(t, session)) {
		rollup_note_dropped(t, session);
		return;
	}
	rollup_put_session_total(t, session, last, c);
}

void rollup_forget_totals(struct rollup_table *t)
{
	free(t->totals);
	t->totals = NULL;
	t->ntotals = t->atotals = 0;
	intern_release(&t->total_names);
}

struct by_age {
	size_t i;
	int64_t last;
};

static int newest_first(const void *a, const void *b)
{
	const struct by_age *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void rollup_trim_totals(struct rollup_table *t)
{
	struct session_total *old = t->totals;
	struct intern old_names = t->total_names;
	size_t n = t->ntotals;
	struct by_age *order;

	if (n <= ROLLUP_SESSION_TOTALS)
		return;
	order = xcalloc(n, sizeof(*order));
	for (size_t i = 0; i < n; i++) {
		order[i].i = i;
		order[i].last = old[i].last;
	}
	qsort(order, n, sizeof(*order), newest_first);
	t->totals = NULL;
	t->ntotals = t->atotals = 0;
	memset(&t->total_names, 0, sizeof(t->total_names));
	for (size_t k = 0; k < n; k++) {
		const char *name = intern_str(&old_names,
				(uint32_t)order[k].i + 1);

		if (k < ROLLUP_SESSION_TOTALS)
			rollup_put_session_total(t, name, old[order[k].i].last,
					&old[order[k].i].c);
		else
			rollup_note_dropped(t, name);
	}
	free(order);
	free(old);
	intern_release(&old_names);
}
