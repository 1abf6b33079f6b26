/*
 * Claude Code's transcripts: ~/.claude/projects/<project>/<session>.jsonl,
 * one JSON record per line; assistant turns carry the API's usage block.
 * tally-import(1) says which fields are read.
 */
#include "agent.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/json-simd.h"
#include "../lib/money.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

struct cc_rec {
	struct js_span timestamp, session, request, cwd, version, uuid;
	struct js_span msg_id, model, cost, speed;
	int sidechain, api_error, has_usage, has_cc_object;
	int64_t in, out, cw, cr, cw5, cw1h, searches;
	/* The compaction steps of usage.iterations: input, output, cw, cr. */
	int64_t compaction[4];
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
			ret = scan_count(s, &r->cw5);
		else if (js_key_is(&key, "ephemeral_1h_input_tokens"))
			ret = scan_count(s, &r->cw1h);
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
			scan_count(s, &r->searches) : js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/* One step of usage.iterations, added when it is a compaction. */
static int cc_iteration(struct jscan *s, struct cc_rec *r)
{
	struct js_span key, type = { 0 };
	int64_t v[4] = { 0, 0, 0, 0 };
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "input_tokens"))
			ret = scan_count(s, &v[0]);
		else if (js_key_is(&key, "output_tokens"))
			ret = scan_count(s, &v[1]);
		else if (js_key_is(&key, "cache_creation_input_tokens"))
			ret = scan_count(s, &v[2]);
		else if (js_key_is(&key, "cache_read_input_tokens"))
			ret = scan_count(s, &v[3]);
		else if (js_key_is(&key, "type"))
			ret = scan_string_or_skip(s, &type);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	if (ret < 0 || !span_is(&type, "compaction"))
		return ret;
	for (int i = 0; i < 4; i++)
		r->compaction[i] += v[i];
	return 0;
}

/*
 * With context compaction the top-level counts cover the answer alone,
 * and the request is billed for every step (as the Messages API is read,
 * providers/anthropic.c): the compaction steps are added.
 */
static int cc_iterations(struct jscan *s, struct cc_rec *r)
{
	int ret;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s);
	if (js_array_begin(s) < 0)
		return -1;
	while ((ret = js_element(s)) > 0)
		if (cc_iteration(s, r) < 0)
			return -1;
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
			ret = scan_count(s, &r->in), in = 1;
		else if (js_key_is(&key, "output_tokens"))
			ret = scan_count(s, &r->out), out = 1;
		else if (js_key_is(&key, "cache_creation_input_tokens"))
			ret = scan_count(s, &r->cw);
		else if (js_key_is(&key, "cache_read_input_tokens"))
			ret = scan_count(s, &r->cr);
		else if (js_key_is(&key, "cache_creation"))
			ret = cc_cache_creation(s, r);
		else if (js_key_is(&key, "server_tool_use"))
			ret = cc_server_tools(s, r);
		else if (js_key_is(&key, "speed"))
			ret = scan_string_or_skip(s, &r->speed);
		else if (js_key_is(&key, "iterations"))
			ret = cc_iterations(s, r);
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
			ret = scan_string_or_skip(s, &r->msg_id);
		else if (js_key_is(&key, "model"))
			ret = scan_string_or_skip(s, &r->model);
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
			ret = scan_string_or_skip(s, &r->timestamp);
		else if (js_key_is(&key, "sessionId"))
			ret = scan_string_or_skip(s, &r->session);
		else if (js_key_is(&key, "requestId"))
			ret = scan_string_or_skip(s, &r->request);
		else if (js_key_is(&key, "cwd"))
			ret = scan_string_or_skip(s, &r->cwd);
		else if (js_key_is(&key, "version"))
			ret = scan_string_or_skip(s, &r->version);
		else if (js_key_is(&key, "uuid"))
			ret = scan_string_or_skip(s, &r->uuid);
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

/* What a usage line says, checked: the counts, times and ids to record. */
struct cc_usage {
	struct cc_rec r;
	int64_t when, cw, cost;
	char *model, *session, *msg_id;
};

/*
 * Reads a line and decides whether it is a usage to count. 1 with u set,
 * or 0 with *skip set.
 */
static int cc_scan(struct import_file *f, const char *text, size_t len,
		struct cc_usage *u, enum import_skip *skip)
{
	struct cc_rec *r = &u->r;
	struct jscan s;

