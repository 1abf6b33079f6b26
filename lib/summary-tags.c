/*
 * The summary's usage by tag: see summary.h (tags, tags_from). One row
 * per tag ("team=a"), local day, provider, model and device, for the
 * days budgets and reports of the current periods ask about, so that a
 * budget limited to a tag is counted without reading the ledger.
 */
#include "summary.h"

#include <string.h>

#include "device.h"
#include "timeutil.h"
#include "banned.h"

static uint32_t id_or_empty(struct intern *t, const char *s)
{
	return intern_id(t, s ? s : "", s ? strlen(s) : 0);
}

/* Whether an earlier tag of e has the same key (the first one counts). */
static int key_seen_before(const struct entry *e, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(e->tags[k].key, e->tags[i].key))
			return 1;
	return 0;
}

static void overflow(struct summary *s)
{
	s->tags_overflow = 1;
	rollup_table_release(&s->tags);
	rollup_table_init(&s->tags);
}

void summary_tags_apply(struct summary *s, const struct entry *e, int sign)
{
	struct strbuf pair = STRBUF_INIT;
	struct rollup_key key;
	struct counters c;

	if (s->tags_overflow || !e->ntags)
		return;
	memset(&key, 0, sizeof(key));
	key.day = local_day(entry_time(e));
	if (key.day < s->tags_from)
		return;
	key.provider = id_or_empty(&s->tags.strings,
			entry_get_str(e, EF_PROVIDER_ID));
	key.model = id_or_empty(&s->tags.strings,
			entry_get_str(e, EF_MODEL_ID));
	key.device = device_is_self_peek(e->device_id) ? 0 :
		id_or_empty(&s->tags.strings, e->device_id);
	counters_of_entry(e, &c);
	for (size_t i = 0; i < e->ntags; i++) {
		struct rollup *r;

		if (key_seen_before(e, i))
			continue;
		strbuf_reset(&pair);
		strbuf_addf(&pair, "%s=%s", e->tags[i].key, e->tags[i].value);
		key.project = id_or_empty(&s->tags.strings, pair.buf);
		r = rollup_get(&s->tags, &key);
		counters_add(&r->c, &c, sign);
	}
	strbuf_release(&pair);
	if (s->tags.nr > SUMMARY_TAG_ROWS)
		overflow(s);
}

/* Adds row r of table from into table to, its strings mapped. */
static void add_mapped(struct rollup_table *to,
		const struct rollup_table *from, const struct rollup *r)
{
	struct rollup_key key = r->key;

	key.provider = id_or_empty(&to->strings,
			intern_str(&from->strings, key.provider));
	key.model = id_or_empty(&to->strings,
			intern_str(&from->strings, key.model));
	key.device = key.device ? id_or_empty(&to->strings,
			intern_str(&from->strings, key.device)) : 0;
	key.project = id_or_empty(&to->strings,
			intern_str(&from->strings, key.project));
	counters_add(&rollup_get(to, &key)->c, &r->c, 1);
}

void summary_tags_advance(struct summary *s, int32_t from)
{
	struct rollup_table kept;

	if (from <= s->tags_from)
		return;
	s->tags_from = from;
	if (s->tags_overflow)
		return;
	rollup_table_init(&kept);
	for (size_t i = 0; i < s->tags.nr; i++)
		if (s->tags.items[i].key.day >= from &&
		    !counters_empty(&s->tags.items[i].c))
			add_mapped(&kept, &s->tags, &s->tags.items[i]);
	rollup_table_release(&s->tags);
	s->tags = kept;
}

void summary_tags_merge(struct summary *dst, const struct summary *src)
{
	summary_tags_advance(dst, src->tags_from);
	dst->tags_overflow |= src->tags_overflow;
	for (size_t i = 0; !dst->tags_overflow && i < src->tags.nr; i++)
		if (src->tags.items[i].key.day >= dst->tags_from)
			add_mapped(&dst->tags, &src->tags, &src->tags.items[i]);
	if (dst->tags_overflow || dst->tags.nr > SUMMARY_TAG_ROWS)
		overflow(dst);
}
