/*
 * Gemini CLI's chats: ~/.gemini/tmp/<project>/chats/session-<time>-<id>.jsonl
 * (GEMINI_CLI_HOME in place of ~), a subagent's in chats/<parent>/<id>.jsonl.
 * The first line names the session; each message is a line, written
 * again whole when it changes (its tokens arrive after it, tool calls
 * are added), so the last version of a message id is the one to count.
 * "$set" lines update the session (a whole "messages" list among them:
 * the messages written before, again) and "$rewindTo" lines hide
 * messages from the conversation, not from the bill: neither is read.
 * Versions before these kept a chat as one JSON document,
 * chats/session-<time>-<id>.json, written again whole as it grew: its
 * "sessionId" and a "messages" list of the same messages; a chat resumed
 * by a newer version moves to .jsonl with its messages' ids, and each
 * counts once. tally-import(1) says which fields are read.
 */
#include "agent.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/gemini-counts.h"
#include "../lib/jsonw.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* What a chat file has said so far, kept across runs. */
struct gc_state {
	char session[128];         /* its first line's sessionId */
	char project[1024];        /* its project's .project_root */
};

struct gc_rec {
	struct js_span id, type, model, timestamp, session;
	struct gemini_counts c;
	int64_t total, when;
	int has_tokens, is_meta;
};

static int gc_tokens(struct jscan *s, struct gc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;   /* null: an answer whose tokens are to come */
	r->has_tokens = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "input"))
			ret = scan_count(s, &r->c.prompt);
		else if (js_key_is(&key, "output"))
			ret = scan_count(s, &r->c.candidates);
		else if (js_key_is(&key, "cached"))
			ret = scan_count(s, &r->c.cached);
		else if (js_key_is(&key, "thoughts"))
			ret = scan_count(s, &r->c.thoughts);
		else if (js_key_is(&key, "tool"))
			ret = scan_count(s, &r->c.tool);
		else if (js_key_is(&key, "total"))
			ret = scan_count(s, &r->total);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int gc_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct gc_rec *r = rec;

	/* A message's id is its key: anything but a string is damage. */
	if (js_key_is(key, "id"))
		return js_string(s, &r->id);
	if (js_key_is(key, "type"))
		return scan_string_or_skip(s, &r->type);
	if (js_key_is(key, "model"))
		return scan_string_or_skip(s, &r->model);
	if (js_key_is(key, "timestamp"))
		return scan_string_or_skip(s, &r->timestamp);
	if (js_key_is(key, "tokens"))
		return gc_tokens(s, r);
	if (js_key_is(key, "sessionId"))
		return scan_string_or_skip(s, &r->session);
	if (js_key_is(key, "projectHash"))
		return r->is_meta = 1, js_skip(s);
	return js_skip_lazy(s);
}

static void remember_session(struct gc_state *st, const struct js_span *v)
{
	if (v->len && v->len < sizeof(st->session) && !v->escaped) {
		memcpy(st->session, v->p, v->len);
		st->session[v->len] = '\0';
	}
}

/* Reads a line: 1 with r set for an answer with tokens, else 0. */
static int gc_scan(struct import_file *f, const char *text, size_t len,
		struct gc_rec *r, enum import_skip *skip)
{
	memset(r, 0, sizeof(*r));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, gc_member, r))
		return 0;
	/* The session's first line, or a "$set" of it. */
	if (r->is_meta && r->session.p && !r->id.p)
		remember_session(f->state, &r->session);
	*skip = SKIP_NO_USAGE;
	if (!r->id.p || !span_is(&r->type, "gemini") || !r->has_tokens)
		return 0;
	*skip = SKIP_INCOMPLETE;
	if (span_empty(&r->id) || !r->timestamp.p ||
	    time_parse_iso(r->timestamp.p, r->timestamp.len, &r->when))
		return 0;
	*skip = SKIP_ZERO;
	return r->c.prompt || r->c.candidates || r->c.thoughts || r->c.tool;
}

/* The chat's session: its first line's, else the file's own name. */
static const char *gc_session(const struct import_file *f)
{
	const struct gc_state *st = f->state;

	return st->session[0] ? st->session : f->rel;
}

static void gc_fill(struct import_file *f, const struct gc_rec *r,
		struct import_item *it)
{
	const struct gc_state *st = f->state;
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;

	/* The agent speaks to Gemini, whether by API key or a Google login. */
	entry_set_str(e, EF_PROVIDER_ID, "gemini");
	entry_set_str(e, EF_MODEL_ID, r->model.len ?
			span_dup(&r->model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, r->when);
	gemini_counts_to_entry(&r->c, e);
	entry_set_str(e, EF_STATUS, "completed");
	entry_set_str(e, EF_PROVIDER_REQUEST_ID, span_dup(&r->id, f->pool));
	strbuf_addf(&sr, "gemini-cli:%s", gc_session(f));
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
	if (st->project[0])
		entry_set_tag(e, "project", st->project);
}

static int gc_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct gc_rec r;
	const char *parts[] = { "gemini-cli", NULL, NULL, NULL };