	/*
	 * Most lines are user turns and tool results: no usage to read.
	 * An agent writes the usage block after the message content, so it
	 * is looked for from the end; only lines without one are read whole.
	 */
	*skip = SKIP_NO_USAGE;
	if (!contains_from_end(text, len, "\"usage\"", 7))
		return 0;
	memset(u, 0, sizeof(*u));
	js_init(&s, text, len);
	if (cc_record(&s, r, 0) < 0 || !js_at_end(&s)) {
		*skip = SKIP_MALFORMED;
		return 0;
	}
	if (!r->has_usage)
		return 0;
	u->model = span_dup(&r->model, f->pool);
	if (u->model && !strcmp(u->model, "<synthetic>")) {
		*skip = SKIP_SYNTHETIC;
		return 0;
	}
	if (!r->timestamp.p || time_parse_iso(r->timestamp.p, r->timestamp.len,
			&u->when) || !u->model || !*u->model ||
	    span_empty(&r->session) || span_empty(&r->request) ||
	    span_empty(&r->msg_id) ||
	    (r->version.p && !span_semver_like(&r->version))) {
		*skip = SKIP_INCOMPLETE;
		return 0;
	}
	u->cw = r->has_cc_object ? r->cw5 + r->cw1h : r->cw;
	/* Billed too: the compaction steps (their writes for five minutes). */
	r->in += r->compaction[0];
	r->out += r->compaction[1];
	u->cw += r->compaction[2];
	r->cr += r->compaction[3];
	if (!r->in && !r->out && !u->cw && !r->cr) {
		*skip = SKIP_ZERO;
		return 0;
	}
	/* costUSD is the agent's own estimate, not a bill. */
	if (r->cost.p && (money_parse(r->cost.p, r->cost.len, &u->cost) ||
			u->cost < 0))
		r->cost.p = NULL;
	u->session = span_dup(&r->session, f->pool);
	u->msg_id = span_dup(&r->msg_id, f->pool);
	return 1;
}

/* The natural key: the API message id, else the line itself. */
static void cc_key(struct import_file *f, const char *text, size_t len,
		const struct cc_usage *u, struct import_item *it)
{
	if (u->msg_id) {
		const char *parts[] = { "claude-code", u->msg_id, NULL };

		item_set_key(it, f->pool, parts);
	} else {
		char *uuid = span_dup(&u->r.uuid, f->pool);
		const char *parts[] = { "claude-code-line", u->session ?
			u->session : "", uuid ? uuid :
			mempool_strndup(f->pool, text, len), NULL };

		item_set_key(it, f->pool, parts);
	}
	it->total = u->r.in + u->r.out + u->cw + u->r.cr;
	it->cost = u->r.cost.p ? u->cost : 0;
	it->sidechain = u->r.sidechain;
}

static void cc_fill(struct import_file *f, const struct cc_usage *u,
		struct entry *e)
{
	const struct cc_rec *r = &u->r;

	entry_set_str(e, EF_PROVIDER_ID, "anthropic");
	entry_set_str(e, EF_MODEL_ID, u->model);
	entry_set_int(e, EF_STARTED_AT, u->when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, r->in + u->cw + r->cr);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r->out);
	entry_set_int(e, EF_CACHE_READ_TOKENS, r->cr);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, u->cw);
	if (r->has_cc_object && r->cw1h > 0)
		entry_set_int(e, EF_CACHE_WRITE_1H_TOKENS, r->cw1h);
	if (r->searches > 0)
		entry_set_int(e, EF_WEB_SEARCHES, r->searches);
	entry_set_str(e, EF_STATUS, r->api_error ? "failed" : "completed");
	if (u->session) {
		struct strbuf sr = STRBUF_INIT;

		strbuf_addstr(&sr, "claude-code:");
		strbuf_addstr(&sr, u->session);
		entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
		strbuf_release(&sr);
	}
	if (r->request.p)
		entry_set_str(e, EF_REQUEST_ID, span_dup(&r->request, f->pool));
	if (u->msg_id)
		entry_set_str(e, EF_PROVIDER_REQUEST_ID, u->msg_id);
	if (r->cwd.p && r->cwd.len)
		entry_set_tag(e, "project", span_dup(&r->cwd, f->pool));
	if (r->cost.p) {
		entry_set_int(e, EF_ESTIMATED_COST_USD, u->cost);
		entry_set_str(e, EF_PRICE_ID, "claude-code:costUSD");
	}
}

