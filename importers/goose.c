/*
 * Goose's sessions: the sessions table of sessions.db (SQLite) in
 * ~/.local/share/goose/sessions (GOOSE_PATH_ROOT/data/sessions in place
 * of it). Goose keeps no record per request: each session row holds the
 * last turn's counts (input_tokens, output_tokens, total_tokens) and the
 * session's running sums (accumulated_*). The sums are the usage; the
 * last turn's counts are part of them and are never added. A session is
 * one entry, at its start, which a later import replaces as the session
 * grows. tally-import(1) says which fields are read.
 */
#include "agent.h"

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

#define GOOSE_BUSY_MS 2000

/* Newer schemas have the cache and the cost; older ones not. */
static const char *const goose_queries[] = {
	"SELECT id, created_at, updated_at, working_dir, provider_name, "
	"model_config_json, accumulated_input_tokens, "
	"accumulated_output_tokens, accumulated_cache_read_tokens, "
	"accumulated_cache_write_tokens, accumulated_cost FROM sessions",
	"SELECT id, created_at, updated_at, working_dir, provider_name, "
	"model_config_json, accumulated_input_tokens, "
	"accumulated_output_tokens, NULL, NULL, NULL FROM sessions",
};

struct goose_rec {
	struct js_span id, created, updated, dir, provider, model, cost;
	int64_t in, out, cache_read, cache_write;
	int has_in;
};

static int goose_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct goose_rec *r = rec;

	if (js_key_is(key, "id"))
		return js_string(s, &r->id);
	if (js_key_is(key, "createdAt"))
		return scan_string_or_skip(s, &r->created);
	if (js_key_is(key, "updatedAt"))
		return scan_string_or_skip(s, &r->updated);
	if (js_key_is(key, "workingDir"))
		return scan_string_or_skip(s, &r->dir);
	if (js_key_is(key, "provider"))
		return scan_string_or_skip(s, &r->provider);
	if (js_key_is(key, "model"))
		return scan_string_or_skip(s, &r->model);
	if (js_key_is(key, "input"))
		return r->has_in = 1, scan_count(s, &r->in);
	if (js_key_is(key, "output"))
		return scan_count(s, &r->out);
	if (js_key_is(key, "cacheRead"))
		return scan_count(s, &r->cache_read);
	if (js_key_is(key, "cacheWrite"))
		return scan_count(s, &r->cache_write);
	if (js_key_is(key, "cost") && js_peek(s) == JS_NUMBER)
		return js_number(s, &r->cost);
	return js_skip(s);
}

/* Goose's timestamps are SQLite's: "2026-11-20 10:00:00", in UTC. */
static int goose_time(const struct js_span *sp, int64_t *out)
{
	char buf[40];
	size_t n = sp->len;

	if (!sp->p || n < 19 || n >= sizeof(buf) - 1)
		return -1;
	memcpy(buf, sp->p, n);
	buf[10] = 'T';
	buf[n] = '\0';
	if (!strchr(buf + 10, 'Z') && !strchr(buf + 10, '+'))
		buf[n++] = 'Z';
	return time_parse_iso(buf, n, out);
}

static const char *goose_provider(const struct goose_rec *r,
		struct mempool *pool)
{
	if (span_is(&r->provider, "google"))
		return "gemini";
	return r->provider.len ? span_dup(&r->provider, pool) : "unknown";
}

/* One session, as goose_read_db() wrote it for import_line(). */
static int goose_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	const char *parts[] = { "goose", NULL, NULL };
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;
	struct goose_rec r;
	int64_t created, updated, nano, input;

	memset(&r, 0, sizeof(r));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, goose_member, &r))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!r.has_in)
		return 0;
	*skip = SKIP_INCOMPLETE;
	if (!r.id.len || goose_time(&r.created, &created))
		return 0;
	*skip = SKIP_ZERO;
	if (!r.in && !r.out)
		return 0;
	/*
	 * Goose's input holds the cache reads and writes (its Anthropic
	 * reading adds them in): they are detail of it, never more.
	 */
	input = r.in;
	if (r.cache_read > input)
		r.cache_read = input;
	if (r.cache_write > input - r.cache_read)
		r.cache_write = input - r.cache_read;
	parts[1] = span_dup(&r.id, f->pool);
	item_set_key(it, f->pool, parts);
	it->total = input + r.out;
	if (!import_wanted(f, it))
		return 2;
	entry_set_str(e, EF_PROVIDER_ID, goose_provider(&r, f->pool));
	entry_set_str(e, EF_MODEL_ID, r.model.len ?
			span_dup(&r.model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, created);
	if (!goose_time(&r.updated, &updated) && updated >= created)
		entry_set_int(e, EF_COMPLETED_AT, updated);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, input);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r.out);
	if (r.cache_read)
		entry_set_int(e, EF_CACHE_READ_TOKENS, r.cache_read);
	if (r.cache_write)
		entry_set_int(e, EF_CACHE_WRITE_TOKENS, r.cache_write);
	entry_set_str(e, EF_STATUS, "completed");
	strbuf_addf(&sr, "goose:%s", parts[1]);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
	if (r.dir.len)
		entry_set_tag(e, "project", span_dup(&r.dir, f->pool));
	if (r.cost.p && !money_parse(r.cost.p, r.cost.len, &nano) &&
	    nano > 0) {
		entry_set_int(e, EF_ESTIMATED_COST_USD, nano);
		entry_set_str(e, EF_PRICE_ID, "goose:accumulated_cost");
		it->cost = nano;
	}
	return 1;
}

