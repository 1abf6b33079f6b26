/*
 * The log formats of the coding agents tally imports (tally-import(1)
 * says which fields are read and how). Each parser turns one line into
 * at most one entry, with the natural key that deduplicates it.
 */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "jsonscan.h"
#include "json-simd.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

/* ---- helpers ---- */

static char *str(const struct js_span *sp, struct mempool *pool)
{
	return sp->p ? js_unescape(sp, pool) : NULL;
}

/* A count: a whole number, or null (0). -1 for anything else. */
static int count(struct jscan *s, int64_t *out)
{
	if (js_null(s) == 1) {
		*out = 0;
		return 0;
	}
	return js_int64(s, out) < 0 || *out < 0 || *out > ENTRY_MAX_TOKENS ?
		-1 : 0;
}

static int string_or_skip(struct jscan *s, struct js_span *out)
{
	if (js_peek(s) == JS_STRING)
		return js_string(s, out);
	memset(out, 0, sizeof(*out));
	return js_skip(s);
}

/* The natural key: parts copied into the line's pool. */
static void set_key(struct import_item *it, struct mempool *pool,
		const char *const *parts)
{
	size_t i;

	for (i = 0; parts[i] && i < 4; i++)
		it->key[i] = mempool_strdup(pool, parts[i]);
	it->key[i] = NULL;
}

static int semver_like(const struct js_span *v)
{
	int dots = 0, digits = 0;

	for (size_t i = 0; i < v->len; i++) {
		char c = v->p[i];

		if (c >= '0' && c <= '9')
			digits++;
		else if (c == '.' && digits)
			dots++, digits = 0;
		else
			break;
	}
	return dots >= 2 && digits;
}

/* ---- Claude Code ---- */

struct cc_rec {
	struct js_span timestamp, session, request, cwd, version, uuid;
	struct js_span msg_id, model, cost, speed;
	int sidechain, api_error, has_usage, has_cc_object;
	int64_t in, out, cw, cr, cw5, cw1h, searches;
};

static int cc_cache_creation(struct jscan *s, struct cc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	r->has_cc_object = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "ephemeral_5m_input_tokens"))
			ret = count(s, &r->cw5);
		else if (js_key_is(&key, "ephemeral_1h_input_tokens"))
			ret = count(s, &r->cw1h);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cc_server_tools(struct jscan *s, struct cc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		ret = js_key_is(&key, "web_search_requests") ?
			count(s, &r->searches) : js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cc_usage(struct jscan *s, struct cc_rec *r)
{
	struct js_span key;
	int ret, in = 0, out = 0;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "input_tokens"))
			ret = count(s, &r->in), in = 1;
		else if (js_key_is(&key, "output_tokens"))
			ret = count(s, &r->out), out = 1;
		else if (js_key_is(&key, "cache_creation_input_tokens"))
			ret = count(s, &r->cw);
		else if (js_key_is(&key, "cache_read_input_tokens"))
			ret = count(s, &r->cr);
		else if (js_key_is(&key, "cache_creation"))
			ret = cc_cache_creation(s, r);
		else if (js_key_is(&key, "server_tool_use"))
			ret = cc_server_tools(s, r);
		else if (js_key_is(&key, "speed"))
			ret = string_or_skip(s, &r->speed);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	r->has_usage = in && out;
	return ret;
}

static int cc_message(struct jscan *s, struct cc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "id"))
			ret = string_or_skip(s, &r->msg_id);
		else if (js_key_is(&key, "model"))
			ret = string_or_skip(s, &r->model);
		else if (js_key_is(&key, "usage"))
			ret = cc_usage(s, r);
		else if (js_key_is(&key, "content"))
			ret = js_skip_lazy(s);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cc_bool(struct jscan *s, int *out)
{
	enum js_kind k = js_peek(s);

	*out = k == JS_TRUE;
	return js_skip(s);
}

static int cc_record(struct jscan *s, struct cc_rec *r, int depth);

