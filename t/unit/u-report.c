/* Unit tests for rollups, reports and the summary cache file. */
#include "tap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/blocks.h"
#include "lib/budget.h"
#include "lib/entries.h"
#include "lib/report.h"
#include "lib/summary-io.h"
#include "lib/timeutil.h"

static void key_is(void (*fn)(struct strbuf *, int32_t), const char *date,
		const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t t;

	time_parse_iso(date, strlen(date), &t);
	fn(&sb, local_day(t));
	is_str(sb.buf, want, "key of %s", date);
	strbuf_release(&sb);
}

static void add_entry(struct rollup_table *t, const char *provider,
		const char *model, int64_t when, int64_t in, int64_t cost)
{
	struct entry e;

	entry_init(&e);
	entry_set_str(&e, EF_ENTRY_ID, "x");
	entry_set_str(&e, EF_PROVIDER_ID, provider);
	entry_set_str(&e, EF_MODEL_ID, model);
	entry_set_int(&e, EF_STARTED_AT, when);
	entry_set_int(&e, EF_BILLED_INPUT_TOKENS, in);
	if (cost >= 0)
		entry_set_int(&e, EF_BILLED_COST_USD, cost);
	rollup_apply(t, &e, 1);
	entry_release(&e);
}

/* Sums stay exact or are marked, never wrapped. */
static void test_counters_overflow(void)
{
	struct counters sum = { { 0 } }, row = { { 0 } }, big = { { 0 } };

	row.v[RC_INPUT] = 1000000000000000LL;   /* the most a row may hold */
	row.v[RC_REQUESTS] = 1;
	for (int i = 0; i < 2305; i++)
		counters_add(&sum, &row, 1);
	is_int(sum.v[RC_INPUT], 2305000000000000000LL,
			"2305 rows of 1e15 tokens add up exactly");
	ok(!counters_overflowed(&sum), "and are in range");
	counters_add(&sum, &row, 1);
	ok(counters_overflowed(&sum), "one more leaves the range");
	is_int(sum.v[RC_INPUT], COUNTER_OVERFLOW, "the sum is marked");
	is_int(sum.v[RC_REQUESTS], 2306, "other counters stay exact");
	counters_add(&sum, &row, -1);
	is_int(sum.v[RC_INPUT], COUNTER_OVERFLOW,
			"taking a row away does not unmark it");
	big.v[RC_OUTPUT] = INT64_MAX;
	memset(&sum, 0, sizeof(sum));
	counters_add(&sum, &big, 1);
	is_int(sum.v[RC_OUTPUT], COUNTER_OVERFLOW,
			"a term out of range marks the sum");
	big.v[RC_OUTPUT] = INT64_MIN + 1;
	memset(&sum, 0, sizeof(sum));
	counters_add(&sum, &big, -1);
	is_int(sum.v[RC_OUTPUT], COUNTER_OVERFLOW,
			"so does subtracting one");
	memset(&sum, 0, sizeof(sum));
	row.v[RC_INPUT] = COUNTER_MAX;
	counters_add(&sum, &row, -1);
	is_int(sum.v[RC_INPUT], -COUNTER_MAX, "the range is symmetric");
	ok(!counters_overflowed(&sum), "and its ends are in it");
}

static void write_ledger(const char *path, const char *const *rows)
{
	FILE *f = fopen(path, "w");

	for (; *rows; rows++)
		fprintf(f, "{\"v\":1,\"entryId\":\"%c\",\"providerId\":\"p\","
				"\"modelId\":\"m\",\"startedAt\":%s}\n",
				(*rows)[0], *rows + 1);
	fclose(f);
}

static int note_id(struct entry *e, const char *row, size_t len, void *data)
{
	(void)row;
	(void)len;
	strbuf_addstr(data, e->entry_id);
	return 0;
}

