#ifndef TALLY_TIMEUTIL_H
#define TALLY_TIMEUTIL_H

#include <stdint.h>

#include "strbuf.h"

/*
 * Time in tally is int64 milliseconds since the Unix epoch, UTC. This file
 * is the one place that parses and formats times and durations.
 *
 * The local time zone is the process's TZ; timeutil_set_zone() sets it from
 * the configuration (an IANA name such as "America/New_York", or "UTC").
 */

#define MS_PER_SEC 1000LL
#define MS_PER_MIN (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)

/* The current time; $TALLY_NOW (any time_parse() form) overrides it. */
int64_t now_ms(void);

/* A clock for durations: never jumps, and ignores $TALLY_NOW. */
int64_t monotonic_ms(void);

/*
 * Parses a point in time:
 *   2026-11-24, 2026-11-24T10:30, 2026-11-24 10:30:15.250, with an optional
 *   "Z" or +HH:MM / -HHMM offset (without one: local time);
 *   20261124 (local midnight); @1764000000 or @1764000000.5 (Unix seconds);
 *   now, today, yesterday (local midnight);
 *   a duration such as 90m, 24h, 7d, 1h30m: that long before now.
 * Returns 0, or T_EUSAGE with a message naming s.
 */
int time_parse(const char *s, int64_t *out, struct strbuf *err);

/* Parses only the ISO 8601 forms (for timestamps inside payloads). */
int time_parse_iso(const char *s, size_t len, int64_t *out);

/* Parses exactly "YYYY-MM-DD" into days since 1970-01-01; 0 or -1. */
int time_parse_day(const char *s, int32_t *day);

/* Parses an HTTP date (IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT"). */
int time_parse_http_date(const char *s, int64_t *out);

/*
 * Parses a duration: one or more <number><unit> with units ms, s, m, h, d,
 * w, numbers possibly fractional ("1h30m", "6m0s", "18.642s", "12ms").
 * Returns 0, -1 when it is not a duration, or -2 when it is one longer
 * than DURATION_MAX_MS.
 */
#define DURATION_MAX_MS 1000000000000000LL  /* about 31,700 years */
int duration_parse(const char *s, size_t len, int64_t *out_ms);

/* Appends "2026-11-24T10:31:11.123Z" (milliseconds only when non-zero). */
void time_format_utc(struct strbuf *sb, int64_t ms);

/* Appends the local time as "2026-11-24 10:31:11". */
void time_format_local(struct strbuf *sb, int64_t ms);

/*
 * Appends the local time in ISO 8601 with milliseconds and the zone's
 * offset: "2026-11-24T10:31:11.123+01:00", for files that others read.
 */
void time_format_iso_local(struct strbuf *sb, int64_t ms);

/* Appends a short age for people: "12s", "5m", "3h", "2d". */
void duration_format_short(struct strbuf *sb, int64_t ms);
/* Hours and minutes, for a countdown: "4h05m", "12m". */
void duration_format_hm(struct strbuf *sb, int64_t ms);

/*
 * Sets the local time zone: NULL, "" or "local" keep the environment's.
 * Returns 0, or -1 when name is not a known zone.
 */
int timeutil_set_zone(const char *name);

/*
 * The zone in force, as a name for people: TZ's value ("UTC" for UTC0),
 * else the zone /etc/localtime links to ("Europe/Berlin"), else "local".
 */
const char *timeutil_zone_name(void);

/*
 * What identifies the zone in force, for caches of day keys: two
 * processes with the same id count days alike. "local" is no id: a cron
 * job under TZ=UTC and a shell in Berlin both say "local" and count days
 * differently. Valid until the zone changes.
 */
const char *timeutil_zone_id(void);

/* Whether name is a zone timeutil_set_zone() accepts. */
int timeutil_zone_exists(const char *name);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t days_from_civil(int64_t y, int m, int d);
void civil_from_days(int64_t z, int64_t *y, int *m, int *d);

/* Local midnight that starts the day holding ms. */
int64_t local_day_start(int64_t ms);

/*
 * The local calendar day holding ms, as days since 1970-01-01 (so that
 * days_from_civil() and civil_from_days() convert it). Fast for times that
 * fall on the same day as the previous call.
 */
int32_t local_day(int64_t ms);

/* Local midnight that starts a local calendar day. */
int64_t local_day_to_ms(int32_t day);

/*
 * Calendar periods of local days (days since 1970-01-01 in the zone in
 * force): the day, the ISO week (Monday to Sunday) and the month. Every
 * window, budget period and group key is computed here.
 */
enum calendar_period { CAL_DAY, CAL_WEEK, CAL_MONTH };

/* The period holding day, as days [*from, *to). */
void calendar_bounds(enum calendar_period p, int32_t day, int32_t *from,
		int32_t *to);

/* The period's key: 2026-11-24, 2026-W48 (ISO week-year), 2026-11. */
void calendar_key(struct strbuf *sb, enum calendar_period p, int32_t day);

/* The first day (Monday) of the ISO week holding day. */
int32_t week_start(int32_t day);

/* Shorthands of calendar_key(). */
void day_key(struct strbuf *sb, int32_t day);
void week_key(struct strbuf *sb, int32_t day);
void month_key(struct strbuf *sb, int32_t day);

#endif
