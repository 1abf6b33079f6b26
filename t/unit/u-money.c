/* Unit tests for lib/money: exact decimal <-> nano-USD. */
#include "tap.h"

#include <stdlib.h>

#include "lib/money.h"

static void parse_ok(const char *text, int64_t want)
{
	int64_t got = -12345;
	int r = money_parse(text, strlen(text), &got);

	ok(r == 0 && got == want, "money_parse('%s') = %lld", text,
			(long long)want);
	if (r || got != want)
		printf("#   returned %d, got %lld\n", r, (long long)got);
}

static void parse_bad(const char *text, int want_ret)
{
	int64_t got;

	is_int(money_parse(text, strlen(text), &got), want_ret,
			"money_parse('%s') refused", text);
}

static void format_is(int64_t nano, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	money_format(&sb, nano);
	is_str(sb.buf, want, "money_format(%lld)", (long long)nano);
	strbuf_release(&sb);
}

static void human_is(int64_t nano, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	money_format_human(&sb, nano);
	is_str(sb.buf, want, "money_format_human(%lld)", (long long)nano);
	strbuf_release(&sb);
}

int main(void)
{
	parse_ok("0", 0);
	parse_ok("0.0114", 11400000);
	parse_ok("4.88", 4880000000LL);
	parse_ok("1e-7", 100);
	parse_ok("1.5E+2", 150000000000LL);
	parse_ok("-0.5", -500000000);
	parse_ok("0.0000000005", 1);       /* half rounds away from zero */
	parse_ok("0.00000000049", 0);
	parse_ok("0.0015", 1500000);
	parse_ok("3e-06", 3000);
	parse_ok("100000000", 100000000LL * 1000000000LL);
	parse_ok("0.000000000000000000001", 0);
	parse_bad("", -1);
	parse_bad("abc", -1);
	parse_bad("1.", -1);
	parse_bad(".5", -1);
	parse_bad("1e", -1);
	parse_bad("1 ", -1);
	parse_bad("1000000000", -2);
	parse_bad("1e30", -2);

	format_is(0, "0");
	format_is(11400000, "0.0114");
	format_is(4880000000LL, "4.88");
	format_is(1, "0.000000001");
	format_is(-1500000000LL, "-1.5");
	format_is(12000000000LL, "12");

	human_is(0, "$0.0000");
	human_is(11400000, "$0.0114");
	human_is(50, "<$0.0001");
	human_is(1234560000000LL, "$1,234.56");
	human_is(999999999, "$1.00");

	/* A million random amounts add up exactly. */
	{
		int64_t sum = 0, want = 0;
		struct strbuf sb = STRBUF_INIT;

		srand(7);
		for (int i = 0; i < 1000000; i++) {
			int64_t nano = (int64_t)rand() % 100000000, back;

			strbuf_reset(&sb);
			money_format(&sb, nano);
			money_parse(sb.buf, sb.len, &back);
			sum += back;
			want += nano;
		}
		is_int(sum, want, "format/parse round trip of 1e6 amounts is exact");
		strbuf_release(&sb);
	}
	return tap_done();
}