/* Several ledgers read as one: merged by time, or one after the other. */
static void test_several_ledgers(void)
{
	static const char *const one[] = { "a1000", "c3000", "a5000", NULL };
	static const char *const two[] = { "b2000", "d4000", NULL };
	char dir[] = "/tmp/u-report.XXXXXX";
	struct strbuf p1 = STRBUF_INIT, p2 = STRBUF_INIT, ids = STRBUF_INIT;
	const char *paths[3];
	struct entries_opts o = { .order = ENTRIES_OLDEST_FIRST, .quiet = 1 };
	struct strbuf err = STRBUF_INIT;

	if (!mkdtemp(dir)) {
		ok(0, "a temporary directory");
		return;
	}
	strbuf_addf(&p1, "%s/one.jsonl", dir);
	strbuf_addf(&p2, "%s/two.jsonl", dir);
	write_ledger(p1.buf, one);
	write_ledger(p2.buf, two);
	paths[0] = p1.buf;
	paths[1] = p2.buf;
	paths[2] = "/nonexistent/ledger.jsonl";
	ok(!for_each_entry_in(paths, 3, &o, note_id, &ids, &err),
			"three ledgers, one missing, are read");
	is_str(ids.buf, "bcda", "oldest first across ledgers (a is at 5000)");
	strbuf_reset(&ids);
	o.order = ENTRIES_NEWEST_FIRST;
	for_each_entry_in(paths, 3, &o, note_id, &ids, &err);
	is_str(ids.buf, "adcb", "newest first across ledgers");
	strbuf_reset(&ids);
	o.order = ENTRIES_AS_FOLDED;
	for_each_entry_in(paths, 2, &o, note_id, &ids, &err);
	is_str(ids.buf, "acbd", "as folded: one ledger after the other");
	unlink(p1.buf);
	unlink(p2.buf);
	rmdir(dir);
	strbuf_release(&p1);
	strbuf_release(&p2);
	strbuf_release(&ids);
	strbuf_release(&err);
}

#define H (60 * 60 * 1000LL)

/* A ledger of requests at these times, a token each, in this order. */
static void write_times(const char *path, const int64_t *t, size_t n)
{
	FILE *f = fopen(path, "w");

	for (size_t i = 0; i < n; i++)
		fprintf(f, "{\"v\":1,\"entryId\":\"e%zu\",\"providerId\":"
				"\"p\",\"modelId\":\"m\",\"startedAt\":%" PRId64
				",\"billedInputTokens\":1,"
				"\"billedOutputTokens\":0}\n", i, t[i]);
	fclose(f);
}

/* "<block> <requests>;" for every group, as made. */
static void block_groups(const char *path, int64_t since, struct strbuf *out,
		int made_first)
{
	struct report_spec spec = REPORT_SPEC_INIT;
	struct strbuf err = STRBUF_INIT;
	struct blocks b = { 0 };
	struct report r;

	spec.ndims = 1;
	spec.dims[0] = DIM_BLOCK;
	spec.filter.since = since;
	if (made_first) {
		report_blocks(&path, 1, &spec, &b, &err);
		spec.blocks = &b;
	}
	report_init(&r);
	if (report_from_ledgers(&path, 1, &spec, &r, &err))
		strbuf_addf(out, "error: %s", err.buf);
	report_sort(&r, &spec);
	for (size_t i = 0; i < r.ngroups; i++)
		strbuf_addf(out, "%s %" PRId64 ";", r.groups[i].key[0],
				r.groups[i].c.v[RC_REQUESTS]);
	report_release(&r);
	blocks_release(&b);
	strbuf_release(&err);
}

/*
 * A report by block made in one walk (by bucket) is the report made
 * from blocks made first: on the hour edges and on random sequences.
 */
