/*
 * Codex CLI's rollouts: ~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl, one
 * event per line. Token counts come as running totals with the last
 * turn's usage; the model comes from turn_context events. tally-import(1)
 * says how repeats and a subagent's replay of its parent are told apart.
 */
#include "agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codex-plan.h"
#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

enum { CX_INPUT, CX_CACHED, CX_OUTPUT, CX_REASONING, CX_TOTAL };

static const char *const cx_names[] = { "input_tokens",
	"cached_input_tokens", "output_tokens", "reasoning_output_tokens",
	"total_tokens" };

struct cx_usage {
	int64_t v[5];
	int present;
	int has_total_field;
};

static int cx_usage(struct jscan *s, struct cx_usage *u)
{
	struct js_span key;
	int ret;

	memset(u, 0, sizeof(*u));
	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	u->present = 1;
	while ((ret = js_member(s, &key)) > 0) {
		size_t i;

		for (i = 0; i < 5; i++)
			if (js_key_is(&key, cx_names[i]))
				break;
		if (i == 5) {
			ret = js_skip(s);
		} else {
			ret = scan_count(s, &u->v[i]);
			if (i == CX_TOTAL)
				u->has_total_field = 1;
		}
		if (ret < 0)
			return -1;
	}
	if (!u->has_total_field)
		u->v[CX_TOTAL] = u->v[CX_INPUT] + u->v[CX_OUTPUT];
	return ret;
}

struct cx_event {
	struct js_span timestamp, type, payload_type, model;
	struct cx_usage total, last;
	struct cx_plan plan;       /* rate_limits: codex-plan.h */
};

static int cx_model_object(struct jscan *s, struct cx_event *ev)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		ret = js_key_is(&key, "model") ?
			scan_string_or_skip(s, &ev->model) : js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cx_info(struct jscan *s, struct cx_event *ev)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "total_token_usage"))
			ret = cx_usage(s, &ev->total);
		else if (js_key_is(&key, "last_token_usage"))
			ret = cx_usage(s, &ev->last);
		else if (js_key_is(&key, "model") ||
			 js_key_is(&key, "model_name"))
			ret = scan_string_or_skip(s, &ev->model);
		else if (js_key_is(&key, "metadata"))
			ret = cx_model_object(s, ev);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cx_payload(struct jscan *s, struct cx_event *ev)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "type"))
			ret = scan_string_or_skip(s, &ev->payload_type);
		else if (js_key_is(&key, "model") && !ev->model.p)
			ret = scan_string_or_skip(s, &ev->model);
		else if (js_key_is(&key, "info"))
			ret = cx_info(s, ev);
		else if (js_key_is(&key, "rate_limits"))
			ret = cx_plan_scan(s, &ev->plan);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/* What a rollout has said so far, kept across runs. */
struct cx_state {
	int64_t prev[5];           /* the last running totals */
	int has_prev;
	char model[128];           /* of the last turn_context */
	/*
	 * In a subagent's rollout, the second (YYYY-MM-DDThh:mm:ss) whose
	 * token counts at the start replay the parent's history.
	 */
	char replay_second[20];
	struct cx_plan_state plan;  /* the plan's windows kept last */
};

static void cx_remember_model(struct cx_state *st, const struct js_span *m)
{
	size_t n = m->len < sizeof(st->model) - 1 ? m->len :
		sizeof(st->model) - 1;

	if (!m->p || !m->len || m->escaped)
		return;
	memcpy(st->model, m->p, n);
	st->model[n] = '\0';
}

/* Reads one rollout line into ev. 0, or -1 when it is not valid JSON. */
static int cx_parse(const char *text, size_t len, struct cx_event *ev)
{
	struct jscan s;
	struct js_span key;
	int ret;

	memset(ev, 0, sizeof(*ev));
	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		return -1;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "timestamp"))
			ret = scan_string_or_skip(&s, &ev->timestamp);
		else if (js_key_is(&key, "type"))
			ret = scan_string_or_skip(&s, &ev->type);
		else if (js_key_is(&key, "payload"))
			ret = cx_payload(&s, ev);
		else
			ret = js_skip(&s);
		if (ret < 0)
			return -1;
	}
	return ret < 0 || !js_at_end(&s) ? -1 : 0;
}

static int cx_counts(const struct cx_event *ev)
{
	return span_is(&ev->payload_type, "token_count") &&
	       (ev->total.present || ev->last.present);
}

/* Whether ev is a token count at the second of a parent's replay. */
static int cx_in_replay(const struct cx_state *st, const struct cx_event *ev)
{
	return ev->timestamp.p && ev->timestamp.len >= 19 &&
	       !memcmp(ev->timestamp.p, st->replay_second, 19);
}

/*
 * A subagent's rollout (one that mentions thread_spawn near its start)
 * begins by replaying the parent's history: several token counts stamped
 * with the same second. When its first two token counts share a second,
 * the counts of that second are the replay: they set the baseline of the
 * totals and count nothing (as ccusage reads such files).
 */
