/*
 * OpenRouter: OpenAI-compatible chat completions whose usage block carries
 * the provider-billed cost. Each generation is looked up by its id (sync).
 */
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "common.h"
#include "jsonc.h"
#include "sync.h"
#include "../lib/error.h"
#include "../lib/entry-id.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static int detect(struct json_object *root)
{
	const char *id = jstr(root, "id");

	if (id && !strncmp(id, "gen-", 4))
		return 95;
	if (jpath(root, "usage", "cost", NULL))
		return 90;
	if (jstr(root, "provider") && jpath(root, "usage", NULL))
		return 85;
	return 0;
}

/*
 * The cost of a request: OpenRouter's own cost, plus, with a key of the
 * user's own at the upstream provider (BYOK), what that provider charged
 * the key (upstream_inference_cost): OpenRouter's cost is then only its
 * fee, and the user pays both. 1 with *nano set, 0 when no cost is known.
 */
struct cost_fields {
	struct json_object *cost, *is_byok, *upstream;
	const char *cost_name, *upstream_name;
};

static int billed_cost(const struct cost_fields *f, int64_t *nano,
		struct strbuf *err)
{
	int64_t up = 0;
	int r = jmoney(f->cost, f->cost_name, nano, err), u = 0;

	if (r < 0)
		return r;
	if (f->is_byok && json_object_is_type(f->is_byok, json_type_boolean) &&
	    json_object_get_boolean(f->is_byok))
		u = jmoney(f->upstream, f->upstream_name, &up, err);
	if (u < 0)
		return u;
	if (!r && !u)
		return 0;
	*nano = (r ? *nano : 0) + up;
	return 1;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct cost_fields f = {
		jpath(root, "usage", "cost", NULL),
		jpath(root, "usage", "is_byok", NULL),
		jpath(root, "usage", "cost_details", "upstream_inference_cost",
			NULL),
		"usage.cost", "usage.cost_details.upstream_inference_cost",
	};
	int64_t cost;
	int r = parse_chat_completion(root, e, err);

	if (r)
		return r;
	r = billed_cost(&f, &cost, err);
	if (r < 0)
		return r;
	if (r)
		entry_set_int(e, EF_BILLED_COST_USD, cost);
	return 0;
}

/* ---- sync: one generation lookup per entry ---- */

/* Waits before asking again about a generation that is not there yet. */
static int64_t retry_delay_ms(int64_t attempts)
{
	int64_t ms = 30 * MS_PER_SEC;

	while (attempts-- > 1 && ms < MS_PER_HOUR)
		ms *= 2;
	return ms < MS_PER_HOUR ? ms : MS_PER_HOUR;
}

struct lookup {
	struct entry e;
	struct strbuf url, auth;
};

static int count_from(struct entry *e, enum entry_field f,
		struct json_object *data, const char *key, struct strbuf *err)
{
	int64_t n;
	int r = jcount(jpath(data, key, NULL), key, &n, err);

	if (r > 0)
		entry_set_int(e, f, n);
	return r;
}

/* A generation record: native counts and the billed cost. */
static int apply_generation(struct entry *e, struct json_object *data,
		struct strbuf *err)
{
	struct cost_fields f = {
		jpath(data, "total_cost", NULL), jpath(data, "is_byok", NULL),
		jpath(data, "upstream_inference_cost", NULL),
		"total_cost", "upstream_inference_cost",
	};
	int64_t cost;
	int r;

	if (!data || !json_object_is_type(data, json_type_object))
		return fail(err, T_EPROVIDER, "no data in the generation");
	if (count_from(e, EF_BILLED_INPUT_TOKENS, data, "native_tokens_prompt",
			err) < 0 ||
	    count_from(e, EF_BILLED_OUTPUT_TOKENS, data,
			"native_tokens_completion", err) < 0 ||
	    count_from(e, EF_REASONING_TOKENS, data, "native_tokens_reasoning",
			err) < 0 ||
	    count_from(e, EF_CACHE_READ_TOKENS, data, "native_tokens_cached",
			err) < 0)
		return T_EPROVIDER;
	r = billed_cost(&f, &cost, err);
	if (r < 0)
		return r;
	if (r)
		entry_set_int(e, EF_BILLED_COST_USD, cost);
	if (!entry_has(e, EF_BILLED_INPUT_TOKENS) &&
	    !entry_has(e, EF_BILLED_OUTPUT_TOKENS))
		return fail(err, T_EPROVIDER, "the generation has no token "
				"counts");
	set_str_from(e, EF_MODEL_ID, data, "model");
	entry_set_str(e, EF_SOURCE, "provider_api");
	return 0;
}

/* A /generation answer, as sync reads it. */
static int generation_record(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	return apply_generation(e, jpath(root, "data", NULL), err);
}

