/*
 * Amp's threads: ~/.local/share/amp/threads/T-<id>.json (AMP_DATA_DIR in
 * place of ~/.local/share/amp), one JSON document per thread, written
 * again whole as it grows. Its usageLedger.events are the billed calls:
 * each with an id, time, model and input and output tokens; the cache
 * tokens of a call are on the assistant message it produced (the event's
 * toMessageId), in messages[].usage. tally-import(1) says which fields
 * are read.
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* A thread's assistant messages with cache counts, looked up by id. */
struct amp_cache {
	int64_t message_id, read, write;
};

/* The thread being read, for the event import_line() hands over. */
struct amp_state {
	char thread[128];
	struct amp_cache *cache;
	size_t ncache, acache;
};

struct amp_event {
	struct js_span id, timestamp, model;
	int64_t in, out, to_message;
	int has_tokens, has_to;
};

static int amp_tokens(struct jscan *s, struct amp_event *ev)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	ev->has_tokens = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "input"))
			ret = scan_count(s, &ev->in);
		else if (js_key_is(&key, "output"))
			ret = scan_count(s, &ev->out);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

static int amp_event_member(struct jscan *s, const struct js_span *key,
		void *rec)
{
	struct amp_event *ev = rec;

	if (js_key_is(key, "id"))
		return js_string(s, &ev->id);
	if (js_key_is(key, "timestamp"))
		return scan_string_or_skip(s, &ev->timestamp);
	if (js_key_is(key, "model"))
		return scan_string_or_skip(s, &ev->model);
	if (js_key_is(key, "tokens"))
		return amp_tokens(s, ev);
	if (js_key_is(key, "toMessageId") && js_peek(s) == JS_NUMBER)
		return ev->has_to = 1, js_int64(s, &ev->to_message);
	return js_skip(s);
}

static const struct amp_cache *amp_cache_of(const struct amp_state *st,
		int64_t message_id)
{
	for (size_t i = 0; i < st->ncache; i++)
		if (st->cache[i].message_id == message_id)
			return &st->cache[i];
	return NULL;
}

/* One usage event of the thread (import_line() from amp_read). */
static int amp_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	const struct amp_state *st = f->state;
	const char *parts[] = { "amp", st->thread, NULL, NULL };
	const struct amp_cache *c;
	struct amp_event ev;
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;
	int64_t when, cr = 0, cw = 0;

	memset(&ev, 0, sizeof(ev));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, amp_event_member, &ev))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!ev.has_tokens)
		return 0;
	*skip = SKIP_INCOMPLETE;
	if (!ev.id.len || !ev.timestamp.p || !st->thread[0] ||
	    time_parse_iso(ev.timestamp.p, ev.timestamp.len, &when))
		return 0;
	if (ev.has_to && (c = amp_cache_of(st, ev.to_message))) {
		cr = c->read;
		cw = c->write;
	}
	*skip = SKIP_ZERO;
	if (!ev.in && !ev.out && !cr && !cw)
		return 0;
	parts[2] = span_dup(&ev.id, f->pool);
	item_set_key(it, f->pool, parts);
	it->total = ev.in + ev.out + cr + cw;
	if (!import_wanted(f, it))
		return 2;
	/* Amp names no provider: the model's family says which it was. */
	entry_set_str(e, EF_PROVIDER_ID, provider_of_model(&ev.model, "amp"));
	entry_set_str(e, EF_MODEL_ID, ev.model.len ?
			span_dup(&ev.model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, when);
	/* The event's input is what was not read from or written to cache. */
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, ev.in + cr + cw);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, ev.out);
	entry_set_int(e, EF_CACHE_READ_TOKENS, cr);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, cw);
	entry_set_str(e, EF_STATUS, "completed");
	entry_set_str(e, EF_PROVIDER_REQUEST_ID, parts[2]);
	strbuf_addf(&sr, "amp:%s", st->thread);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
	return 1;
}

