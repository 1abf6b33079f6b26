/* Unit tests for five-hour blocks (lib/blocks.c, lib/hours.c). */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "lib/blocks.h"
#include "lib/hours.h"
#include "lib/timeutil.h"

#define H (60 * 60 * 1000LL)
#define M (60 * 1000LL)
/* 2026-11-24T00:00:00Z */
#define DAY0 1795478400000LL

static void test_rules(void)
{
	int64_t t[] = {
		DAY0 + 11 * H,            /* 11:00, out of order */
		DAY0 + 10 * H + 30 * M,   /* 10:30: a block from 10:00 */
		DAY0 + 14 * H + 59 * M,   /* 14:59: 4h59 after 10:00 */
		DAY0 + 15 * H + 1 * M,    /* 15:01: 5h01 after: 15:00 */
		DAY0 + 22 * H + 10 * M,   /* 22:10: a gap, then 22:00 */
		DAY0 + 26 * H + 55 * M,   /* 02:55 next day: same block */
	};
	struct blocks b;

	blocks_from_times(&b, t, 6);
	is_int(b.n, 3, "three blocks");
	is_int(b.start[0], DAY0 + 10 * H, "the first starts at 10:00, "
			"the hour of its first request");
	is_int(b.last[0], DAY0 + 14 * H + 59 * M, "and ends with 14:59");
	is_int(b.start[1], DAY0 + 15 * H, "more than 5 h after the start "
			"begins a block");
	is_int(b.start[2], DAY0 + 22 * H, "so does more than 5 h of quiet");
	is_int(blocks_find(&b, DAY0 + 26 * H + 55 * M), 2,
			"a block runs across midnight");
	is_int(blocks_find(&b, DAY0 + 11 * H), 0, "11:00 is in the first");
	is_int(blocks_find(&b, DAY0 + 15 * H + 1 * M), 1,
			"15:01 in the second");
	is_int(blocks_find(&b, DAY0 + 18 * H), -1,
			"a time no request had is in none");
	is_int(blocks_active(&b, DAY0 + 26 * H + 56 * M), 2,
			"the last block is under way a minute later");
	is_int(blocks_active(&b, DAY0 + 27 * H + 1), -1,
			"and over at its end (22:00 + 5 h)");
	is_int(blocks_active(&b, DAY0 + 26 * H), -1,
			"a clock behind the last request is in no block");
	blocks_release(&b);
}

static void test_edges(void)
{
	int64_t exact[] = { DAY0 + 10 * H, DAY0 + 15 * H };
	int64_t quiet[] = { DAY0 + 10 * H, DAY0 + 12 * H, DAY0 + 17 * H };
	int64_t none[1];
	struct blocks b;

	blocks_from_times(&b, exact, 2);
	is_int(b.n, 1, "exactly 5 h after the start is still the block");
	blocks_release(&b);
	blocks_from_times(&b, quiet, 3);
	is_int(b.n, 2, "12:00 then 17:00: 5 h after 10:00 is 15:00, so "
			"17:00 begins one");
	is_int(b.start[1], DAY0 + 17 * H, "at 17:00");
	blocks_release(&b);
	blocks_from_times(&b, none, 0);
	is_int(b.n, 0, "no requests, no blocks");
	is_int(blocks_active(&b, DAY0), -1, "and none active");
	blocks_release(&b);
}

/* Times on the hour, on minutes and in between, with pauses. */
static int64_t random_time(int64_t *at, int busy)
{
	static const int64_t steps[] = { 0, 1, 7 * M, 59 * M, H, 2 * H,
		4 * H + 59 * M, 5 * H, 5 * H + 1, 6 * H, 30 * H };
	/* Busy: never five hours of quiet. */
	int64_t t = *at + steps[rand() % (busy ? 6 : 11)];

	if (rand() % 3 == 0)
		t = t / H * H;    /* exactly on an hour */
	*at = t > *at ? t : *at;
	return t;
}

static void add_entry(struct hour_table *t, int64_t at, int64_t tokens)
{
	struct entry e;

	entry_init(&e);
	entry_set_int(&e, EF_STARTED_AT, at);
	entry_set_int(&e, EF_BILLED_INPUT_TOKENS, tokens);
	entry_set_int(&e, EF_BILLED_OUTPUT_TOKENS, 0);
	hours_apply(t, &e, 1);
	hours_note_new(t, &e);   /* as the summary folds a new entry */
	entry_release(&e);
}

/*
 * The hours tell the block under way as the requests themselves do:
 * random sequences, checked at times after each request.
 */