/* {"data": {"message": {<a record>}}}: agent progress lines. */
static int cc_data(struct jscan *s, struct cc_rec *r, int depth)
{
	struct js_span key;
	int ret;

	if (depth > 2)
		return js_skip(s);
	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		ret = js_key_is(&key, "message") ? cc_record(s, r, depth + 1) :
			js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int cc_record(struct jscan *s, struct cc_rec *r, int depth)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "timestamp"))
			ret = string_or_skip(s, &r->timestamp);
		else if (js_key_is(&key, "sessionId"))
			ret = string_or_skip(s, &r->session);
		else if (js_key_is(&key, "requestId"))
			ret = string_or_skip(s, &r->request);
		else if (js_key_is(&key, "cwd"))
			ret = string_or_skip(s, &r->cwd);
		else if (js_key_is(&key, "version"))
			ret = string_or_skip(s, &r->version);
		else if (js_key_is(&key, "uuid"))
			ret = string_or_skip(s, &r->uuid);
		else if (js_key_is(&key, "isSidechain"))
			ret = cc_bool(s, &r->sidechain);
		else if (js_key_is(&key, "isApiErrorMessage"))
			ret = cc_bool(s, &r->api_error);
		else if (js_key_is(&key, "costUSD") && js_peek(s) == JS_NUMBER)
			ret = js_number(s, &r->cost);
		else if (js_key_is(&key, "message"))
			ret = cc_message(s, r);
		else if (js_key_is(&key, "data"))
			ret = cc_data(s, r, depth);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int empty_string(const struct js_span *sp)
{
	return sp->p && !sp->len;
}

static int cc_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cc_rec r;
	struct jscan s;
	struct entry *e = it->e;
	int64_t when, cw, cost = 0;
	char *model, *session, *msg_id;

	/*
	 * Most lines are user turns and tool results: no usage to read.
	 * An agent writes the usage block after the message content, so it
	 * is looked for from the end; only lines without one are read whole.
	 */
	if (!contains_from_end(text, len, "\"usage\"", 7)) {
		*skip = SKIP_NO_USAGE;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	js_init(&s, text, len);
	if (cc_record(&s, &r, 0) < 0 || !js_at_end(&s)) {
		*skip = SKIP_MALFORMED;
		return 0;
	}
	if (!r.has_usage) {
		*skip = SKIP_NO_USAGE;
		return 0;
	}
	model = str(&r.model, f->pool);
	if (model && !strcmp(model, "<synthetic>")) {
		*skip = SKIP_SYNTHETIC;
		return 0;
	}
	if (!r.timestamp.p || time_parse_iso(r.timestamp.p, r.timestamp.len,
			&when) || !model || !*model || empty_string(&r.session) ||
	    empty_string(&r.request) || empty_string(&r.msg_id) ||
	    (r.version.p && !semver_like(&r.version))) {
		*skip = SKIP_INCOMPLETE;
		return 0;
	}
	cw = r.has_cc_object ? r.cw5 + r.cw1h : r.cw;
	if (!r.in && !r.out && !cw && !r.cr) {
		*skip = SKIP_ZERO;
		return 0;
	}
	session = str(&r.session, f->pool);
	msg_id = str(&r.msg_id, f->pool);
	if (msg_id) {
		const char *parts[] = { "claude-code", msg_id, NULL };

		set_key(it, f->pool, parts);
	} else {
		/* No message id: the line itself is the key. */
		char *uuid = str(&r.uuid, f->pool);
		const char *parts[] = { "claude-code-line", session ? session :
			"", uuid ? uuid : mempool_strndup(f->pool, text, len),
			NULL };

		set_key(it, f->pool, parts);
	}
	/* costUSD is the agent's own estimate, not a bill. */
	if (r.cost.p && (money_parse(r.cost.p, r.cost.len, &cost) || cost < 0))
		r.cost.p = NULL;
	it->total = r.in + r.out + cw + r.cr;
	it->cost = r.cost.p ? cost : 0;
	it->sidechain = r.sidechain;
	/* Most lines repeat a message already read: no entry for those. */
	if (!import_wanted(f, it))
		return 2;
	entry_set_str(e, EF_PROVIDER_ID, "anthropic");
	entry_set_str(e, EF_MODEL_ID, model);
	entry_set_int(e, EF_STARTED_AT, when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, r.in + cw + r.cr);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r.out);
	entry_set_int(e, EF_CACHE_READ_TOKENS, r.cr);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, cw);
	if (r.has_cc_object && r.cw1h > 0)
		entry_set_int(e, EF_CACHE_WRITE_1H_TOKENS, r.cw1h);
	if (r.searches > 0)
		entry_set_int(e, EF_WEB_SEARCHES, r.searches);
	entry_set_str(e, EF_STATUS, r.api_error ? "failed" : "completed");
	if (session) {
		struct strbuf sr = STRBUF_INIT;

		strbuf_addstr(&sr, "claude-code:");
		strbuf_addstr(&sr, session);
		entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
		strbuf_release(&sr);
	}
	if (r.request.p)
		entry_set_str(e, EF_REQUEST_ID, str(&r.request, f->pool));
	if (msg_id)
		entry_set_str(e, EF_PROVIDER_REQUEST_ID, msg_id);
	if (r.cwd.p && r.cwd.len)
		entry_set_tag(e, "project", str(&r.cwd, f->pool));
	if (r.cost.p) {
		entry_set_int(e, EF_ESTIMATED_COST_USD, cost);
		entry_set_str(e, EF_PRICE_ID, "claude-code:costUSD");
	}
	return 1;
}