static int amp_usage(struct jscan *s, struct amp_cache *c)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "cacheReadInputTokens"))
			ret = scan_count(s, &c->read);
		else if (js_key_is(&key, "cacheCreationInputTokens"))
			ret = scan_count(s, &c->write);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/* An assistant message's cache counts, kept when it has any. */
static int amp_message(struct jscan *s, struct amp_state *st)
{
	struct amp_cache c = { -1, 0, 0 };
	struct js_span key, role = { 0 };
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "role"))
			ret = scan_string_or_skip(s, &role);
		else if (js_key_is(&key, "messageId") &&
			 js_peek(s) == JS_NUMBER)
			ret = js_int64(s, &c.message_id);
		else if (js_key_is(&key, "usage"))
			ret = amp_usage(s, &c);
		else
			ret = js_skip_lazy(s);
		if (ret < 0)
			return -1;
	}
	if (span_is(&role, "assistant") && c.message_id >= 0 &&
	    (c.read || c.write)) {
		ALLOC_GROW(st->cache, st->ncache + 1, st->acache);
		st->cache[st->ncache++] = c;
	}
	return ret;
}

static int amp_array(struct jscan *s, struct amp_state *st)
{
	int ret;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s);
	if (js_array_begin(s) < 0)
		return -1;
	while ((ret = js_element(s)) > 0)
		if (amp_message(s, st) < 0)
			return -1;
	return ret;
}

/* The events of usageLedger, each to import_line() as its own text. */
static int amp_events(struct import_file *f, struct jscan *s,
		struct strbuf *err)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (!js_key_is(&key, "events")) {
			if (js_skip(s) < 0)
				return -1;
			continue;
		}
		if ((ret = import_array(f, s, err)))
			return ret;
	}
	return ret;
}

/*
 * The thread's id and its messages' cache counts first (they may come
 * after the events), then the events.
 */
static int amp_read(struct import_file *f, const char *text, size_t len,
		struct strbuf *err)
{
	struct amp_state *st = f->state;
	struct jscan s;
	struct js_span key, v;
	int ret;

	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		return import_line(f, "", 0, err);   /* counted malformed */
	while (js_member(&s, &key) > 0) {
		if (js_key_is(&key, "id") && !js_string(&s, &v)) {
			if (v.len < sizeof(st->thread) && !v.escaped) {
				memcpy(st->thread, v.p, v.len);
				st->thread[v.len] = '\0';
			}
		} else if (js_key_is(&key, "messages")) {
			if (amp_array(&s, st) < 0)
				break;
		} else if (js_skip_lazy(&s) < 0) {
			break;
		}
	}
	js_init(&s, text, len);
	ret = js_object_begin(&s) < 0 ? -1 : 0;
	while (!ret && js_member(&s, &key) > 0) {
		if (js_key_is(&key, "usageLedger"))
			ret = amp_events(f, &s, err);
		else if (js_skip_lazy(&s) < 0)
			break;
	}
	free(st->cache);
	st->cache = NULL;
	st->ncache = st->acache = 0;
	return ret > 0 ? 0 : ret < 0 ? import_line(f, "", 0, err) : ret;
}

static void amp_state_reset(struct import_file *f)
{
	struct amp_state *st = f->state;

	free(st->cache);
	memset(st, 0, sizeof(*st));
}

static void amp_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("AMP_DATA_DIR");
	const char *home = getenv("HOME");

	strbuf_reset(scratch);
	if (env && *env)
		strbuf_addstr(scratch, env);
	else
		path_join(scratch, home ? home : "/", ".local/share/amp");
	dirs_add(dirs, scratch->buf, "threads");
}

static const char *const amp_subdirs[] = { "threads", NULL };

const struct agent agent_amp = {
	.name = "amp",
	.source = "import:amp",
	.default_dirs = amp_default_dirs,
	.subdirs = amp_subdirs,
	.suffix = ".json",
	.line = amp_line,
	.whole_files = 1,
	.read_whole = amp_read,
	.state_size = sizeof(struct amp_state),
	.state_reset = amp_state_reset,
	.usage_args = "[<dir>...]",
};