static void test_blocks_in_one_walk(void)
{
	static const int64_t steps[] = { 0, 1, 7 * 60000, 59 * 60000, H,
		2 * H, 4 * H + 59 * 60000, 5 * H, 5 * H + 1, 6 * H, 30 * H };
	const int64_t base = 1795514400000LL;  /* 2026-11-24T10:00:00Z */
	int64_t edge[] = { base, base + 5 * H, base + 5 * H + 30 * 60000 };
	char dir[] = "/tmp/u-report.XXXXXX";
	struct strbuf path = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t t[200];
	int same = 1;

	if (!mkdtemp(dir)) {
		ok(0, "a temporary directory");
		return;
	}
	strbuf_addf(&path, "%s/l.jsonl", dir);
	write_times(path.buf, edge, 3);
	block_groups(path.buf, -1, &a, 0);
	is_str(a.buf, "2026-11-24T10:00:00Z 2;2026-11-24T15:00:00Z 1;",
			"a request exactly five hours on stays; the rest of "
			"its hour starts the next block");
	srand(7);
	for (int round = 0; round < 300; round++) {
		int64_t at = base, n = 20 + rand() % 180;

		for (int64_t i = 0; i < n; i++) {
			at += steps[rand() % 11];
			t[i] = rand() % 3 ? at : at / H * H;
		}
		/* Out of order now and then, as ledgers are. */
		for (int64_t i = 1; i < n; i += 7) {
			int64_t x = t[i];

			t[i] = t[i - 1];
			t[i - 1] = x;
		}
		write_times(path.buf, t, (size_t)n);
		strbuf_reset(&a);
		strbuf_reset(&b);
		block_groups(path.buf, t[n / 2], &a, 0);
		block_groups(path.buf, t[n / 2], &b, 1);
		if (strcmp(a.buf, b.buf)) {
			printf("# round %d:\n#  one walk: %s\n#  two: %s\n",
					round, a.buf, b.buf);
			same = 0;
			break;
		}
	}
	ok(same, "300 random ledgers: by bucket as by blocks made first");
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* One filter: the rollups' keys and whole entries are judged alike. */
static void test_one_filter(void)
{
	struct query q = QUERY_INIT_ALL_KINDS;
	struct entry e;

	entry_init(&e);
	entry_set_str(&e, EF_ENTRY_ID, "x");
	entry_set_str(&e, EF_PROVIDER_ID, "openai");
	entry_set_str(&e, EF_MODEL_ID, "gpt-4o-mini");
	entry_set_int(&e, EF_STARTED_AT, 1795514400000LL);
	q.provider = "openai";
	q.model = "gpt-4o*";
	ok(query_match_names(&q, "openai", "gpt-4o-mini", NULL) &&
	   query_match(&q, &e), "provider and model glob match both ways");
	q.model = "claude*";
	ok(!query_match_names(&q, "openai", "gpt-4o-mini", NULL) &&
	   !query_match(&q, &e), "a model outside the glob matches neither");
	q.model = NULL;
	q.session = "s1";
	ok(!query_match_names(&q, "openai", "gpt", NULL) && !query_match(&q, &e),
			"no session is not the session asked for");
	q.session = NULL;
	ok(!query_needs_entries(&q), "provider and model: rollups answer");
	string_list_append(&q.tags, "team=a");
	ok(query_needs_entries(&q), "a tag needs whole entries");
	ok(!query_match(&q, &e), "an entry without the tag is left out");
	query_release(&q);
	q.grep = "mini";
	ok(query_needs_entries(&q) && query_match(&q, &e),
			"--grep needs whole entries and finds the model");
	entry_release(&e);
}

int main(void)
{
	struct summary s, back;
	struct strbuf json = STRBUF_INIT, again = STRBUF_INIT;
	struct summary_budget b = { 1000, 5000000000LL, 80 };
	struct counters c = { { 0 } };
	int64_t unpriced;

	setenv("TZ", "UTC0", 1);
	timeutil_set_zone("UTC");
	test_counters_overflow();
	test_one_filter();
	test_several_ledgers();
	test_blocks_in_one_walk();
	key_is(day_key, "2026-11-24T10:00:00Z", "2026-11-24");
	key_is(week_key, "2026-11-24T10:00:00Z", "2026-W48");
	key_is(week_key, "2026-11-23T00:00:00Z", "2026-W48");
	key_is(week_key, "2026-11-22T23:59:59Z", "2026-W47");
	key_is(week_key, "2027-01-01T00:00:00Z", "2026-W53");
	key_is(week_key, "2026-01-01T00:00:00Z", "2026-W01");
	key_is(week_key, "2024-12-30T00:00:00Z", "2025-W01");
	key_is(month_key, "2026-12-31T23:59:59Z", "2026-12");
	is_int(week_start(0), -3, "the week of 1970-01-01 began on Monday the 29th");

	c.v[RC_BILLED] = 10;
	c.v[RC_ESTIMATED] = 7;
	c.v[RC_EST_UNBILLED] = 4;
	c.v[RC_N_BILLED] = 2;
	c.v[RC_N_ESTIMATED] = 2;
	c.v[RC_N_UNPRICED] = 1;
	c.v[RC_N_USAGE] = 4;
	is_int(counters_cost(&c, COST_MODE_AUTO, &unpriced), 14, "auto cost");
	is_int(unpriced, 1, "auto unpriced");
	is_int(counters_cost(&c, COST_MODE_PROVIDER, &unpriced), 10,
			"provider cost");
	is_int(unpriced, 2, "provider unpriced");
	is_int(counters_cost(&c, COST_MODE_ESTIMATE, &unpriced), 7,
			"estimate cost");
	is_int(unpriced, 2, "estimate unpriced");

	/* Adding and taking back an entry leaves nothing. */
	summary_init(&s);
	add_entry(&s.rollups, "openai", "gpt", 1795514400000LL, 100, 5);
	add_entry(&s.rollups, "openai", "gpt", 1795514400000LL, 50, -1);
	add_entry(&s.rollups, "anthropic", "claude", 1795400000000LL, 7, 2);
	is_int(s.rollups.nr, 2, "two rollups");
	{
		struct report_spec spec = REPORT_SPEC_INIT;
		struct report r;

		report_init(&r);
		report_add_dim(&spec, "provider");
		report_from_rollups(&s, &spec, &r);
		report_sort(&r, &spec);
		is_int(r.total.v[RC_INPUT], 157, "report total");
		is_int(r.ngroups, 2, "two groups");
		is_str(r.groups[0].key[0], "openai", "largest group first");
		is_int(r.groups[0].c.v[RC_N_UNPRICED], 1, "one unpriced entry");
		report_release(&r);
		ok(report_add_dim(&spec, "colour") == -1, "unknown dimension");
	}

	/* Usage by tag: the first of a key counts; older days are not kept. */
	{
		struct entry e;

		entry_init(&e);
		entry_set_str(&e, EF_ENTRY_ID, "t1");
		entry_set_str(&e, EF_PROVIDER_ID, "openai");
		entry_set_str(&e, EF_MODEL_ID, "gpt");
		entry_set_int(&e, EF_STARTED_AT, 1795514400000LL);
		entry_set_int(&e, EF_BILLED_INPUT_TOKENS, 40);
		entry_set_tag(&e, "team", "a");
		entry_set_tag(&e, "project", "x");
		s.tags_from = local_day(1795514400000LL) - 1;
		summary_tags_apply(&s, &e, 1);
		entry_set_int(&e, EF_STARTED_AT,
				1795514400000LL - 3 * 86400000LL);
		summary_tags_apply(&s, &e, 1);
		entry_release(&e);
		is_int(s.tags.nr, 2, "a row per tag, none for a day not kept");
	}

	/* The cache file round-trips exactly. */
	s.dev = 1;
	s.ino = 2;
	s.offset = 300;
	s.lines = 3;
	s.generation = 9;
	s.updated_at = 1795514400000LL;
	s.timezone = xstrdup("UTC");
	summary_write_json(&s, &b, &json);
	summary_init(&back);
	ok(!summary_read_json(&back, json.buf, json.len), "the cache reads back");
	is_int(back.offset, 300, "offset");
	is_int(back.generation, 9, "generation");
	is_int(back.rollups.nr, 2, "rollups");
	is_int(back.tags.nr, 2, "rows by tag");
	is_int(back.tags_from, s.tags_from, "and the first day they cover");
	is_int(back.budget.usd, 5000000000LL, "budget config");
	summary_write_json(&back, &b, &again);
	is_str(again.buf, json.buf, "and writes out identically");
	summary_release(&back);
	summary_init(&back);
	ok(summary_read_json(&back, "{\"version\":99}", 14) == -1,
			"a cache of another version is invalid");
	summary_release(&back);
	summary_init(&back);
	ok(summary_read_json(&back, "{\"version\":1,\"strings\":[\"x\"]}", 29)
			== -1, "strings must start with the empty string");
	summary_release(&back);
	summary_init(&back);
	ok(summary_read_json(&back, "{\"version\":1,\"strings\":[\"\"],"
			"\"rollups\":[[1,5,0,0,0]]}", 51) == -1,
			"a rollup naming an unknown string is invalid");
	summary_release(&back);
	summary_release(&s);
	strbuf_release(&json);
	strbuf_release(&again);
	ok(budget_judge(0, 0, 80) == BUDGET_UNDER, "no limit is under");
	ok(budget_judge(79, 100, 80) == BUDGET_UNDER &&
	   budget_judge(80, 100, 80) == BUDGET_WARNING &&
	   budget_judge(99, 100, 80) == BUDGET_WARNING &&
	   budget_judge(100, 100, 80) == BUDGET_EXCEEDED,
			"under, warning from 80%%, exceeded at the limit");
	ok(budget_judge(3000000000000000000LL, 6000000000000000000LL, 50) ==
			BUDGET_WARNING,
			"huge counts do not overflow");
	return tap_done();
}
