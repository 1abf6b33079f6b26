/*
 * Qwen Code's chats: <runtime dir>/projects/<project>/chats/<session>.jsonl,
 * the runtime dir being $QWEN_RUNTIME_DIR, else ~/.qwen. Each record is
 * a line, appended once; an answer of the model is a record of type
 * "assistant" with the usage block of that API response, in Gemini's
 * shape (usageMetadata) whatever the provider behind it. A chat that is
 * branched is copied record by record into a new session, each record
 * keeping its uuid: the uuid is the key, so a branch counts nothing
 * again. tally-import(1) says which fields are read.
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/gemini-counts.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

struct qc_rec {
	struct js_span uuid, type, model, timestamp, session, cwd;
	struct gemini_counts c;
	int64_t total, when;
	int has_usage, has_total, has_split;
};

static int qc_usage(struct jscan *s, struct qc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	r->has_usage = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "promptTokenCount"))
			ret = scan_count(s, &r->c.prompt), r->has_split = 1;
		else if (js_key_is(&key, "candidatesTokenCount"))
			ret = scan_count(s, &r->c.candidates), r->has_split = 1;
		else if (js_key_is(&key, "thoughtsTokenCount"))
			ret = scan_count(s, &r->c.thoughts);
		else if (js_key_is(&key, "toolUsePromptTokenCount"))
			ret = scan_count(s, &r->c.tool);
		else if (js_key_is(&key, "cachedContentTokenCount"))
			ret = scan_count(s, &r->c.cached);
		else if (js_key_is(&key, "totalTokenCount"))
			ret = scan_count(s, &r->total), r->has_total = 1;
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int qc_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct qc_rec *r = rec;

	if (js_key_is(key, "uuid"))
		return scan_string_or_skip(s, &r->uuid);
	if (js_key_is(key, "type"))
		return scan_string_or_skip(s, &r->type);
	if (js_key_is(key, "model"))
		return scan_string_or_skip(s, &r->model);
	if (js_key_is(key, "timestamp"))
		return scan_string_or_skip(s, &r->timestamp);
	if (js_key_is(key, "sessionId"))
		return scan_string_or_skip(s, &r->session);
	if (js_key_is(key, "cwd"))
		return scan_string_or_skip(s, &r->cwd);
	if (js_key_is(key, "usageMetadata"))
		return qc_usage(s, r);
	return js_skip_lazy(s);
}

/*
 * Whether the thoughts are counted inside the candidates. Gemini counts
 * them apart (prompt + candidates + thoughts make the total); Qwen Code
 * turns an OpenAI-compatible answer into the same shape with the
 * completion tokens, reasoning inside, as candidates and the reasoning
 * again as thoughts (prompt + candidates make the total). The total
 * tells which; without one, only Gemini's own models count them apart.
 */
static int thoughts_inside(const struct qc_rec *r)
{
	const struct gemini_counts *c = &r->c;

	if (!c->thoughts || c->thoughts > c->candidates)
		return 0;
	if (r->has_total)
		return r->total == c->prompt + c->tool + c->candidates;
	return r->model.len &&
		strcmp(provider_of_model(&r->model, ""), "gemini");
}

/* Reads a line: 1 with r set for an answer with usage, else 0. */
static int qc_scan(const char *text, size_t len, struct qc_rec *r,
		enum import_skip *skip)
{
	memset(r, 0, sizeof(*r));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, qc_member, r))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!span_is(&r->type, "assistant") || !r->has_usage)
		return 0;
	/* A total alone does not say what was input and what output. */
	*skip = SKIP_INCOMPLETE;
	if (!r->uuid.len || !r->has_split || !r->timestamp.p ||
	    time_parse_iso(r->timestamp.p, r->timestamp.len, &r->when))
		return 0;
	if (thoughts_inside(r))
		r->c.candidates -= r->c.thoughts;
	*skip = SKIP_ZERO;
	return r->c.prompt || r->c.candidates || r->c.thoughts || r->c.tool;
}

static void qc_fill(struct import_file *f, const struct qc_rec *r,
		struct import_item *it)
{
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;

	/*
	 * Qwen Code speaks to Qwen's own service by default and to any
	 * OpenAI-compatible, Anthropic or Gemini endpoint when set up so;
	 * its records name the model only, whose family says which.
	 */
	entry_set_str(e, EF_PROVIDER_ID, provider_of_model(&r->model, "qwen"));
	entry_set_str(e, EF_MODEL_ID, r->model.len ?
			span_dup(&r->model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, r->when);
	gemini_counts_to_entry(&r->c, e);
	entry_set_str(e, EF_STATUS, "completed");
	entry_set_str(e, EF_PROVIDER_REQUEST_ID, it->key[1]);
	strbuf_addstr(&sr, "qwen-code:");
	if (r->session.len && !r->session.escaped)
		strbuf_add(&sr, r->session.p, r->session.len);
	else
		strbuf_addstr(&sr, f->rel);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
	if (r->cwd.len && r->cwd.p[0] == '/')
		entry_set_tag(e, "project", span_dup(&r->cwd, f->pool));
}

static int qc_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct qc_rec r;
	const char *parts[] = { "qwen-code", NULL, NULL };

	if (!qc_scan(text, len, &r, skip))
		return 0;
	parts[1] = span_dup(&r.uuid, f->pool);
	item_set_key(it, f->pool, parts);
	it->total = r.c.prompt + r.c.tool + r.c.candidates + r.c.thoughts;
	/* A branched chat's copy of an answer: counted already. */
	if (!import_wanted(f, it))
		return 2;
	qc_fill(f, &r, it);
	return 1;
}

static void qc_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("QWEN_RUNTIME_DIR");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	if (env && *env)
		strbuf_addstr(scratch, env);
	else
		path_join(scratch, home ? home : "/", ".qwen");
	dirs_add(dirs, scratch->buf, "projects");
}

static const char *const qc_subdirs[] = { "projects", NULL };

const struct agent agent_qwen_code = {
	.name = "qwen-code",
	.source = "import:qwen-code",
	.default_dirs = qc_default_dirs,
	.subdirs = qc_subdirs,
	.suffix = ".jsonl",
	.line = qc_line,
	.usage_args = "[<dir>...]",
};