#define CX_HEAD (16u << 10)
#define CX_REPLAY_SCAN (1u << 20)

static int has_bytes(const char *buf, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (const char *p = buf; (size_t)(p - buf) + m <= n; p++) {
		p = memchr(p, *needle, n - m + 1 - (size_t)(p - buf));
		if (!p)
			return 0;
		if (!memcmp(p, needle, m))
			return 1;
	}
	return 0;
}

static void cx_begin(struct import_file *f, int fd)
{
	struct cx_state *st = f->state;
	char *buf = xmalloc(CX_REPLAY_SCAN);
	ssize_t n = pread_all(fd, buf, CX_REPLAY_SCAN, 0);
	char first[20] = "";
	const char *p, *end;

	st->replay_second[0] = '\0';
	if (n <= 0 || !has_bytes(buf, (size_t)n < CX_HEAD ? (size_t)n : CX_HEAD,
			"thread_spawn"))
		goto out;
	for (p = buf, end = buf + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct cx_event ev;

		if (!nl)
			break;
		if (!cx_parse(p, (size_t)(nl - p), &ev) && cx_counts(&ev) &&
		    ev.timestamp.p && ev.timestamp.len >= 19) {
			if (!first[0]) {
				memcpy(first, ev.timestamp.p, 19);
				first[19] = '\0';
			} else {
				if (!memcmp(first, ev.timestamp.p, 19))
					memcpy(st->replay_second, first, 20);
				break;
			}
		}
		p = nl + 1;
	}
out:
	free(buf);
}

/* A turn's usage: the growth of the totals, or the last turn's counts. */
struct cx_turn {
	struct cx_event ev;
	int64_t when, d[5];
};

static void cx_take_total(struct cx_state *st, const struct cx_event *ev)
{
	if (!ev->total.present)
		return;
	memcpy(st->prev, ev->total.v, sizeof(st->prev));
	st->has_prev = 1;
}

/*
 * Reads a line, follows the rollout's state and works out the turn's
 * usage. 1 with t set, or 0 with *skip set.
 */
static int cx_scan(struct cx_state *st, const char *text, size_t len,
		struct cx_turn *t, enum import_skip *skip)
{
	struct cx_event *ev = &t->ev;
	int reset;

	*skip = SKIP_MALFORMED;
	if (cx_parse(text, len, ev))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (span_is(&ev->type, "turn_context"))
		cx_remember_model(st, &ev->model);
	if (!cx_counts(ev))
		return 0;
	if (st->replay_second[0] && cx_in_replay(st, ev)) {
		cx_take_total(st, ev);
		*skip = SKIP_REPLAY;
		return 0;
	}
	st->replay_second[0] = '\0';
	/*
	 * Codex emits the same token count again now and then: a total that
	 * did not grow is a repeat and counts nothing, even though it carries
	 * a last_token_usage. A total that shrank starts counting anew.
	 */
	if (ev->total.present && st->has_prev &&
	    !memcmp(ev->total.v, st->prev, sizeof(st->prev))) {
		*skip = SKIP_REPEAT;
		return 0;
	}
	reset = ev->total.present && st->has_prev &&
		ev->total.v[CX_TOTAL] < st->prev[CX_TOTAL];
	cx_remember_model(st, &ev->model);
	if (!ev->timestamp.p || time_parse_iso(ev->timestamp.p,
			ev->timestamp.len, &t->when)) {
		*skip = SKIP_INCOMPLETE;
		return 0;
	}
	for (int i = 0; i < 5; i++) {
		int64_t prev = st->has_prev && !reset ? st->prev[i] : 0;

		t->d[i] = ev->last.present ? ev->last.v[i] :
			ev->total.v[i] > prev ? ev->total.v[i] - prev : 0;
	}
	cx_take_total(st, ev);
	if (!t->d[CX_INPUT] && !t->d[CX_OUTPUT] && !t->d[CX_CACHED] &&
	    !t->d[CX_REASONING]) {
		*skip = SKIP_ZERO;
		return 0;
	}
	if (t->d[CX_CACHED] > t->d[CX_INPUT])
		t->d[CX_CACHED] = t->d[CX_INPUT];
	return 1;
}

/* The natural key: the rollout, the event's time and its running total. */
static void cx_key(struct import_file *f, const struct cx_turn *t,
		struct import_item *it)
{
	const struct cx_event *ev = &t->ev;
	char ts[64], tot[32];
	const char *parts[] = { "codex", f->rel, ts, tot, NULL };

	snprintf(ts, sizeof(ts), "%.*s", (int)ev->timestamp.len,
			ev->timestamp.p);
	snprintf(tot, sizeof(tot), "%lld", (long long)(ev->total.present ?
			ev->total.v[CX_TOTAL] : t->d[CX_TOTAL]));
	item_set_key(it, f->pool, parts);
	it->total = t->d[CX_INPUT] + t->d[CX_OUTPUT];
}

