#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "sha256.h"
#include "banned.h"

int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t real_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_ms(void)
{
	static int64_t fixed = -1;
	static int checked;
	const char *env;

	if (!checked) {
		checked = 1;
		env = getenv("TALLY_NOW");
		if (env && *env) {
			struct strbuf err = STRBUF_INIT;
			int64_t t;

			/* Relative forms would recurse; require an absolute time. */
			if (!time_parse_iso(env, strlen(env), &t))
				fixed = t;
			else if (env[0] == '@' && !time_parse(env, &t, &err))
				fixed = t;
			strbuf_release(&err);
		}
	}
	return fixed >= 0 ? fixed : real_now_ms();
}

/* Local time of a broken-down date: mktime, resolving DST gaps forwards. */
static int64_t local_to_ms(int64_t y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { 0 };
	time_t t;

	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return (int64_t)t * 1000;
}

static int digits(const char *s, const char *end, int n, int *out)
{
	int v = 0;

	if (end - s < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dm[m - 1];
}

/* Parses "[+-]HH[:]MM" or "Z"; returns the offset in minutes east of UTC. */
static int parse_offset(const char *p, const char *end, int *minutes)
{
	int sign, hh, mm;

	if (end - p == 1 && (*p == 'Z' || *p == 'z')) {
		*minutes = 0;
		return 0;
	}
	if (p == end || (*p != '+' && *p != '-'))
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(p, end, 2, &hh))
		return -1;
	p += 2;
	if (p < end && *p == ':')
		p++;
	if (p == end)
		mm = 0;
	else if (digits(p, end, 2, &mm) || p + 2 != end)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*minutes = sign * (hh * 60 + mm);
	return 0;
}

struct iso_parts {
	int y, mo, d, h, mi, s, ms;
	int has_offset, offset_min;
};