static void not_yet(struct sync_run *run, struct entry *e)
{
	int64_t attempts = entry_get_int(e, EF_SYNC_ATTEMPTS) + 1;
	int64_t age = run->now - entry_time(e);

	if (age > run->max_window_days * MS_PER_DAY) {
		sync_mark(run, e, "sync_failed", "not_found");
		return;
	}
	entry_set_int(e, EF_SYNC_ATTEMPTS, attempts);
	entry_set_int(e, EF_NEXT_SYNC_AT, run->now + retry_delay_ms(attempts));
	run->stats.pending++;
	sync_emit(run, e);
}

static void refused_wait_warning(const struct sync_run *run,
		const struct http_job *job)
{
	struct strbuf asked = STRBUF_INIT, cap = STRBUF_INIT;

	duration_format_short(&asked, job->refused_wait_ms);
	duration_format_short(&cap, run->http.max_retry_after_ms);
	warning("openrouter answered HTTP %ld and asked to wait %s, longer "
			"than --max-wait %s: the entries it holds up stay pending",
			job->status, asked.buf, cap.buf);
	strbuf_release(&asked);
	strbuf_release(&cap);
}

static void settle_lookup(struct sync_run *run, struct lookup *lk,
		struct http_job *job)
{
	struct strbuf why = STRBUF_INIT;
	struct json_object *root;

	if (job->status == 404) {
		not_yet(run, &lk->e);
	} else if (job->status == 200) {
		root = json_parse_text(job->body.buf, job->body.len, &why);
		if (root && !generation_record(root, &lk->e, &why)) {
			sync_mark(run, &lk->e, "synced", NULL);
		} else {
			warning("openrouter: generation %s: %s",
					lk->e.provider_request_id, why.buf);
			run->stats.errors++;
			run->stats.pending++;
		}
		json_object_put(root);
	} else if (job->status >= 400 && job->status < 500 &&
		   job->status != 401 && job->status != 403 &&
		   job->status != 408 && job->status != 409 &&
		   job->status != 429) {
		strbuf_addf(&why, "http_%ld", job->status);
		sync_mark(run, &lk->e, "sync_failed", why.buf);
	} else {
		/* Network trouble, throttling, server errors: try later. */
		run->stats.errors++;
		run->stats.pending++;
		if (job->refused_wait_ms > 0 && !run->told_wait++)
			refused_wait_warning(run, job);
	}
	strbuf_release(&why);
}

/* Parses candidate i; returns 1 when it needs a lookup now. */
static int wants_lookup(struct sync_run *run, const char *row,
		struct lookup *lk)
{
	const char *why;
	int pending;

	if (entry_parse(&lk->e, row, strlen(row), &why))
		return 0;
	pending = lk->e.sync_status && !strcmp(lk->e.sync_status,
			"pending_sync");
	if (!pending && !run->force)
		return 0;
	if (!entry_has(&lk->e, EF_PROVIDER_REQUEST_ID)) {
		if (!run->dry_run)
			sync_mark(run, &lk->e, "sync_failed",
					"missing_correlation_id");
		return 0;
	}
	if (pending && !run->force && entry_has(&lk->e, EF_NEXT_SYNC_AT) &&
	    lk->e.next_sync_at > run->now) {
		run->stats.pending++;
		return 0;
	}
	return 1;
}

static int sync_generations(struct sync_run *run, struct strbuf *err)
{
	size_t n = run->entries.n, njobs = 0;
	struct lookup *lk = xcalloc(n ? n : 1, sizeof(*lk));
	struct http_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	size_t *which = xcalloc(n ? n : 1, sizeof(*which));
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		entry_init(&lk[i].e);
		strbuf_init(&lk[i].url, 0);
		strbuf_init(&lk[i].auth, 0);
		if (!wants_lookup(run, run->entries.rows[i], &lk[i]))
			continue;
		strbuf_addf(&lk[i].url, "%s/generation?id=", run->base_url);
		url_escape(&lk[i].url, lk[i].e.provider_request_id);
		if (run->dry_run) {
			sync_plan(run, lk[i].url.buf);
			continue;
		}
		strbuf_addf(&lk[i].auth, "Authorization: Bearer %s", run->key);
		http_job_init(&jobs[njobs], lk[i].url.buf);
		jobs[njobs].headers[0] = lk[i].auth.buf;
		which[njobs++] = i;
	}
	if (njobs)
		ret = sync_http(run, jobs, njobs, err);
	for (size_t j = 0; !ret && j < njobs; j++)
		if (!run->auth_failed)
			settle_lookup(run, &lk[which[j]], &jobs[j]);
	if (!ret && run->auth_failed)
		ret = fail(err, T_EAUTH, "openrouter refused the key in "
				"OPENROUTER_API_KEY (HTTP 401/403)");
	for (size_t j = 0; j < njobs; j++)
		http_job_release(&jobs[j]);
	for (size_t i = 0; i < n; i++) {
		entry_release(&lk[i].e);
		strbuf_release(&lk[i].url);
		strbuf_release(&lk[i].auth);
	}
	free(lk);
	free(jobs);
	free(which);
	return ret;
}