static void kv_text(struct jsonw *w, const char *key, sqlite3_stmt *stmt,
		int col)
{
	const char *v = (const char *)sqlite_api.column_text(stmt, col);

	if (v)
		jw_kv_string(w, key, v);
}

/* model_config_json's model_name, as text: the JSON is Goose's. */
static void kv_model(struct jsonw *w, sqlite3_stmt *stmt, int col)
{
	const char *v = (const char *)sqlite_api.column_text(stmt, col);
	struct jscan s;
	struct js_span key, name;

	if (!v)
		return;
	js_init(&s, v, strlen(v));
	if (js_object_begin(&s) < 0)
		return;
	while (js_member(&s, &key) > 0) {
		if (js_key_is(&key, "model_name") && !js_string(&s, &name) &&
		    !name.escaped) {
			jw_key(w, "model");
			jw_string_len(w, name.p, name.len);
			return;
		}
		if (js_skip(&s) < 0)
			return;
	}
}

/* A session row as the JSON goose_line() reads. */
static void goose_row(struct strbuf *doc, sqlite3_stmt *stmt)
{
	static const char *const counts[] = { "input", "output", "cacheRead",
		"cacheWrite" };
	struct jsonw w;

	strbuf_reset(doc);
	jw_init(&w, doc, JW_COMPACT);
	jw_object_begin(&w);
	kv_text(&w, "id", stmt, 0);
	kv_text(&w, "createdAt", stmt, 1);
	kv_text(&w, "updatedAt", stmt, 2);
	kv_text(&w, "workingDir", stmt, 3);
	kv_text(&w, "provider", stmt, 4);
	kv_model(&w, stmt, 5);
	for (int i = 0; i < 4; i++)
		if (sqlite_api.column_type(stmt, 6 + i) == SQLITE_INTEGER)
			jw_kv_int(&w, counts[i],
					sqlite_api.column_int64(stmt, 6 + i));
	if (sqlite_api.column_type(stmt, 10) == SQLITE_FLOAT ||
	    sqlite_api.column_type(stmt, 10) == SQLITE_INTEGER)
		jw_kv_double(&w, "cost", sqlite_api.column_double(stmt, 10));
	jw_object_end(&w);
}

static int goose_read_db(struct import_file *f, struct strbuf *err)
{
	struct strbuf doc = STRBUF_INIT;
	sqlite3_stmt *stmt = NULL;
	sqlite3 *db;
	int rc = SQLITE_ERROR, ret = 0;

	if (sqlite_open_readonly(f->path, GOOSE_BUSY_MS, &db, err))
		return T_EFAIL;
	for (size_t q = 0; q < 2 && rc != SQLITE_OK; q++) {
		rc = sqlite_api.prepare_v2(db, goose_queries[q], -1, &stmt,
				NULL);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			break;
	}
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			warning("%s: Goose holds the database locked; it is "
					"read next time", f->path);
		else
			warning("%s is not a Goose database (%s); left out",
					f->path, sqlite_api.errmsg(db));
		sqlite_api.close_v2(db);
		return 0;
	}
	while (!ret && (rc = sqlite_api.step(stmt)) == SQLITE_ROW) {
		goose_row(&doc, stmt);
		ret = import_line(f, doc.buf, doc.len, err);
	}
	if (!ret && rc != SQLITE_DONE)
		warning("%s: %s; the rest is read next time", f->path,
				rc == SQLITE_BUSY ? "Goose holds the database "
				"locked" : sqlite_api.errmsg(db));
	sqlite_api.finalize(stmt);
	sqlite_api.close_v2(db);
	strbuf_release(&doc);
	return ret;
}

static void goose_default_dirs(struct string_list *dirs,
		struct strbuf *scratch)
{
	const char *root = getenv("GOOSE_PATH_ROOT");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	if (root && *root)
		path_join(scratch, root, "data/sessions");
	else if (xdg && *xdg == '/')
		path_join(scratch, xdg, "goose/sessions");
	else
		path_join(scratch, home ? home : "/",
				".local/share/goose/sessions");
	string_list_append(dirs, xstrdup(scratch->buf));
}

/* No logs beside the database: nothing under a suffix is read. */
static const char *const goose_subdirs[] = { NULL };

const struct agent agent_goose = {
	.name = "goose",
	.source = "import:goose",
	.default_dirs = goose_default_dirs,
	.subdirs = goose_subdirs,
	.suffix = ".goose-none",
	.line = goose_line,
	.db_name = "sessions.db",
	.read_db = goose_read_db,
	.usage_args = "[<dir>...]",
};