static int cc_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cc_usage u;

	if (!cc_scan(f, text, len, &u, skip))
		return 0;
	cc_key(f, text, len, &u, it);
	/* Most lines repeat a message already read: no entry for those. */
	if (!import_wanted(f, it))
		return 2;
	cc_fill(f, &u, it->e);
	return 1;
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
				dirs_add(dirs, scratch->buf, "projects");
			env += n + (env[n] == ',');
		}
		return;
	}
	strbuf_reset(scratch);
	if (xdg && *xdg == '/')
		path_join(scratch, xdg, "claude");
	else
		path_join(scratch, home ? home : "/", ".config/claude");
	dirs_add(dirs, scratch->buf, "projects");
	dirs_add(dirs, home ? home : "/", ".claude/projects");
}

/* Claude Code deletes transcripts not written for this long by default. */
#define CC_CLEANUP_DEFAULT_DAYS 30
#define CC_SETTINGS_MAX (1024 * 1024)

/* The user's settings file: in the first CLAUDE_CONFIG_DIR, else ~/.claude. */
static void cc_settings_path(struct strbuf *path)
{
	const char *env = getenv("CLAUDE_CONFIG_DIR");
	const char *home = getenv("HOME");

	if (env && *env)
		strbuf_add(path, env, strcspn(env, ","));
	else
		path_join(path, home ? home : "/", ".claude");
	strbuf_addstr(path, "/settings.json");
}

/* cleanupPeriodDays of the settings: 0 or more, -1 when not set. */
static int64_t cc_cleanup_days(void)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct jscan s;
	struct js_span key;
	int64_t days = -1;
	struct stat st;
	int fd;

	cc_settings_path(&path);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	strbuf_release(&path);
	if (fd < 0)
		return -1;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_size <= CC_SETTINGS_MAX) {
		strbuf_grow(&text, (size_t)st.st_size + 1);
		if (pread_all(fd, text.buf, (size_t)st.st_size, 0) ==
		    (ssize_t)st.st_size)
			strbuf_setlen(&text, (size_t)st.st_size);
	}
	close(fd);
	js_init(&s, text.buf, text.len);
	if (text.len && js_object_begin(&s) == 0)
		while (js_member(&s, &key) > 0) {
			if (js_key_is(&key, "cleanupPeriodDays") &&
			    js_peek(&s) == JS_NUMBER) {
				if (js_int64(&s, &days) < 0 || days < 0)
					days = -1;
				break;
			}
			if (js_skip(&s) < 0)
				break;
		}
	strbuf_release(&text);
	return days;
}

/*
 * Claude Code deletes a transcript once it has not been written for
 * cleanupPeriodDays (30 unless set), at its start: the history left to
 * import is what the oldest transcript has before it goes. A setting of
 * 0 stops it writing transcripts at all.
 */
static void cc_retention(const struct import_stats *st, int64_t now,
		struct strbuf *note, int64_t *days, int *is_default)
{
	int64_t set = cc_cleanup_days(), age, left;

	*is_default = set < 0;
	*days = set < 0 ? CC_CLEANUP_DEFAULT_DAYS : set;
	if (!set) {
		strbuf_addstr(note, "Claude Code's cleanupPeriodDays is 0, "
				"which stops it writing transcripts: there "
				"will be nothing more to import");
		return;
	}
	if (set >= 0 || !st->oldest_mtime)
		return;
	age = (now - st->oldest_mtime) / 86400000;
	left = CC_CLEANUP_DEFAULT_DAYS - age;
	strbuf_addf(note, "Claude Code deletes transcripts not written for "
			"%d days (cleanupPeriodDays is not set); the oldest "
			"here was written %lld days ago",
			CC_CLEANUP_DEFAULT_DAYS, (long long)age);
	if (left > 0)
		strbuf_addf(note, " and goes in %lld days", (long long)left);
	else
		strbuf_addstr(note, " and goes when Claude Code next starts");
	strbuf_addstr(note, ": import at least that often (tally import "
			"--all; contrib/tally-import.timer daily), or set "
			"cleanupPeriodDays in settings.json");
}

static const char *const cc_subdirs[] = { "projects", NULL };

const struct agent agent_claude_code = {
	.name = "claude-code",
	.source = "import:claude-code",
	.default_dirs = cc_default_dirs,
	.subdirs = cc_subdirs,
	.suffix = ".jsonl",
	.line = cc_line,
	.retention = cc_retention,
	.usage_args = "[<dir>...]",
};
