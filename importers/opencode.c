/*
 * OpenCode's messages: rows of the message table of opencode.db in its
 * data directory (SQLite), each row's data the message as JSON without
 * its id and session; older versions kept one JSON file per message
 * (storage/message/<session>/<message>.json, with both). An assistant
 * message carries its provider, model, cost and tokens, per message
 * (not running totals), updated in place as the answer comes.
 * tally-import(1) says which fields are read.
 */
#include "agent.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../lib/error.h"
#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/sqlite-load.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* How long to wait for OpenCode writing its database. */
#define OC_BUSY_MS 2000
/*
 * Rows updated this long before the latest update read are read again
 * (as duplicates, unless they changed): an update stamped a moment
 * before another, but committed after a run read that other, is not
 * missed.
 */
#define OC_OVERLAP_MS (60 * 60 * 1000LL)

struct oc_state {
	/* The database: the latest update read, where the next run starts. */
	int64_t watermark;
	/* The row being read: its id, session and the session's folder. */
	char msg_id[128], session[128], dir[1024];
};

struct oc_rec {
	struct js_span id, session, role, model, provider, cost, cwd, root;
	int64_t in, out, reasoning, cache_read, cache_write;
	int64_t created, completed;
	int has_tokens, has_error;
};

static int oc_cache(struct jscan *s, struct oc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "read"))
			ret = scan_count(s, &r->cache_read);
		else if (js_key_is(&key, "write"))
			ret = scan_count(s, &r->cache_write);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int oc_tokens(struct jscan *s, struct oc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	r->has_tokens = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "input"))
			ret = scan_count(s, &r->in);
		else if (js_key_is(&key, "output"))
			ret = scan_count(s, &r->out);
		else if (js_key_is(&key, "reasoning"))
			ret = scan_count(s, &r->reasoning);
		else if (js_key_is(&key, "cache"))
			ret = oc_cache(s, r);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/* A time in milliseconds since the epoch, as OpenCode writes them. */
static int oc_ms(struct jscan *s, int64_t *out)
{
	if (js_peek(s) != JS_NUMBER)
		return js_skip(s);
	return js_int64(s, out) < 0 || *out < 0 ? -1 : 0;
}

static int oc_time(struct jscan *s, struct oc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "created"))
			ret = oc_ms(s, &r->created);
		else if (js_key_is(&key, "completed"))
			ret = oc_ms(s, &r->completed);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int oc_path(struct jscan *s, struct oc_rec *r)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "cwd"))
			ret = scan_string_or_skip(s, &r->cwd);
		else if (js_key_is(&key, "root"))
			ret = scan_string_or_skip(s, &r->root);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int oc_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct oc_rec *r = rec;

	if (js_key_is(key, "id"))
		return scan_string_or_skip(s, &r->id);
	if (js_key_is(key, "sessionID"))
		return scan_string_or_skip(s, &r->session);
	if (js_key_is(key, "role"))
		return scan_string_or_skip(s, &r->role);
	if (js_key_is(key, "modelID"))
		return scan_string_or_skip(s, &r->model);
	if (js_key_is(key, "providerID"))
		return scan_string_or_skip(s, &r->provider);
	if (js_key_is(key, "cost") && js_peek(s) == JS_NUMBER)
		return js_number(s, &r->cost);
	if (js_key_is(key, "tokens"))
		return oc_tokens(s, r);
	if (js_key_is(key, "time"))
		return oc_time(s, r);
	if (js_key_is(key, "path"))
		return oc_path(s, r);
	if (js_key_is(key, "error"))
		return r->has_error = js_peek(s) == JS_OBJECT, js_skip(s);
	return js_skip_lazy(s);
}

/* Reads a message: 1 with r set for an answer with tokens, else 0. */
static int oc_scan(const char *text, size_t len, struct oc_rec *r,
		enum import_skip *skip)
{
	memset(r, 0, sizeof(*r));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, oc_member, r))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!span_is(&r->role, "assistant") || !r->has_tokens)
		return 0;
	*skip = SKIP_ZERO;   /* an answer under way has none yet */
	return r->in || r->out || r->reasoning || r->cache_read ||
		r->cache_write;
}