static int parse_clock(const char *p, const char *end, struct iso_parts *t,
		const char **rest)
{
	if (digits(p, end, 2, &t->h) || p + 2 >= end || p[2] != ':' ||
	    digits(p + 3, end, 2, &t->mi))
		return -1;
	p += 5;
	if (p < end && *p == ':') {
		if (digits(p + 1, end, 2, &t->s))
			return -1;
		p += 3;
		if (p < end && (*p == '.' || *p == ',')) {
			int scale = 100;

			if (++p == end || !isdigit((unsigned char)*p))
				return -1;
			for (; p < end && isdigit((unsigned char)*p); p++) {
				t->ms += (*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	if (t->h > 23 || t->mi > 59 || t->s > 60)
		return -1;
	*rest = p;
	return 0;
}

static int parse_iso_parts(const char *s, size_t len, struct iso_parts *t)
{
	const char *p = s, *end = s + len;

	memset(t, 0, sizeof(*t));
	if (digits(p, end, 4, &t->y) || p + 4 >= end || p[4] != '-' ||
	    digits(p + 5, end, 2, &t->mo) || p + 7 >= end || p[7] != '-' ||
	    digits(p + 8, end, 2, &t->d))
		return -1;
	p += 10;
	if (t->mo < 1 || t->mo > 12 || t->d < 1 ||
	    t->d > days_in_month(t->y, t->mo))
		return -1;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		if (parse_clock(p + 1, end, t, &p))
			return -1;
	}
	if (p < end) {
		if (parse_offset(p, end, &t->offset_min))
			return -1;
		t->has_offset = 1;
	}
	return 0;
}

int time_parse_iso(const char *s, size_t len, int64_t *out)
{
	struct iso_parts t;
	int64_t ms;

	if (parse_iso_parts(s, len, &t))
		return -1;
	if (!t.has_offset) {
		*out = local_to_ms(t.y, t.mo, t.d, t.h, t.mi, t.s) + t.ms;
		return 0;
	}
	ms = days_from_civil(t.y, t.mo, t.d) * MS_PER_DAY +
	     t.h * MS_PER_HOUR + t.mi * MS_PER_MIN + t.s * MS_PER_SEC + t.ms;
	*out = ms - t.offset_min * MS_PER_MIN;
	return 0;
}

int time_parse_day(const char *s, int32_t *day)
{
	const char *end;
	int y, m, d;

	if (!s)
		return -1;
	end = s + strlen(s);
	if (end - s != 10 || s[4] != '-' || s[7] != '-' ||
	    digits(s, end, 4, &y) || digits(s + 5, end, 2, &m) ||
	    digits(s + 8, end, 2, &d) || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return -1;
	*day = (int32_t)days_from_civil(y, m, d);
	return 0;
}

int time_parse_http_date(const char *s, int64_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *end;
	int d, y, h, mi, sec, m;

	/* IMF-fixdate (RFC 9110): "Wed, 21 Oct 2015 07:28:00 GMT". */
	if (!s || strlen(s) != 29)
		return -1;
	end = s + 29;
	if (s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    strcmp(s + 25, " GMT") || digits(s + 5, end, 2, &d) ||
	    digits(s + 12, end, 4, &y) || digits(s + 17, end, 2, &h) ||
	    digits(s + 20, end, 2, &mi) || digits(s + 23, end, 2, &sec))
		return -1;
	for (m = 0; m < 12 && strncmp(s + 8, months + 3 * m, 3); m++)
		;
	if (m == 12 || d < 1 || d > days_in_month(y, m + 1) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*out = days_from_civil(y, m + 1, d) * MS_PER_DAY + h * MS_PER_HOUR +
	       mi * MS_PER_MIN + sec * MS_PER_SEC;
	return 0;
}

static int64_t unit_ms(const char *u, size_t n)
{
	if (n == 2 && !strncmp(u, "ms", 2))
		return 1;
	if (n == 1) {
		switch (*u) {
		case 's': return MS_PER_SEC;
		case 'm': return MS_PER_MIN;
		case 'h': return MS_PER_HOUR;
		case 'd': return MS_PER_DAY;
		case 'w': return 7 * MS_PER_DAY;
		}
	}
	return 0;
}

int duration_parse(const char *s, size_t len, int64_t *out_ms)
{
	const char *p = s, *end = s + len;
	double total = 0;

	if (p == end)
		return -1;
	while (p < end) {
		const char *num = p, *unit;
		double v = 0, scale = 1;
		int64_t u;
		int seen = 0, frac = 0;

		for (; p < end && (isdigit((unsigned char)*p) || *p == '.'); p++) {
			if (*p == '.') {
				if (frac++)
					return -1;
				continue;
			}
			seen = 1;
			if (frac)
				v += (*p - '0') * (scale /= 10);
			else
				v = v * 10 + (*p - '0');
		}
		if (!seen || p == num)
			return -1;
		for (unit = p; p < end && isalpha((unsigned char)*p); p++)
			;
		u = unit_ms(unit, (size_t)(p - unit));
		if (!u)
			return -1;
		total += v * (double)u;
		if (total > (double)DURATION_MAX_MS)
			return -2;
	}
	*out_ms = (int64_t)(total + 0.5);
	return 0;
}

static int parse_epoch(const char *s, int64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || v < 0 || v > 1e13 ||
	    !isdigit((unsigned char)*s))
		return -1;
	*out = (int64_t)(v * 1000 + 0.5);
	return 0;
}

static int parse_compact_date(const char *s, int64_t *out)
{
	struct iso_parts t = { 0 };

	if (strlen(s) != 8 || digits(s, s + 4, 4, &t.y) ||
	    digits(s + 4, s + 6, 2, &t.mo) || digits(s + 6, s + 8, 2, &t.d))
		return -1;
	if (t.mo < 1 || t.mo > 12 || t.d < 1 ||
	    t.d > days_in_month(t.y, t.mo))
		return -1;
	*out = local_to_ms(t.y, t.mo, t.d, 0, 0, 0);
	return 0;
}

/* Bumped when the zone changes, so that cached day ranges are dropped. */
static unsigned zone_generation;

int32_t local_day(int64_t ms)
{
	static int64_t start = 1, end = 0;
	static int32_t day;
	static unsigned generation;
	struct tm tm;
	time_t t;

	if (generation == zone_generation && ms >= start && ms < end)
		return day;
	t = (time_t)floor_div(ms, 1000);
	localtime_r(&t, &tm);
	day = (int32_t)days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1,
			tm.tm_mday);
	start = local_day_to_ms(day);
	end = local_day_to_ms(day + 1);
	generation = zone_generation;
	return day;
}

int64_t local_day_to_ms(int32_t day)
{
	int64_t y;
	int m, d;

	civil_from_days(day, &y, &m, &d);
	return local_to_ms(y, m, d, 0, 0, 0);
}

int64_t local_day_start(int64_t ms)
{
	struct tm tm;
	time_t t = (time_t)floor_div(ms, 1000);

	localtime_r(&t, &tm);
	return local_to_ms(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday,
			0, 0, 0);
}

/* The forms a time takes, shown with today's date rather than a stale one. */
static int bad_time_hint(const char *s, struct strbuf *err)
{
	int64_t now = now_ms(), y;
	int m, d;

	civil_from_days(floor_div(now, MS_PER_DAY), &y, &m, &d);
	return fail(err, T_EUSAGE, "invalid time '%s' (try %04lld-%02d-%02d, "
			"%04lld-%02d-%02dT10:30Z, %04lld%02d%02d, @%lld or 24h)",
			s, (long long)y, m, d, (long long)y, m, d,
			(long long)y, m, d, (long long)(now / 1000));
}

int time_parse(const char *s, int64_t *out, struct strbuf *err)
{
	int64_t d;

	if (!strcmp(s, "now")) {
		*out = now_ms();
		return 0;
	}
	if (!strcmp(s, "today")) {
		*out = local_day_start(now_ms());
		return 0;
	}
	if (!strcmp(s, "yesterday")) {
		*out = local_day_start(local_day_start(now_ms()) - 1);
		return 0;
	}
	if (s[0] == '@' && !parse_epoch(s + 1, out))
		return 0;
	if (!parse_compact_date(s, out) || !time_parse_iso(s, strlen(s), out))
		return 0;
	if (!duration_parse(s, strlen(s), &d)) {
		*out = now_ms() - d;
		return 0;
	}
	return bad_time_hint(s, err);
}

void time_format_utc(struct strbuf *sb, int64_t ms)
{
	int64_t days = floor_div(ms, MS_PER_DAY), rem = ms - days * MS_PER_DAY;
	int64_t y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	strbuf_addf(sb, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
			(int)(rem / MS_PER_HOUR), (int)(rem / MS_PER_MIN % 60),
			(int)(rem / MS_PER_SEC % 60));
	if (rem % 1000)
		strbuf_addf(sb, ".%03d", (int)(rem % 1000));
	strbuf_addch(sb, 'Z');
}

void time_format_local(struct strbuf *sb, int64_t ms)
{
	time_t t = (time_t)floor_div(ms, 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strbuf_addf(sb, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
			tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			tm.tm_sec);
}

void time_format_iso_local(struct strbuf *sb, int64_t ms)
{
	time_t t = (time_t)floor_div(ms, 1000);
	int64_t local, offset;
	struct tm tm;

	localtime_r(&t, &tm);
	/* The offset is how far the wall clock is from UTC at that time. */
	local = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
		tm.tm_min * 60 + tm.tm_sec;
	offset = (local - (int64_t)t) / 60;
	strbuf_addf(sb, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec,
			(int)(ms - floor_div(ms, 1000) * 1000),
			offset < 0 ? '-' : '+', (int)(llabs(offset) / 60),
			(int)(llabs(offset) % 60));
}

void duration_format_short(struct strbuf *sb, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < MS_PER_MIN)
		strbuf_addf(sb, "%llds", (long long)(ms / MS_PER_SEC));
	else if (ms < MS_PER_HOUR)
		strbuf_addf(sb, "%lldm", (long long)(ms / MS_PER_MIN));
	else if (ms < MS_PER_DAY)
		strbuf_addf(sb, "%lldh", (long long)(ms / MS_PER_HOUR));
	else
		strbuf_addf(sb, "%lldd", (long long)(ms / MS_PER_DAY));
}

void duration_format_hm(struct strbuf *sb, int64_t ms)
{
	int64_t minutes = ms < 0 ? 0 : ms / MS_PER_MIN;

	if (minutes >= 60)
		strbuf_addf(sb, "%lldh%02lldm", (long long)(minutes / 60),
				(long long)(minutes % 60));
	else
		strbuf_addf(sb, "%lldm", (long long)minutes);
}

int timeutil_zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int ok;

	if (!strcmp(name, "UTC"))
		return 1;
	if (name[0] == '/' || strstr(name, ".."))
		return 0;
	strbuf_addf(&path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
			name);
	ok = !stat(path.buf, &st) && S_ISREG(st.st_mode);
	strbuf_release(&path);
	return ok;
}

/* The zone /etc/localtime links to, or NULL. */
static const char *localtime_link(char *buf, size_t size)
{
	ssize_t n = readlink("/etc/localtime", buf, size - 1);
	const char *z;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	z = strstr(buf, "zoneinfo/");
	return z ? z + 9 : buf;
}

const char *timeutil_zone_name(void)
{
	static char buf[256];
	const char *tz = getenv("TZ"), *link;

	if (tz && *tz) {
		if (*tz == ':')
			tz++;
		return !strcmp(tz, "UTC0") ? "UTC" : tz;
	}
	link = localtime_link(buf, sizeof(buf));
	return link ? link : "local";
}

const char *timeutil_zone_id(void)
{
	static char id[300];
	const char *tz = getenv("TZ");
	char buf[256];
	struct strbuf text = STRBUF_INIT;
	const char *link;

	if (tz && *tz) {
		snprintf(id, sizeof(id), "TZ=%s", tz);
		return id;
	}
	if ((link = localtime_link(buf, sizeof(buf)))) {
		snprintf(id, sizeof(id), "localtime=%s", link);
		return id;
	}
	/* A copied zone file: what its rules are, by their bytes. */
	if (!strbuf_read_file(&text, "/etc/localtime")) {
		char hex[17];

		sha256_hex(text.buf, text.len, hex, 16);
		snprintf(id, sizeof(id), "localtime#%s", hex);
	} else {
		snprintf(id, sizeof(id), "UTC");
	}
	strbuf_release(&text);
	return id;
}

int timeutil_set_zone(const char *name)
{
	if (!name || !*name || !strcmp(name, "local"))
		return 0;
	if (!timeutil_zone_exists(name))
		return -1;
	if (!strcmp(name, "UTC"))
		name = "UTC0";
	setenv("TZ", name, 1);
	tzset();
	zone_generation++;
	return 0;
}

/* ---- calendar periods ---- */

int32_t week_start(int32_t day)
{
	/* 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday. */
	int32_t weekday = ((day % 7) + 7 + 3) % 7;

	return day - weekday;
}

void calendar_bounds(enum calendar_period p, int32_t day, int32_t *from,
		int32_t *to)
{
	int64_t y;
	int m, d;

	switch (p) {
	case CAL_DAY:
		*from = day;
		*to = day + 1;
		return;
	case CAL_WEEK:
		*from = week_start(day);
		*to = *from + 7;
		return;
	case CAL_MONTH:
		civil_from_days(day, &y, &m, &d);
		*from = (int32_t)days_from_civil(y, m, 1);
		*to = m == 12 ? (int32_t)days_from_civil(y + 1, 1, 1) :
				(int32_t)days_from_civil(y, m + 1, 1);
		return;
	}
}

void calendar_key(struct strbuf *sb, enum calendar_period p, int32_t day)
{
	int64_t y;
	int m, d;

	if (p == CAL_WEEK) {
		/* ISO 8601: the week belongs to the year of its Thursday. */
		int32_t thursday = week_start(day) + 3;

		civil_from_days(thursday, &y, &m, &d);
		strbuf_addf(sb, "%04lld-W%02d", (long long)y,
				(int)((thursday - days_from_civil(y, 1, 1)) / 7 +
				      1));
		return;
	}
	civil_from_days(day, &y, &m, &d);
	if (p == CAL_DAY)
		strbuf_addf(sb, "%04lld-%02d-%02d", (long long)y, m, d);
	else
		strbuf_addf(sb, "%04lld-%02d", (long long)y, m);
}

void day_key(struct strbuf *sb, int32_t day)
{
	calendar_key(sb, CAL_DAY, day);
}

void week_key(struct strbuf *sb, int32_t day)
{
	calendar_key(sb, CAL_WEEK, day);
}

void month_key(struct strbuf *sb, int32_t day)
{
	calendar_key(sb, CAL_MONTH, day);
}
