#include "query.h"

#include <ctype.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "device.h"
#include "error.h"
#include "timeutil.h"
#include "banned.h"

/*
 * The statuses and sync statuses an entry can hold, and the words the
 * tables print for them (log's SYNC column), which mean the same.
 */
static const struct { const char *word, *status; } statuses[] = {
	{ "in_progress", "in_progress" }, { "completed", "completed" },
	{ "incomplete", "incomplete" }, { "failed", "failed" },
	{ "cancelled", "cancelled" }, { "pending_sync", "pending_sync" },
	{ "pending", "pending_sync" }, { "synced", "synced" },
	{ "sync_failed", "sync_failed" },
	{ "unsupported_provider", "unsupported_provider" },
	{ "n/a", "unsupported_provider" },
};

void query_status_words(struct strbuf *out)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		strbuf_addf(out, "%s\n", statuses[i].word);
}

static int finish_status(struct query *q, struct strbuf *err)
{
	size_t n = sizeof(statuses) / sizeof(statuses[0]);

	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(q->status, statuses[i].word)) {
			q->status = statuses[i].status;
			return 0;
		}
	}
	fail(err, T_EUSAGE, "--status expects one of ");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(err, "%s%s", i ? ", " : "", statuses[i].word);
	strbuf_addf(err, "; not '%s'", q->status);
	return T_EUSAGE;
}

int query_parse_last(const char *text, int64_t *ms, struct strbuf *err)
{
	int r = duration_parse(text, strlen(text), ms);

	if (r == -2)
		return fail(err, T_EUSAGE, "--last %s is longer than tally "
				"counts (at most %lldd)", text,
				(long long)(DURATION_MAX_MS / MS_PER_DAY));
	if (r)
		return fail(err, T_EUSAGE, "--last expects a duration such "
				"as 24h or 7d, not '%s'", text);
	return 0;
}

int query_finish(struct query *q, struct strbuf *err)
{
	int64_t d;

	if (q->tz && !timeutil_zone_exists(q->tz))
		return fail(err, T_EUSAGE, "--tz: unknown time zone '%s'",
				q->tz);
	if (q->tz)
		timeutil_set_zone(q->tz);
	if (q->last_text && (q->since_text || q->until_text))
		return fail(err, T_EUSAGE, "--last excludes --since and "
				"--until");
	if (q->last_text && query_parse_last(q->last_text, &d, err))
		return T_EUSAGE;
	if (q->last_text)
		q->since = now_ms() - d;
	if (q->since_text && time_parse(q->since_text, &q->since, err))
		return T_EUSAGE;
	if (q->until_text && time_parse(q->until_text, &q->until, err))
		return T_EUSAGE;
	if (q->since >= 0 && q->until >= 0 && q->until <= q->since)
		return fail(err, T_EUSAGE, "--until (%s) is not after --since "
				"(%s): the window holds nothing",
				q->until_text ? q->until_text : "its end",
				q->since_text ? q->since_text : "its start");
	if (q->status && finish_status(q, err))
		return T_EUSAGE;
	for (size_t i = 0; i < q->tags.nr; i++)
		if (!*q->tags.items[i] || *q->tags.items[i] == '=')
			return fail(err, T_EUSAGE, "--tag expects <key> or "
					"<key>=<value>, not '%s'",
					q->tags.items[i]);
	if (q->kind && strcmp(q->kind, "usage") && strcmp(q->kind, "all") &&
	    strcmp(q->kind, KIND_PROVIDER_BUCKET) &&
	    strcmp(q->kind, KIND_PROVIDER_COST) && strcmp(q->kind, KIND_QUOTA) &&
	    strcmp(q->kind, KIND_ROLLUP))
		return fail(err, T_EUSAGE, "--kind expects usage, "
				"provider_bucket, provider_cost, quota, rollup or "
				"all, not '%s'", q->kind);
	return 0;
}

static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return 0;
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static int grep_match(const struct entry *e, const char *text)
{
	static const enum entry_field fields[] = {
		EF_ENTRY_ID, EF_PROVIDER_ID, EF_MODEL_ID, EF_SESSION_RESOURCE,
		EF_REQUEST_ID, EF_PROVIDER_REQUEST_ID, EF_ERROR_CODE,
		EF_SYNC_ERROR_CODE, EF_STATUS, EF_SYNC_STATUS, EF_SOURCE,
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (contains_nocase(entry_get_str(e, fields[i]), text))
			return 1;
	for (size_t i = 0; i < e->ntags; i++)
		if (contains_nocase(e->tags[i].key, text) ||
		    contains_nocase(e->tags[i].value, text))
			return 1;
	return 0;
}

static int tag_match(const struct entry *e, const char *want)
{
	const char *eq = strchr(want, '=');
	size_t klen = eq ? (size_t)(eq - want) : strlen(want);

	for (size_t i = 0; i < e->ntags; i++) {
		if (strlen(e->tags[i].key) != klen ||
		    strncmp(e->tags[i].key, want, klen))
			continue;
		return !eq || !strcmp(e->tags[i].value, eq + 1);
	}
	return 0;
}

static int str_is(const char *have, const char *want)
{
	return have && !strcmp(have, want);
}

static int kind_match(const struct query *q, const struct entry *e)
{
	if (!q->kind || !strcmp(q->kind, "usage"))
		return entry_is_usage(e);
	if (!strcmp(q->kind, "all"))
		return 1;
	return e->kind && !strcmp(e->kind, q->kind);
}

int query_match_names(const struct query *q, const char *provider,
		const char *model, const char *session)
{
	/* Provider ids are lower case: "OpenAI" means openai. */
	if (q->provider && (!provider || strcasecmp(provider, q->provider)))
		return 0;
	if (q->model && (!model || fnmatch(q->model, model, 0)))
		return 0;
	return !q->session || str_is(session, q->session);
}

/* Rows without a device id are this device's (device.h). */
static int device_match(const struct query *q, const struct entry *e)
{
	if (!strcmp(q->device, "this"))
		return device_is_self_peek(e->device_id);
	if (!e->device_id || !*e->device_id)
		return device_is_self_peek(q->device);
	return !strcmp(e->device_id, q->device);
}

int query_needs_entries(const struct query *q)
{
	return q->tags.nr || q->status || q->grep || q->unpriced || q->device ||
	       (q->kind && strcmp(q->kind, "all"));
}

int query_match(const struct query *q, const struct entry *e)
{
	int64_t t = entry_time(e);

	if (!kind_match(q, e))
		return 0;
	if (q->since >= 0 && t < q->since)
		return 0;
	if (q->until >= 0 && t >= q->until)
		return 0;
	if (!query_match_names(q, entry_get_str(e, EF_PROVIDER_ID),
			entry_get_str(e, EF_MODEL_ID),
			entry_get_str(e, EF_SESSION_RESOURCE)))
		return 0;
	if (q->status && !str_is(entry_get_str(e, EF_STATUS), q->status) &&
	    !str_is(entry_get_str(e, EF_SYNC_STATUS), q->status))
		return 0;
	for (size_t i = 0; i < q->tags.nr; i++)
		if (!tag_match(e, q->tags.items[i]))
			return 0;
	if (q->unpriced && !entry_is_unpriced(e))
		return 0;
	if (q->device && !device_match(q, e))
		return 0;
	return !q->grep || grep_match(e, q->grep);
}

void query_release(struct query *q)
{
	string_list_release(&q->tags);
}