static void add_dir(struct string_list *dirs, const char *base,
		const char *sub)
{
	struct strbuf p = STRBUF_INIT;

	path_join(&p, base, sub);
	string_list_append(dirs, strbuf_detach(&p, NULL));
}

static void cc_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("CLAUDE_CONFIG_DIR");
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_CONFIG_HOME");

	if (env && *env) {
		/* A comma-separated list; each holds a projects directory. */
		while (*env) {
			size_t n = strcspn(env, ",");

			strbuf_reset(scratch);
			strbuf_add(scratch, env, n);
			if (n)
				add_dir(dirs, scratch->buf, "projects");
			env += n + (env[n] == ',');
		}
		return;
	}
	strbuf_reset(scratch);
	if (xdg && *xdg == '/')
		path_join(scratch, xdg, "claude");
	else
		path_join(scratch, home ? home : "/", ".config/claude");
	add_dir(dirs, scratch->buf, "projects");
	add_dir(dirs, home ? home : "/", ".claude/projects");
}

static const char *const cc_subdirs[] = { "projects", NULL };

const struct agent agent_claude_code = {
	.name = "claude-code",
	.source = "import:claude-code",
	.default_dirs = cc_default_dirs,
	.subdirs = cc_subdirs,
	.suffix = ".jsonl",
	.line = cc_line,
};

/* ---- Codex CLI ---- */

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
			ret = count(s, &u->v[i]);
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
};

static int cx_model_object(struct jscan *s, struct cx_event *ev)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		ret = js_key_is(&key, "model") ? string_or_skip(s, &ev->model) :
			js_skip(s);
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
			ret = string_or_skip(s, &ev->model);
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
			ret = string_or_skip(s, &ev->payload_type);
		else if (js_key_is(&key, "model") && !ev->model.p)
			ret = string_or_skip(s, &ev->model);
		else if (js_key_is(&key, "info"))
			ret = cx_info(s, ev);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int span_is(const struct js_span *sp, const char *s)
{
	return sp->p && sp->len == strlen(s) && !memcmp(sp->p, s, sp->len);
}

static void cx_remember_model(struct import_file *f, const struct js_span *m)
{
	size_t n = m->len < sizeof(f->model) - 1 ? m->len :
		sizeof(f->model) - 1;

	if (!m->p || !m->len || m->escaped)
		return;
	memcpy(f->model, m->p, n);
	f->model[n] = '\0';
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
			ret = string_or_skip(&s, &ev->timestamp);
		else if (js_key_is(&key, "type"))
			ret = string_or_skip(&s, &ev->type);
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
static int cx_in_replay(const struct import_file *f, const struct cx_event *ev)
{
	return ev->timestamp.p && ev->timestamp.len >= 19 &&
	       !memcmp(ev->timestamp.p, f->replay_second, 19);
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
	char *buf = xmalloc(CX_REPLAY_SCAN);
	ssize_t n = pread_all(fd, buf, CX_REPLAY_SCAN, 0);
	char first[20] = "";
	const char *p, *end;

	f->replay_second[0] = '\0';
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
					memcpy(f->replay_second, first, 20);
				break;
			}
		}
		p = nl + 1;
	}
out:
	free(buf);
}