	if (!gc_scan(f, text, len, &r, skip))
		return 0;
	/* A session's message id, whichever file holds it. */
	parts[1] = gc_session(f);
	parts[2] = span_dup(&r.id, f->pool);
	item_set_key(it, f->pool, parts);
	it->total = r.c.prompt + r.c.candidates + r.c.thoughts + r.c.tool;
	/* Most versions of a message repeat its tokens: no entry for those. */
	if (!import_wanted(f, it))
		return 2;
	gc_fill(f, &r, it);
	return 1;
}

/*
 * The project a chat belongs to: the .project_root file of its project
 * directory (the one above "chats"), which names the folder Gemini CLI
 * ran in.
 */
static void gc_begin(struct import_file *f, int fd)
{
	struct gc_state *st = f->state;
	const char *chats = strstr(f->path, "/chats/");
	struct strbuf path = STRBUF_INIT;
	char buf[sizeof(st->project)];
	ssize_t n = -1;
	int pfd;

	(void)fd;
	if (!chats)
		return;
	strbuf_add(&path, f->path, (size_t)(chats - f->path));
	strbuf_addstr(&path, "/.project_root");
	pfd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	strbuf_release(&path);
	if (pfd < 0)
		return;
	n = pread_all(pfd, buf, sizeof(buf), 0);
	close(pfd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	/* An absolute path on one line, whole; else none. */
	if (n > 1 && (size_t)n < sizeof(buf) && buf[0] == '/' &&
	    !memchr(buf, '\n', (size_t)n) && !memchr(buf, '\0', (size_t)n)) {
		memcpy(st->project, buf, (size_t)n);
		st->project[n] = '\0';
	}
}

/*
 * An older chat document, read whole. Other JSON documents Gemini CLI
 * keeps beside its chats (logs.json of the prompts, checkpoints) hold no
 * usage and are passed over.
 */
static int gc_read_whole(struct import_file *f, const char *text,
		size_t len, struct strbuf *err)
{
	struct gc_state *st = f->state;
	struct jscan s;
	struct js_span key, v;
	int ret = 0;

	if (!strstr(f->path, "/chats/"))
		return 0;
	gc_begin(f, -1);
	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		return import_line(f, "", 0, err);   /* counted malformed */
	/* The session first: it keys the messages, wherever it stands. */
	while (js_member(&s, &key) > 0) {
		if (js_key_is(&key, "sessionId") ?
				scan_string_or_skip(&s, &v) < 0 :
				js_skip_lazy(&s) < 0)
			return import_line(f, "", 0, err);
		if (js_key_is(&key, "sessionId") && v.p)
			remember_session(st, &v);
	}
	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		return -1;
	while (!ret && js_member(&s, &key) > 0) {
		if (js_key_is(&key, "messages"))
			ret = import_array(f, &s, err);
		else if (js_skip_lazy(&s) < 0)
			ret = -1;
	}
	return ret < 0 ? import_line(f, "", 0, err) : ret;
}

static void gc_state_reset(struct import_file *f)
{
	memset(f->state, 0, sizeof(struct gc_state));
}

static void gc_state_save(const struct import_file *f, struct strbuf *out)
{
	const struct gc_state *st = f->state;
	struct jsonw w;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	if (st->session[0])
		jw_kv_string(&w, "session", st->session);
	if (st->project[0])
		jw_kv_string(&w, "project", st->project);
	jw_object_end(&w);
}

static void copy_span(char *to, size_t size, const struct js_span *v)
{
	if (v->len < size && !v->escaped) {
		memcpy(to, v->p, v->len);
		to[v->len] = '\0';
	}
}

static void gc_state_load(struct import_file *f, const char *text)
{
	struct gc_state *st = f->state;
	struct jscan s;
	struct js_span key, v;
	int ret;

	js_init(&s, text, strlen(text));
	if (js_object_begin(&s) < 0)
		return;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "session") && !js_string(&s, &v))
			copy_span(st->session, sizeof(st->session), &v);
		else if (js_key_is(&key, "project") && !js_string(&s, &v))
			copy_span(st->project, sizeof(st->project), &v);
		else if (js_skip(&s) < 0)
			return;
	}
}

static void gc_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("GEMINI_CLI_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	path_join(scratch, env && *env ? env : home ? home : "/", ".gemini");
	dirs_add(dirs, scratch->buf, "tmp");
}

static const char *const gc_subdirs[] = { "tmp", NULL };

const struct agent agent_gemini_cli = {
	.name = "gemini-cli",
	.source = "import:gemini-cli",
	.default_dirs = gc_default_dirs,
	.subdirs = gc_subdirs,
	.suffix = ".jsonl",
	.line = gc_line,
	.whole_suffix = ".json",
	.read_whole = gc_read_whole,
	.begin = gc_begin,
	.state_size = sizeof(struct gc_state),
	.state_load = gc_state_load,
	.state_save = gc_state_save,
	.state_reset = gc_state_reset,
	.usage_args = "[<dir>...]",
};