/* The row's own id and session (a database), else the document's. */
static const char *oc_pick(const char *row, const struct js_span *doc,
		struct mempool *pool)
{
	return *row ? row : doc->len ? span_dup(doc, pool) : NULL;
}

/*
 * OpenCode's provider ids are tally's but for Google's: the agent names
 * the provider it sent the request to, which is the one to record.
 */
static const char *oc_provider(const struct oc_rec *r, struct mempool *pool)
{
	if (span_is(&r->provider, "google"))
		return "gemini";
	return r->provider.len ? span_dup(&r->provider, pool) : "unknown";
}

static void oc_fill(struct import_file *f, const struct oc_rec *r,
		const char *session, const char *id, struct import_item *it)
{
	const struct oc_state *st = f->state;
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;
	int64_t nano;

	entry_set_str(e, EF_PROVIDER_ID, oc_provider(r, f->pool));
	entry_set_str(e, EF_MODEL_ID, r->model.len ?
			span_dup(&r->model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, r->created);
	if (r->completed >= r->created && r->completed)
		entry_set_int(e, EF_COMPLETED_AT, r->completed);
	/* OpenCode counts the cache and the reasoning apart: tally inside. */
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, r->in + r->cache_read +
			r->cache_write);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r->out + r->reasoning);
	entry_set_int(e, EF_CACHE_READ_TOKENS, r->cache_read);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, r->cache_write);
	if (r->reasoning)
		entry_set_int(e, EF_REASONING_TOKENS, r->reasoning);
	entry_set_str(e, EF_STATUS, r->has_error ? "failed" : "completed");
	entry_set_str(e, EF_PROVIDER_REQUEST_ID, id);
	strbuf_addf(&sr, "opencode:%s", session);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
	if (st->dir[0])
		entry_set_tag(e, "project", st->dir);
	else if (r->root.len || r->cwd.len)
		entry_set_tag(e, "project", span_dup(r->root.len ? &r->root :
				&r->cwd, f->pool));
	/* OpenCode's own estimate; 0 (a subscription, a free model) is none. */
	if (r->cost.p && !money_parse(r->cost.p, r->cost.len, &nano) &&
	    nano > 0) {
		entry_set_int(e, EF_ESTIMATED_COST_USD, nano);
		entry_set_str(e, EF_PRICE_ID, "opencode:cost");
		it->cost = nano;
	}
}

static int oc_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	const struct oc_state *st = f->state;
	const char *parts[] = { "opencode", NULL, NULL, NULL };
	const char *session, *id;
	struct oc_rec r;

	if (!oc_scan(text, len, &r, skip))
		return 0;
	session = oc_pick(st->session, &r.session, f->pool);
	id = oc_pick(st->msg_id, &r.id, f->pool);
	*skip = SKIP_INCOMPLETE;
	if (!session || !id || !r.created)
		return 0;
	parts[1] = session;
	parts[2] = id;
	item_set_key(it, f->pool, parts);
	it->total = r.in + r.out + r.reasoning + r.cache_read + r.cache_write;
	if (!import_wanted(f, it))
		return 2;
	oc_fill(f, &r, session, id, it);
	return 1;
}

static void copy_text(char *to, size_t size, const unsigned char *text)
{
	size_t n = text ? strlen((const char *)text) : 0;

	if (n >= size)
		n = 0;   /* too long to be an id or a folder: none */
	memcpy(to, text ? (const char *)text : "", n);
	to[n] = '\0';
}

static const char oc_query[] =
	"SELECT m.id, m.session_id, m.time_updated, m.data, "
	"coalesce(s.directory, '') FROM message m "
	"LEFT JOIN session s ON s.id = m.session_id "
	"WHERE m.time_updated >= ?1 ORDER BY m.time_updated";

/*
 * The messages updated since the last run (an answer's row is updated
 * as it comes; one statement, one read transaction, finished before
 * anything is written).
 */
