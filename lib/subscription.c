#include "subscription.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

static const char *item(const struct config *c, struct strbuf *key,
		size_t i, const char *field)
{
	return config_list_get(c, key, "subscriptions", i, field);
}

static int has_any(const struct config *c, struct strbuf *key, size_t i)
{
	static const char *const fields[] = { "name", "monthly_usd",
		"provider", "agents.0", "since", NULL };

	return config_list_has(c, key, "subscriptions", i, fields);
}

static int load_agents(const struct config *c, size_t i,
		const char *(*agent_source)(const char *name),
		struct subscription *s, struct strbuf *key, struct strbuf *err)
{
	struct strbuf field = STRBUF_INIT;
	const char *name, *source;
	int ret = 0;

	for (size_t a = 0;; a++) {
		strbuf_reset(&field);
		strbuf_addf(&field, "agents.%zu", a);
		if (!(name = item(c, key, i, field.buf)))
			break;
		if (!(source = agent_source(name))) {
			ret = fail(err, T_ECONFIG, "subscription '%s': unknown "
					"agent '%s' (tally import --list names "
					"them)", s->name, name);
			break;
		}
		string_list_append(&s->agents, name);
		string_list_append(&s->sources, source);
	}
	strbuf_release(&field);
	return ret;
}

static int load_one(const struct config *c, size_t i,
		const char *(*agent_source)(const char *name),
		struct subscription *s, struct strbuf *key, struct strbuf *err)
{
	struct strbuf month = STRBUF_INIT;
	const char *v;
	int32_t day;

	memset(s, 0, sizeof(*s));
	if (!(s->name = item(c, key, i, "name")))
		return fail(err, T_ECONFIG, "subscriptions.%zu has no name", i);
	v = item(c, key, i, "monthly_usd");
	if (!v || money_parse(v, strlen(v), &s->monthly_usd) ||
	    s->monthly_usd <= 0)
		return fail(err, T_ECONFIG, "subscription '%s' needs "
				"monthly_usd, the plan's price a month (such "
				"as 20)", s->name);
	v = item(c, key, i, "since");
	if (v && time_parse_day(v, &day))
		return fail(err, T_ECONFIG, "subscription '%s': since wants "
				"the day the plan was taken, as 2026-03-14, "
				"not '%s'", s->name, v);
	if (v) {
		month_key(&month, day);
		memcpy(s->since_month, month.buf, sizeof(s->since_month) - 1);
	}
	strbuf_release(&month);
	s->provider = item(c, key, i, "provider");
	if (load_agents(c, i, agent_source, s, key, err))
		return T_ECONFIG;
	if (!s->provider && !s->sources.nr)
		return fail(err, T_ECONFIG, "subscription '%s' covers "
				"nothing: set its provider, its agents or "
				"both", s->name);
	return 0;
}

int subscriptions_load(const struct config *c,
		const char *(*agent_source)(const char *name),
		struct subscription **out, size_t *n, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct subscription *list = NULL;
	size_t nr = 0, alloc = 0;
	int ret = 0;

	for (size_t i = 0; has_any(c, &key, i); i++) {
		ALLOC_GROW(list, nr + 1, alloc);
		ret = load_one(c, i, agent_source, &list[nr], &key, err);
		nr++;
		for (size_t j = 0; !ret && j + 1 < nr; j++)
			if (!strcmp(list[j].name, list[nr - 1].name))
				ret = fail(err, T_ECONFIG, "two subscriptions "
						"are named '%s'", list[j].name);
		if (ret)
			break;
	}
	strbuf_release(&key);
	if (ret) {
		subscriptions_release(list, nr);
		return ret;
	}
	*out = list;
	*n = nr;
	return 0;
}

void subscriptions_release(struct subscription *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		string_list_release(&s[i].agents);
		string_list_release(&s[i].sources);
	}
	free(s);
}

int subscription_covers(const struct subscription *s, const char *provider,
		const char *source)
{
	if (s->provider && (!provider || strcmp(s->provider, provider)))
		return 0;
	if (!s->sources.nr)
		return 1;
	for (size_t i = 0; i < s->sources.nr; i++)
		if (source && !strcmp(s->sources.items[i], source))
			return 1;
	return 0;
}

void subscription_report_spec(struct report_spec *spec)
{
	spec->ndims = 3;
	spec->dims[0] = DIM_MONTH;
	spec->dims[1] = DIM_PROVIDER;
	spec->dims[2] = DIM_SOURCE;
	spec->tag_keys[0] = spec->tag_keys[1] = spec->tag_keys[2] = NULL;
}

static int by_month(const void *a, const void *b)
{
	return strcmp(((const struct subscription_month *)a)->month,
			((const struct subscription_month *)b)->month);
}

struct month_list {
	struct subscription_month *items;
	size_t nr, alloc;
};

/* The month named key ("2026-11"), added when new; NULL if not one. */
static struct subscription_month *month_of(struct month_list *l,
		const char *key)
{
	struct subscription_month *m;

	if (strlen(key) != sizeof(m->month) - 1)
		return NULL;
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i].month, key))
			return &l->items[i];
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	m = &l->items[l->nr++];
	memset(m, 0, sizeof(*m));
	memcpy(m->month, key, sizeof(m->month));
	return m;
}

size_t subscription_months(const struct subscription *s,
		const struct report *r, int32_t from, int32_t to,
		struct subscription_month **out)
{
	struct month_list l = { NULL, 0, 0 };
	struct strbuf key = STRBUF_INIT;
	struct subscription_month *m;
	int32_t first, next;

	for (int32_t day = from; from != INT32_MIN && day < to; day = next) {
		calendar_bounds(CAL_MONTH, day, &first, &next);
		strbuf_reset(&key);
		month_key(&key, day);
		month_of(&l, key.buf);
	}
	strbuf_release(&key);
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct report_group *g = &r->groups[i];

		if (!(m = month_of(&l, g->key[0])))
			continue;   /* not a month: never from such a report */
		if (subscription_covers(s, g->key[1], g->key[2]))
			counters_add(&m->c, &g->c, 1);
	}
	if (l.nr)
		qsort(l.items, l.nr, sizeof(*l.items), by_month);
	for (first = 0; first < (int32_t)l.nr; first++)
		if (strcmp(l.items[first].month, s->since_month) >= 0)
			break;
	l.nr -= (size_t)first;
	memmove(l.items, l.items + first, l.nr * sizeof(*l.items));
	*out = l.items;
	return l.nr;
}

void subscription_value_text(struct strbuf *sb, const struct subscription *s,
		const struct subscription_month *m, enum cost_mode mode)
{
	double ratio = subscription_value_ratio(s, m, mode);
	const char *floor;
	int64_t unpriced;

	counters_cost(&m->c, mode, &unpriced);
	floor = unpriced ? "at least " : "";
	if (ratio < 0 && !unpriced)
		strbuf_addstr(sb, "0.00x");
	else if (ratio < 0)
		strbuf_addstr(sb, "unpriced");
	else if (ratio > 0 && ratio < 0.005)
		strbuf_addf(sb, "%s<0.01x", floor);
	else
		strbuf_addf(sb, "%s%.2fx", floor, ratio);
}

double subscription_value_ratio(const struct subscription *s,
		const struct subscription_month *m, enum cost_mode mode)
{
	int64_t cost = counters_priced_cost(&m->c, mode);

	return cost < 0 ? -1 : (double)cost / (double)s->monthly_usd;
}