static void test_hours_agree(void)
{
	int bad = 0, checked = 0, unknown = 0;

	srand(7);
	for (int round = 0; round < 400; round++) {
		int64_t times[80], copy[80], tokens[80], at = DAY0;
		int busy = round % 4 == 1, n = busy ? 80 : 1 + rand() % 40;
		struct hour_table t;
		struct blocks b;

		hours_init(&t);
		for (int i = 0; i < n; i++) {
			times[i] = random_time(&at, busy);
			tokens[i] = 1 + rand() % 1000;
			add_entry(&t, times[i], tokens[i]);
			/* The cache is saved as requests come, or seldom. */
			if (round % 8 == 5 && i % 7 == 6)
				hours_prune(&t, at);
		}
		if (round % 2)  /* keep only the last 48 hours */
			hours_prune(&t, at);
		memcpy(copy, times, sizeof(times));
		blocks_from_times(&b, copy, (size_t)n);
		for (int k = 0; k < 6; k++) {
			int64_t now = at + k * 61 * M + (k == 5) * 3 * H;
			long want = blocks_active(&b, now);
			struct hour_block hb;
			int got = hours_active_block(&t, now, &hb);
			int64_t sum = 0;

			if (got < 0) {
				unknown++;
				/* All kept, or anchored as it went. */
				bad += round % 2 == 0 || round % 8 == 5;
				continue;
			}
			checked++;
			if ((want >= 0) != got) {
				bad++;
				continue;
			}
			if (want < 0)
				continue;
			for (int i = 0; i < n; i++)
				if (blocks_find(&b, times[i]) == want)
					sum += tokens[i];
			bad += hb.start != b.start[want] ||
				hb.last != b.last[want] ||
				counters_tokens(&hb.c) != sum;
		}
		blocks_release(&b);
		hours_release(&t);
	}
	is_int(bad, 0, "the hours find the block under way, its start, "
			"last request and tokens, as the requests do");
	ok(checked > 1000, "with many cases checked (%d)", checked);
	ok(unknown < checked / 10, "pruned hours rarely cannot tell (%d)",
			unknown);
}

/* The largest of the blocks over at now, as the requests make them. */
static int64_t largest_past(const struct blocks *b, const int64_t *times,
		const int64_t *tokens, int n, int64_t now)
{
	long active = blocks_active(b, now);
	int64_t largest = 0;

	for (size_t k = 0; k < b->n; k++) {
		int64_t sum = 0;

		if ((long)k == active || b->start[k] > now)
			continue;
		for (int i = 0; i < n; i++)
			if (blocks_find(b, times[i]) == (long)k)
				sum += tokens[i];
		if (sum > largest)
			largest = sum;
	}
	return largest;
}

/*
 * The largest past block ("max" block limits) from the hours, kept or
 * measured as they were dropped, against the requests: never more, and
 * the same while the hours were kept or pruned as the requests came.
 */
static void test_hours_largest(void)
{
	int over = 0, differ = 0, checked = 0;

	srand(11);
	for (int round = 0; round < 400; round++) {
		int64_t times[80], copy[80], tokens[80], at = DAY0;
		int n = 1 + rand() % 80, pruned = round % 2;
		struct counters by_tokens, by_cost;
		struct hour_table t;
		struct blocks b;
		int64_t want, got;

		hours_init(&t);
		for (int i = 0; i < n; i++) {
			times[i] = random_time(&at, 0);
			tokens[i] = 1 + rand() % 1000;
			add_entry(&t, times[i], tokens[i]);
			if (pruned)
				hours_prune(&t, at);
		}
		memcpy(copy, times, sizeof(times));
		blocks_from_times(&b, copy, (size_t)n);
		want = largest_past(&b, times, tokens, n, at + 6 * H);
		hours_largest_blocks(&t, at + 6 * H, &by_tokens, &by_cost);
		got = counters_tokens(&by_tokens);
		over += got > want;
		differ += got != want;
		checked++;
		blocks_release(&b);
		hours_release(&t);
	}
	is_int(over, 0, "the largest past block is never more than the "
			"requests make it");
	is_int(differ, 0, "and the same, kept or pruned as they came "
			"(%d sequences)", checked);
}

/* Two days of use without a five-hour pause: the hours cannot tell. */
static void test_hours_unknown(void)
{
	struct hour_table t;
	struct hour_block hb;
	int64_t now = DAY0 + 60 * H + 30 * M;

	hours_init(&t);
	for (int64_t h = 0; h <= 60; h++)
		add_entry(&t, DAY0 + h * H + 10 * M, 5);
	hours_prune(&t, now);
	is_int(hours_active_block(&t, now, &hb), 1, "pruned once with "
			"everything there, the chain is anchored");
	is_int(hb.start, DAY0 + 60 * H, "at the block that began at the "
			"hour of the last request");
	{
		struct entry late;

		entry_init(&late);
		/* Before the anchor, the earliest block start kept (15 h). */
		entry_set_int(&late, EF_STARTED_AT, DAY0 + 14 * H);
		hours_note_new(&t, &late);
		entry_release(&late);
	}
	hours_prune(&t, now);
	is_int(hours_active_block(&t, now, &hb), -1, "a request before the "
			"anchor arrives late: a chain longer than the hours "
			"kept is not guessed");
	add_entry(&t, now + 6 * H, 9);
	is_int(hours_active_block(&t, now + 6 * H + M, &hb), 1,
			"after a pause it is known again");
	is_int(hb.start, now + 6 * H - 30 * M, "from the hour of the "
			"request after the pause");
	is_int(counters_tokens(&hb.c), 9, "with its tokens");
	hours_release(&t);
}

int main(void)
{
	test_rules();
	test_edges();
	test_hours_agree();
	test_hours_largest();
	test_hours_unknown();
	return tap_done();
}
