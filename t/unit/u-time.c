/* Unit tests for lib/timeutil: the one time and duration parser. */
#include "tap.h"

#include <stdlib.h>

#include "lib/timeutil.h"

static void iso_is(const char *s, int64_t want)
{
	int64_t got = 0;
	int r = time_parse_iso(s, strlen(s), &got);

	ok(!r && got == want, "time_parse_iso('%s')", s);
	if (r || got != want)
		printf("#   returned %d, got %lld, want %lld\n", r,
				(long long)got, (long long)want);
}

static void dur_is(const char *s, int64_t want)
{
	int64_t got = 0;
	int r = duration_parse(s, strlen(s), &got);

	ok(!r && got == want, "duration_parse('%s') = %lld", s, (long long)want);
}

static void bad_time(const char *s)
{
	struct strbuf err = STRBUF_INIT;
	int64_t t;

	ok(time_parse(s, &t, &err) != 0 && err.len, "time_parse('%s') refused",
			s);
	strbuf_release(&err);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t t;

	setenv("TZ", "UTC0", 1);
	iso_is("1970-01-01T00:00:00Z", 0);
	iso_is("2025-08-01T00:00:00Z", 1754006400000LL);
	iso_is("2024-07-15T23:33:19.433273+00:00", 1721086399433LL);
	iso_is("2025-08-21T12:40:59Z", 1755780059000LL);
	iso_is("2026-03-08T12:00:00-05:00", 1772989200000LL);
	iso_is("2026-03-08T12:00:00+0530", 1772951400000LL);
	iso_is("2026-11-24", 1795478400000LL);
	iso_is("2026-11-24 10:30", 1795516200000LL);
	iso_is("2000-02-29T00:00:00Z", 951782400000LL);

	ok(time_parse_iso("2026-02-30", 10, &t), "Feb 30 is refused");
	ok(time_parse_iso("2026-13-01", 10, &t), "month 13 is refused");
	ok(time_parse_iso("2026-11-24T25:00Z", 17, &t), "hour 25 is refused");

	ok(!time_parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT", &t) &&
			t == 1445412480000LL, "an HTTP date");
	ok(!time_parse_http_date("Thu, 29 Feb 2024 23:59:60 GMT", &t) &&
			t == 1709251200000LL, "a leap day and a leap second");
	ok(time_parse_http_date("Wed, 31 Sep 2015 07:28:00 GMT", &t),
			"Sep 31 is refused");
	ok(time_parse_http_date("Wed, 21 Foo 2015 07:28:00 GMT", &t),
			"an unknown month is refused");
	ok(time_parse_http_date("Wed, 21 Oct 2015 07:28:00 UTC", &t),
			"only GMT");
	ok(time_parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT junk", &t),
			"nothing after it");
	ok(time_parse_http_date(NULL, &t), "no header");
	{
		int32_t day;

		ok(!time_parse_day("2025-05-22", &day) && day == 20230,
				"a day");
		ok(time_parse_day("2025-5-22", &day) &&
		   time_parse_day("2025-05-22x", &day) &&
		   time_parse_day("2025-02-29", &day),
				"only YYYY-MM-DD of a real day");
	}

	dur_is("90m", 90 * 60000LL);
	dur_is("24h", 86400000LL);
	dur_is("7d", 7 * 86400000LL);
	dur_is("2w", 14 * 86400000LL);
	dur_is("1h30m", 5400000LL);
	dur_is("6m0s", 360000LL);
	dur_is("12ms", 12);
	dur_is("18.642s", 18642);
	ok(duration_parse("", 0, &t), "an empty duration is refused");
	ok(duration_parse("99999999d", 9, &t) == -2,
			"a well-formed duration too long to count says so");
	ok(duration_parse("soon", 4, &t) == -1, "a word is no duration");
	ok(duration_parse("5", 1, &t), "a number without unit is refused");
	ok(duration_parse("5x", 2, &t), "an unknown unit is refused");
	ok(duration_parse("h", 1, &t), "a unit without number is refused");

	setenv("TALLY_NOW", "2026-11-24T10:00:00Z", 1);
	{
		struct strbuf err = STRBUF_INIT;

		ok(!time_parse("24h", &t, &err) && t == 1795514400000LL - 86400000LL,
				"24h means a day before now");
		ok(!time_parse("@1764000000", &t, &err) && t == 1764000000000LL,
				"@epoch seconds");
		ok(!time_parse("@1764000000.5", &t, &err) && t == 1764000000500LL,
				"@epoch with a fraction");
		ok(!time_parse("20261124", &t, &err) && t == 1795478400000LL,
				"YYYYMMDD is local midnight");
		ok(!time_parse("today", &t, &err) && t == 1795478400000LL,
				"today");
		ok(!time_parse("yesterday", &t, &err) &&
				t == 1795478400000LL - 86400000LL, "yesterday");
		strbuf_release(&err);
	}
	bad_time("2026");
	bad_time("@");
	bad_time("@-5");
	bad_time("tomorrow-ish");
	bad_time("2026-11-24T10");

	time_format_utc(&sb, 1795517613129LL);
	is_str(sb.buf, "2026-11-24T10:53:33.129Z", "time_format_utc with ms");
	strbuf_reset(&sb);
	time_format_utc(&sb, 0);
	is_str(sb.buf, "1970-01-01T00:00:00Z", "time_format_utc epoch");
	strbuf_reset(&sb);
	time_format_utc(&sb, -1);
	is_str(sb.buf, "1969-12-31T23:59:59.999Z", "time_format_utc before 1970");

	/* Local time follows the zone, daylight saving included. */
	ok(!timeutil_set_zone("America/New_York"), "set America/New_York");
	ok(!time_parse_iso("2026-03-08T01:30", 16, &t) &&
			t == 1772951400000LL, "EST before the spring change");
	ok(!time_parse_iso("2026-03-08T03:30", 16, &t) &&
			t == 1772955000000LL, "EDT after the spring change");
	strbuf_reset(&sb);
	time_format_iso_local(&sb, 1772955000000LL);
	is_str(sb.buf, "2026-03-08T03:30:00.000-04:00", "ISO local, EDT");
	strbuf_reset(&sb);
	time_format_iso_local(&sb, 1772951400000LL + 7);
	is_str(sb.buf, "2026-03-08T01:30:00.007-05:00", "ISO local, EST");
	strbuf_reset(&sb);
	time_format_iso_local(&sb, -1);
	is_str(sb.buf, "1969-12-31T18:59:59.999-05:00", "ISO local, 1969");
	is_int(local_day_start(1772955000000LL), 1772946000000LL,
			"the day of the spring change starts at 05:00Z");
	is_int(local_day_start(1772946000000LL + 23 * 3600000LL - 1),
			1772946000000LL, "a 23-hour day ends an hour early");
	is_int(local_day_start(1772946000000LL + 23 * 3600000LL),
			1772946000000LL + 23 * 3600000LL, "where the next begins");
	{
		int32_t from, to;

		calendar_bounds(CAL_MONTH, 20818, &from, &to);
		ok(from == 20788 && to == 20819, "December ends at New Year");
		calendar_bounds(CAL_WEEK, 20819, &from, &to);
		ok(from == 20815 && to == 20822,
				"the week of 2027-01-01 runs Monday to Monday");
		calendar_bounds(CAL_DAY, 20819, &from, &to);
		ok(from == 20819 && to == 20820, "a day is one day");
		strbuf_reset(&sb);
		calendar_key(&sb, CAL_WEEK, 20087);
		ok(!strcmp(sb.buf, "2025-W01"),
				"2024-12-30 is in the ISO year 2025");
	}
	ok(timeutil_set_zone("Not/AZone") != 0, "an unknown zone is refused");
	ok(timeutil_set_zone("../../etc/passwd") != 0,
			"a path is not a zone");

	strbuf_release(&sb);
	return tap_done();
}