static int cx_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cx_event ev;
	struct entry *e = it->e;
	int64_t when, d[5];
	int reset;

	if (cx_parse(text, len, &ev))
		goto malformed;
	if (span_is(&ev.type, "turn_context")) {
		cx_remember_model(f, &ev.model);
		*skip = SKIP_NO_USAGE;
		return 0;
	}
	if (!cx_counts(&ev)) {
		*skip = SKIP_NO_USAGE;
		return 0;
	}
	if (f->replay_second[0] && cx_in_replay(f, &ev)) {
		if (ev.total.present) {
			memcpy(f->prev, ev.total.v, sizeof(f->prev));
			f->has_prev = 1;
		}
		*skip = SKIP_REPLAY;
		return 0;
	}
	f->replay_second[0] = '\0';
	/*
	 * Codex emits the same token count again now and then: a total that
	 * did not grow is a repeat and counts nothing, even though it carries
	 * a last_token_usage. A total that shrank starts counting anew.
	 */
	if (ev.total.present && f->has_prev &&
	    !memcmp(ev.total.v, f->prev, sizeof(f->prev))) {
		*skip = SKIP_REPEAT;
		return 0;
	}
	reset = ev.total.present && f->has_prev &&
		ev.total.v[CX_TOTAL] < f->prev[CX_TOTAL];
	cx_remember_model(f, &ev.model);
	if (!ev.timestamp.p || time_parse_iso(ev.timestamp.p, ev.timestamp.len,
			&when)) {
		*skip = SKIP_INCOMPLETE;
		return 0;
	}
	/* The delta: the last turn's usage, or the growth of the total. */
	for (int i = 0; i < 5; i++) {
		int64_t prev = f->has_prev && !reset ? f->prev[i] : 0;

		d[i] = ev.last.present ? ev.last.v[i] :
			ev.total.v[i] > prev ? ev.total.v[i] - prev : 0;
	}
	if (ev.total.present) {
		memcpy(f->prev, ev.total.v, sizeof(f->prev));
		f->has_prev = 1;
	}
	if (!d[CX_INPUT] && !d[CX_OUTPUT] && !d[CX_CACHED] &&
	    !d[CX_REASONING]) {
		*skip = SKIP_ZERO;
		return 0;
	}
	if (d[CX_CACHED] > d[CX_INPUT])
		d[CX_CACHED] = d[CX_INPUT];
	{
		char ts[64], tot[32];
		const char *parts[] = { "codex", f->rel, ts, tot, NULL };

		snprintf(ts, sizeof(ts), "%.*s", (int)ev.timestamp.len,
				ev.timestamp.p);
		snprintf(tot, sizeof(tot), "%lld", (long long)(ev.total.present ?
				ev.total.v[CX_TOTAL] : d[CX_TOTAL]));
		set_key(it, f->pool, parts);
	}
	entry_set_str(e, EF_PROVIDER_ID, "openai");
	entry_set_str(e, EF_MODEL_ID, f->model[0] ? f->model : "unknown");
	entry_set_int(e, EF_STARTED_AT, when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, d[CX_INPUT]);
	entry_set_int(e, EF_CACHE_READ_TOKENS, d[CX_CACHED]);
	/* Reasoning is already inside the output tokens. */
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, d[CX_OUTPUT]);
	if (d[CX_REASONING])
		entry_set_int(e, EF_REASONING_TOKENS,
				d[CX_REASONING] < d[CX_OUTPUT] ?
				d[CX_REASONING] : d[CX_OUTPUT]);
	entry_set_str(e, EF_STATUS, "completed");
	{
		struct strbuf sr = STRBUF_INIT;
		size_t n = strlen(f->rel);

		strbuf_addf(&sr, "codex:%.*s", (int)(n > 6 &&
				!strcmp(f->rel + n - 6, ".jsonl") ? n - 6 : n),
				f->rel);
		entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
		strbuf_release(&sr);
	}
	it->total = d[CX_INPUT] + d[CX_OUTPUT];
	return 1;
malformed:
	*skip = SKIP_MALFORMED;
	return 0;
}

static void cx_state_reset(struct import_file *f)
{
	memset(f->prev, 0, sizeof(f->prev));
	f->has_prev = 0;
	f->model[0] = '\0';
	f->replay_second[0] = '\0';
}

static void cx_state_save(const struct import_file *f, struct strbuf *out)
{
	strbuf_addch(out, '{');
	if (f->has_prev)
		strbuf_addf(out, "\"prev\":[%lld,%lld,%lld,%lld,%lld]%s",
				(long long)f->prev[0], (long long)f->prev[1],
				(long long)f->prev[2], (long long)f->prev[3],
				(long long)f->prev[4], f->model[0] ? "," : "");
	if (f->model[0]) {
		strbuf_addstr(out, "\"model\":\"");
		for (const char *c = f->model; *c; c++)
			if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20)
				strbuf_addch(out, *c);
		strbuf_addch(out, '"');
	}
	/* A replay still going on where this run stopped reading. */
	if (f->replay_second[0])
		strbuf_addf(out, "%s\"replay\":\"%s\"", f->has_prev ||
				f->model[0] ? "," : "", f->replay_second);
	strbuf_addch(out, '}');
}