/* ---- quota: the key's remaining limit, or the account's credits ---- */

static int money_at(struct json_object *root, const char *a, const char *b,
		int64_t *out, struct strbuf *err)
{
	return jmoney(jpath(root, a, b, NULL), b, out, err);
}

static int quota_key(struct sync_run *run, struct strbuf *err)
{
	struct strbuf url_key = STRBUF_INIT, url_credits = STRBUF_INIT;
	struct strbuf auth = STRBUF_INIT, why = STRBUF_INIT, id = STRBUF_INIT;
	const char *parts[] = { "quota", "openrouter", NULL };
	struct http_job jobs[2];
	struct json_object *key = NULL, *credits = NULL;
	int64_t remaining, total, used;
	struct entry e;
	int ret = 0, have = 0;

	strbuf_addf(&url_key, "%s/key", run->base_url);
	strbuf_addf(&url_credits, "%s/credits", run->base_url);
	if (run->dry_run) {
		sync_plan(run, url_key.buf);
		sync_plan(run, url_credits.buf);
		goto out;
	}
	strbuf_addf(&auth, "Authorization: Bearer %s", run->key);
	http_job_init(&jobs[0], url_key.buf);
	http_job_init(&jobs[1], url_credits.buf);
	jobs[0].headers[0] = jobs[1].headers[0] = auth.buf;
	ret = sync_http(run, jobs, 2, err);
	if (!ret && (jobs[0].status == 401 || jobs[0].status == 403))
		ret = fail(err, T_EAUTH, "openrouter refused the key (HTTP %ld)",
				jobs[0].status);
	else if (!ret && jobs[0].status != 200)
		ret = fail(err, T_EPROVIDER, "openrouter: /api/v1/key answered "
				"%s%ld", jobs[0].status ? "HTTP " : "",
				jobs[0].status);
	if (!ret && !(key = json_parse_text(jobs[0].body.buf, jobs[0].body.len,
			&why)))
		ret = fail(err, T_EPROVIDER, "openrouter: /api/v1/key: %s",
				why.buf);
	/* Credits need a management key: without one, the key's limit it is. */
	if (!ret && jobs[1].status == 200)
		credits = json_parse_text(jobs[1].body.buf, jobs[1].body.len, &why);
	entry_init(&e);
	if (!ret && money_at(key, "data", "limit_remaining", &remaining, err) > 0)
		have = 1;
	else if (!ret && credits &&
		 money_at(credits, "data", "total_credits", &total, err) > 0 &&
		 money_at(credits, "data", "total_usage", &used, err) > 0) {
		remaining = total - used;
		have = 1;
	}
	if (!ret) {
		id_derived(&id, "q_", parts);
		entry_set_str(&e, EF_ENTRY_ID, id.buf);
		entry_set_str(&e, EF_PROVIDER_ID, "openrouter");
		entry_set_str(&e, EF_KIND, KIND_QUOTA);
		entry_set_str(&e, EF_SOURCE, "provider_api");
		entry_set_int(&e, EF_STARTED_AT, run->now);
		e.quota.provider_id = "openrouter";
		e.quota.v[QF_CAPTURED_AT] = run->now;
		e.quota.v[QF_REMAINING_USD] = remaining;
		e.quota.has = (1u << QF_PROVIDER_ID) | (1u << QF_CAPTURED_AT) |
			      (have ? 1u << QF_REMAINING_USD : 0);
		e.has |= 1ULL << EF_QUOTA_SNAPSHOT;
		sync_emit(run, &e);
	}
	entry_release(&e);
	json_object_put(key);
	json_object_put(credits);
	http_job_release(&jobs[0]);
	http_job_release(&jobs[1]);
out:
	strbuf_release(&url_key);
	strbuf_release(&url_credits);
	strbuf_release(&auth);
	strbuf_release(&why);
	strbuf_release(&id);
	return ret;
}

static const struct report_reader readers[] = {
	{ .name = "generation", .record = generation_record },
	{ 0 },
};

const struct provider provider_openrouter = {
	.id = "openrouter",
	.name = "OpenRouter",
	.base_url = "https://openrouter.ai/api/v1",
	.request_roots = { "generation", "key", "credits" },
	.sync_kind = SYNC_PER_REQUEST,
	.key_env = "OPENROUTER_API_KEY",
	.detect_response = detect,
	.parse_response = parse_response,
	.sync = sync_generations,
	.quota = quota_key,
	.report_readers = readers,
};