static void cx_fill(const struct import_file *f, const struct cx_turn *t,
		struct entry *e)
{
	const struct cx_state *st = f->state;
	const int64_t *d = t->d;
	struct strbuf sr = STRBUF_INIT;
	size_t n = strlen(f->rel);

	entry_set_str(e, EF_PROVIDER_ID, "openai");
	entry_set_str(e, EF_MODEL_ID, st->model[0] ? st->model : "unknown");
	entry_set_int(e, EF_STARTED_AT, t->when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, d[CX_INPUT]);
	entry_set_int(e, EF_CACHE_READ_TOKENS, d[CX_CACHED]);
	/* Reasoning is already inside the output tokens. */
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, d[CX_OUTPUT]);
	if (d[CX_REASONING])
		entry_set_int(e, EF_REASONING_TOKENS,
				d[CX_REASONING] < d[CX_OUTPUT] ?
				d[CX_REASONING] : d[CX_OUTPUT]);
	entry_set_str(e, EF_STATUS, "completed");
	/* The session is the rollout: its path without .jsonl. */
	if (n > 6 && !strcmp(f->rel + n - 6, ".jsonl"))
		n -= 6;
	strbuf_addf(&sr, "codex:%.*s", (int)n, f->rel);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
}

static int cx_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cx_state *st = f->state;
	struct cx_turn t;
	int64_t at;

	if (!cx_scan(st, text, len, &t, skip)) {
		/*
		 * A token count without usage (info null) or repeating its
		 * total still says where the plan stands; one replayed from
		 * the parent says where it stood then, and is not kept.
		 */
		if (*skip != SKIP_MALFORMED && *skip != SKIP_REPLAY &&
		    span_is(&t.ev.payload_type, "token_count") &&
		    t.ev.timestamp.p && !time_parse_iso(t.ev.timestamp.p,
				t.ev.timestamp.len, &at))
			cx_plan_note(f, &st->plan, &t.ev.plan, at);
		return 0;
	}
	cx_plan_note(f, &st->plan, &t.ev.plan, t.when);
	cx_key(f, &t, it);
	cx_fill(f, &t, it->e);
	return 1;
}

static void cx_state_reset(struct import_file *f)
{
	memset(f->state, 0, sizeof(struct cx_state));
}

static void cx_state_save(const struct import_file *f, struct strbuf *out)
{
	const struct cx_state *st = f->state;
	struct jsonw w;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	if (st->has_prev) {
		jw_key(&w, "prev");
		jw_array_begin(&w);
		for (int i = 0; i < 5; i++)
			jw_int(&w, st->prev[i]);
		jw_array_end(&w);
	}
	if (st->model[0])
		jw_kv_string(&w, "model", st->model);
	/* A replay still going on where this run stopped reading. */
	if (st->replay_second[0])
		jw_kv_string(&w, "replay", st->replay_second);
	cx_plan_state_save(&st->plan, &w);
	jw_object_end(&w);
}

static int cx_load_prev(struct jscan *s, struct cx_state *st)
{
	int i = 0;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s);
	if (js_array_begin(s) < 0)
		return -1;
	while (js_element(s) > 0) {
		int64_t n = 0;

		if (js_int64(s, &n) < 0)
			return -1;
		if (i < 5)
			st->prev[i++] = n;
	}
	st->has_prev = i == 5;
	return 0;
}

static void cx_state_load(struct import_file *f, const char *text)
{
	struct cx_state *st = f->state;
	struct jscan s;
	struct js_span key, v;
	int ret;

	js_init(&s, text, strlen(text));
	if (js_object_begin(&s) < 0)
		return;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "prev")) {
			if (cx_load_prev(&s, st) < 0)
				return;
		} else if (js_key_is(&key, "model") &&
			   js_string(&s, &v) == 0) {
			cx_remember_model(st, &v);
		} else if (js_key_is(&key, "replay") &&
			   js_string(&s, &v) == 0) {
			if (v.len == 19 && !v.escaped) {
				memcpy(st->replay_second, v.p, 19);
				st->replay_second[19] = '\0';
			}
		} else if (js_key_is(&key, "plan")) {
			if (cx_plan_state_load(&s, &st->plan) < 0)
				return;
		} else if (js_skip(&s) < 0) {
			return;
		}
	}
}

static void cx_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("CODEX_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	if (env && *env)
		strbuf_addstr(scratch, env);
	else
		path_join(scratch, home ? home : "/", ".codex");
	dirs_add(dirs, scratch->buf, "sessions");
	dirs_add(dirs, scratch->buf, "archived_sessions");
}

static const char *const cx_subdirs[] = { "sessions", "archived_sessions",
	NULL };

const struct agent agent_codex = {
	.name = "codex",
	.source = "import:codex",
	.default_dirs = cx_default_dirs,
	.subdirs = cx_subdirs,
	.suffix = ".jsonl",
	.line = cx_line,
	.begin = cx_begin,
	.state_size = sizeof(struct cx_state),
	.state_load = cx_state_load,
	.state_save = cx_state_save,
	.state_reset = cx_state_reset,
	.usage_args = "[<dir>...]",
};