static void cx_state_load(struct import_file *f, const char *text)
{
	struct jscan s;
	struct js_span key, v;
	int ret;

	js_init(&s, text, strlen(text));
	if (js_object_begin(&s) < 0)
		return;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "prev") && js_array_begin(&s) == 0) {
			int i = 0;

			while (js_element(&s) > 0) {
				int64_t n = 0;

				if (js_int64(&s, &n) < 0)
					return;
				if (i < 5)
					f->prev[i++] = n;
			}
			f->has_prev = i == 5;
		} else if (js_key_is(&key, "model") &&
			   js_string(&s, &v) == 0) {
			cx_remember_model(f, &v);
		} else if (js_key_is(&key, "replay") &&
			   js_string(&s, &v) == 0) {
			if (v.len == 19 && !v.escaped) {
				memcpy(f->replay_second, v.p, 19);
				f->replay_second[19] = '\0';
			}
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
	add_dir(dirs, scratch->buf, "sessions");
	add_dir(dirs, scratch->buf, "archived_sessions");
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
	.state_load = cx_state_load,
	.state_save = cx_state_save,
	.state_reset = cx_state_reset,
};

/* ---- an editor plugin's JSON lines ---- */

struct cb_rec {
	struct js_span timestamp, provider, model, currency, cost;
	int64_t prompt, completion, total;
	int has_prompt, has_completion;
};

static int cb_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cb_rec r;
	struct jscan s;
	struct js_span key;
	struct entry *e = it->e;
	int64_t when;
	char *provider;
	int ret;

	memset(&r, 0, sizeof(r));
	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		goto malformed;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "timestamp"))
			ret = string_or_skip(&s, &r.timestamp);
		else if (js_key_is(&key, "provider"))
			ret = string_or_skip(&s, &r.provider);
		else if (js_key_is(&key, "model"))
			ret = string_or_skip(&s, &r.model);
		else if (js_key_is(&key, "currency"))
			ret = string_or_skip(&s, &r.currency);
		else if (js_key_is(&key, "estimated_cost") &&
			 js_peek(&s) == JS_NUMBER)
			ret = js_number(&s, &r.cost);
		else if (js_key_is(&key, "prompt_tokens"))
			ret = count(&s, &r.prompt), r.has_prompt = 1;
		else if (js_key_is(&key, "completion_tokens"))
			ret = count(&s, &r.completion), r.has_completion = 1;
		else if (js_key_is(&key, "total_tokens"))
			ret = count(&s, &r.total);
		else
			ret = js_skip(&s);
		if (ret < 0)
			goto malformed;
	}
	if (ret < 0 || !js_at_end(&s))
		goto malformed;
	if (!r.has_prompt && !r.has_completion) {
		*skip = SKIP_NO_USAGE;
		return 0;
	}
	if (!r.timestamp.p || time_parse_iso(r.timestamp.p, r.timestamp.len,
			&when) || !r.provider.len || !r.model.len) {
		*skip = SKIP_INCOMPLETE;
		return 0;
	}
	{
		const char *parts[] = { "codingbuddy",
			mempool_strndup(f->pool, text, len), NULL };

		set_key(it, f->pool, parts);
	}
	provider = str(&r.provider, f->pool);
	for (char *c = provider; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	entry_set_str(e, EF_PROVIDER_ID, provider);
	entry_set_str(e, EF_MODEL_ID, str(&r.model, f->pool));
	entry_set_int(e, EF_STARTED_AT, when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, r.prompt);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r.completion);
	entry_set_str(e, EF_STATUS, "completed");
	if (r.cost.p && r.currency.len == 3 &&
	    !strncasecmp(r.currency.p, "USD", 3)) {
		int64_t nano;

		if (!money_parse(r.cost.p, r.cost.len, &nano) && nano >= 0) {
			entry_set_int(e, EF_ESTIMATED_COST_USD, nano);
			entry_set_str(e, EF_PRICE_ID, "codingbuddy:estimated_cost");
			it->cost = nano;
		}
	}
	it->total = r.prompt + r.completion;
	return 1;
malformed:
	*skip = SKIP_MALFORMED;
	return 0;
}

static void cb_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	(void)dirs;
	(void)scratch;
}

const struct agent agent_codingbuddy = {
	.name = "codingbuddy",
	.source = "import:codingbuddy",
	.default_dirs = cb_default_dirs,
	.suffix = ".jsonl",
	.line = cb_line,
};