static int oc_read_db(struct import_file *f, struct strbuf *err)
{
	struct oc_state *st = f->state;
	int64_t latest = st->watermark;
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db;
	int rc, ret = 0;

	if (sqlite_open_readonly(f->path, OC_BUSY_MS, &db, err))
		return T_EFAIL;
	rc = sqlite_api.prepare_v2(db, oc_query, -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			warning("%s: OpenCode holds the database locked; it is "
					"read next time", f->path);
		else
			warning("%s is not an OpenCode database (%s); left "
					"out", f->path, sqlite_api.errmsg(db));
		sqlite_api.close_v2(db);
		return 0;
	}
	sqlite_api.bind_int64(stmt, 1, st->watermark > OC_OVERLAP_MS ?
			st->watermark - OC_OVERLAP_MS : 0);
	while (!ret && (rc = sqlite_api.step(stmt)) == SQLITE_ROW) {
		const char *data = (const char *)
			sqlite_api.column_text(stmt, 3);
		int64_t updated = sqlite_api.column_int64(stmt, 2);

		copy_text(st->msg_id, sizeof(st->msg_id),
				sqlite_api.column_text(stmt, 0));
		copy_text(st->session, sizeof(st->session),
				sqlite_api.column_text(stmt, 1));
		copy_text(st->dir, sizeof(st->dir),
				sqlite_api.column_text(stmt, 4));
		ret = import_line(f, data ? data : "", data ? (size_t)
				sqlite_api.column_bytes(stmt, 3) : 0, err);
		if (updated > latest)
			latest = updated;
	}
	if (!ret && rc != SQLITE_DONE)
		warning("%s: %s; the rest is read next time", f->path,
				rc == SQLITE_BUSY ? "OpenCode holds the "
				"database locked" : sqlite_api.errmsg(db));
	sqlite_api.finalize(stmt);
	sqlite_api.close_v2(db);
	st->msg_id[0] = st->session[0] = st->dir[0] = '\0';
	if (!ret)
		st->watermark = latest;
	return ret;
}

static void oc_state_reset(struct import_file *f)
{
	memset(f->state, 0, sizeof(struct oc_state));
}

static void oc_state_save(const struct import_file *f, struct strbuf *out)
{
	const struct oc_state *st = f->state;
	struct jsonw w;

	if (!st->watermark)
		return;
	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	jw_kv_int(&w, "updatedFrom", st->watermark);
	jw_object_end(&w);
}

static void oc_state_load(struct import_file *f, const char *text)
{
	struct oc_state *st = f->state;
	struct jscan s;
	struct js_span key;
	int ret;

	js_init(&s, text, strlen(text));
	if (js_object_begin(&s) < 0)
		return;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "updatedFrom") &&
		    js_peek(&s) == JS_NUMBER) {
			if (js_int64(&s, &st->watermark) < 0)
				return;
		} else if (js_skip(&s) < 0) {
			return;
		}
	}
}

static void oc_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("OPENCODE_DATA_DIR");
	const char *db = getenv("OPENCODE_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	if (env && *env)
		strbuf_addstr(scratch, env);
	else if (xdg && *xdg == '/')
		path_join(scratch, xdg, "opencode");
	else
		path_join(scratch, home ? home : "/", ".local/share/opencode");
	string_list_append(dirs, xstrdup(scratch->buf));
	/* OPENCODE_DB: a database elsewhere, or named otherwise in there. */
	if (db && *db && (*db == '/' || fnmatch("opencode*.db", db, 0))) {
		if (*db != '/')
			path_join(scratch, "", db);
		string_list_append(dirs, xstrdup(*db == '/' ? db :
					scratch->buf));
	}
}

static const char *const oc_subdirs[] = { "storage/message", NULL };

const struct agent agent_opencode = {
	.name = "opencode",
	.source = "import:opencode",
	.default_dirs = oc_default_dirs,
	.subdirs = oc_subdirs,
	.suffix = ".json",
	.line = oc_line,
	.whole_files = 1,
	/* opencode.db, or opencode-<channel>.db for other release channels. */
	.db_name = "opencode*.db",
	.read_db = oc_read_db,
	.state_size = sizeof(struct oc_state),
	.state_load = oc_state_load,
	.state_save = oc_state_save,
	.state_reset = oc_state_reset,
	.usage_args = "[<dir>...]",
};
