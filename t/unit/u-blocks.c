/* Unit tests for five-hour blocks (lib/blocks.c). */
#include "tap.h"

#include "lib/blocks.h"
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

int main(void)
{
	test_rules();
	test_edges();
	return tap_done();
}
