#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "jsonc.h"
#include "../lib/error.h"
#include "../lib/banned.h"

void stream_init(struct stream *st, const struct provider *forced)
{
	memset(st, 0, sizeof(*st));
	st->forced = forced;
	st->first_content = -1;
	strbuf_init(&st->line, 0);
	strbuf_init(&st->event, 0);
	strbuf_init(&st->data, 0);
}

void stream_release(struct stream *st)
{
	json_object_put(st->usage_event);
	json_object_put(st->anthropic);
	free(st->id);
	free(st->model);
	strbuf_release(&st->line);
	strbuf_release(&st->event);
	strbuf_release(&st->data);
}

static void keep_string(char **slot, const char *s)
{
	if (!s || !*s || *slot)
		return;
	*slot = xstrdup(s);
}

static void keep_usage_event(struct stream *st, struct json_object *obj)
{
	json_object_put(st->usage_event);
	st->usage_event = json_object_get(obj);
}

static int has_text(struct json_object *v)
{
	return v && json_object_is_type(v, json_type_string) &&
	       json_object_get_string_len(v) > 0;
}

/* ---- per format ---- */

static int chat_chunk(struct stream *st, struct json_object *ev)
{
	struct json_object *usage = jpath(ev, "usage", NULL);
	struct json_object *choices = jpath(ev, "choices", NULL);
	struct json_object *delta = choices &&
		json_object_is_type(choices, json_type_array) &&
		json_object_array_length(choices) ?
		jpath(json_object_array_get_idx(choices, 0), "delta", NULL) : NULL;

	const struct provider *p;
	int score;

	keep_string(&st->id, jstr(ev, "id"));
	keep_string(&st->model, jstr(ev, "model"));
	/*
	 * A service's marks need not be on the usage chunk: Azure annotates
	 * only the first chunks, Groq's x_groq comes on the first and last.
	 */
	p = provider_detect_scored(ev, &score);
	if (p && score > st->seen_score) {
		st->seen = p;
		st->seen_score = score;
	}
	if (usage && !json_object_is_type(usage, json_type_null)) {
		/* With include_usage, the usage chunk is the last one. */
		keep_usage_event(st, ev);
		st->ended = 1;
	}
	return has_text(jpath(delta, "content", NULL)) ||
	       has_text(jpath(delta, "reasoning", NULL)) ||
	       jpath(delta, "tool_calls", NULL);
}

static int responses_event(struct stream *st, struct json_object *ev)
{
	const char *type = jstr(ev, "type");
	struct json_object *resp = jpath(ev, "response", NULL);

	if (!type)
		return 0;
	if (resp && (!strcmp(type, "response.completed") ||
		     !strcmp(type, "response.incomplete") ||
		     !strcmp(type, "response.failed"))) {
		keep_usage_event(st, resp);
		st->ended = 1;
	}
	return strlen(type) > 6 && !strcmp(type + strlen(type) - 6, ".delta");
}

/*
 * message_delta usage is cumulative: later fields replace earlier ones.
 * A new cache-write total without its 5m/1h split makes the split of
 * message_start stale (it counted the first step of a server-tool loop
 * only), so that split is dropped rather than trusted over the total.
 */
static void merge_usage(struct json_object *into, struct json_object *from)
{
	if (jpath(from, "cache_creation_input_tokens", NULL) &&
	    !jpath(from, "cache_creation", NULL))
		json_object_object_del(into, "cache_creation");
	json_object_object_foreach(from, key, val) {
		if (json_object_is_type(val, json_type_null))
			continue;
		json_object_object_add(into, key, json_object_get(val));
	}
}

static int anthropic_event(struct stream *st, struct json_object *ev)
{
	const char *type = jstr(ev, "type");
	struct json_object *usage;

	if (!type)
		return 0;
	if (!strcmp(type, "message_start")) {
		struct json_object *msg = jpath(ev, "message", NULL);

		if (msg && json_object_is_type(msg, json_type_object)) {
			json_object_put(st->anthropic);
			st->anthropic = json_object_get(msg);
		}
	} else if (!strcmp(type, "message_delta") && st->anthropic) {
		usage = jpath(ev, "usage", NULL);
		if (usage && json_object_is_type(usage, json_type_object)) {
			struct json_object *have = jpath(st->anthropic, "usage",
					NULL);

			if (have && json_object_is_type(have, json_type_object))
				merge_usage(have, usage);
			else
				json_object_object_add(st->anthropic, "usage",
						json_object_get(usage));
		}
	} else if (!strcmp(type, "message_stop")) {
		st->ended = 1;
	} else if (!strcmp(type, "content_block_delta")) {
		return 1;
	}
	return 0;
}

static int gemini_chunk(struct stream *st, struct json_object *ev)
{
	struct json_object *cands = jpath(ev, "candidates", NULL);

	keep_string(&st->id, jstr(ev, "responseId"));
	keep_string(&st->model, jstr(ev, "modelVersion"));
	if (jpath(ev, "usageMetadata", NULL))
		keep_usage_event(st, ev);
	/* The last chunk says why the candidate finished. */
	if (cands && json_object_is_type(cands, json_type_array) &&
	    json_object_array_length(cands) > 0 &&
	    jstr(json_object_array_get_idx(cands, 0), "finishReason"))
		st->ended = 1;
	return cands && json_object_is_type(cands, json_type_array) &&
	       json_object_array_length(cands) > 0;
}

static enum stream_format detect(const char *event, struct json_object *ev)
{
	const char *object = jstr(ev, "object");
	const char *type = jstr(ev, "type");

	if (object && !strcmp(object, "chat.completion.chunk"))
		return STREAM_CHAT;
	if (type && !strncmp(type, "response.", 9))
		return STREAM_RESPONSES;
	if ((type && (!strcmp(type, "message_start") || !strcmp(type, "ping"))) ||
	    (event && !strcmp(event, "message_start")))
		return STREAM_ANTHROPIC;
	if (jpath(ev, "candidates", NULL) || jpath(ev, "usageMetadata", NULL))
		return STREAM_GEMINI;
	if (jpath(ev, "choices", NULL))
		return STREAM_CHAT;
	return STREAM_UNKNOWN;
}

/* ---- server-sent events ---- */

static int dispatch(struct stream *st, int64_t now, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct json_object *ev;
	int content = 0;

	if (!st->data.len || !strcmp(st->data.buf, "[DONE]")) {
		st->done |= st->data.len > 0;
		goto out;
	}
	ev = json_parse_text(st->data.buf, st->data.len, &why);
	if (!ev) {
		fail(err, T_EFAIL, "an event of the stream is not valid JSON: %s",
				why.buf);
		strbuf_release(&why);
		return T_EFAIL;
	}
	st->events++;
	if (st->format == STREAM_UNKNOWN)
		st->format = detect(st->event.len ? st->event.buf : NULL, ev);
	switch (st->format) {
	case STREAM_CHAT: content = chat_chunk(st, ev); break;
	case STREAM_RESPONSES: content = responses_event(st, ev); break;
	case STREAM_ANTHROPIC: content = anthropic_event(st, ev); break;
	case STREAM_GEMINI: content = gemini_chunk(st, ev); break;
	default: break;
	}
	if (content && st->first_content < 0)
		st->first_content = now;
	json_object_put(ev);
out:
	strbuf_reset(&st->data);
	strbuf_reset(&st->event);
	strbuf_release(&why);
	return 0;
}

/* One line of the event stream (without its newline). */
static int on_line(struct stream *st, const char *line, size_t len,
		int64_t now, struct strbuf *err)
{
	const char *colon;
	size_t flen;
	const char *value;

	if (!len)
		return dispatch(st, now, err);
	if (line[0] == ':')
		return 0;
	colon = memchr(line, ':', len);
	flen = colon ? (size_t)(colon - line) : len;
	value = colon ? colon + 1 : line + len;
	if (value < line + len && *value == ' ')
		value++;
	if (flen == 4 && !strncmp(line, "data", 4)) {
		size_t vlen = (size_t)(line + len - value);

		/* An event of many data lines is bounded as one line is. */
		if (st->data.len + vlen + 1 > STREAM_MAX_EVENT)
			return fail(err, T_EFAIL, "an event of the stream is "
					"larger than %u MiB", STREAM_MAX_EVENT >> 20);
		if (st->data.len)
			strbuf_addch(&st->data, '\n');
		strbuf_add(&st->data, value, vlen);
	} else if (flen == 5 && !strncmp(line, "event", 5)) {
		strbuf_reset(&st->event);
		strbuf_add(&st->event, value, (size_t)(line + len - value));
	}
	return 0;
}

int stream_feed(struct stream *st, const char *buf, size_t len, int64_t now,
		struct strbuf *err)
{
	st->last_feed = now;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			strbuf_addch(&st->line, buf[i]);
			if (st->line.len > STREAM_MAX_EVENT)
				return fail(err, T_EFAIL, "a line of the stream "
						"is longer than %u MiB",
						STREAM_MAX_EVENT >> 20);
			continue;
		}
		if (st->line.len && st->line.buf[st->line.len - 1] == '\r')
			strbuf_setlen(&st->line, st->line.len - 1);
		if (on_line(st, st->line.buf, st->line.len, now, err))
			return T_EFAIL;
		strbuf_reset(&st->line);
	}
	return 0;
}

/* ---- the result ---- */

static struct json_object *final_object(struct stream *st)
{
	if (st->format == STREAM_ANTHROPIC)
		return st->anthropic;
	return st->usage_event;
}

static const struct provider *provider_of(const struct stream *st,
		struct json_object *root)
{
	if (st->forced && st->forced->parse_response)
		return st->forced;
	switch (st->format) {
	case STREAM_RESPONSES:
		/* OpenAI's, unless the response bears another's marks (Azure). */
		return provider_detect(root) ? provider_detect(root) :
			&provider_openai;
	case STREAM_ANTHROPIC: return &provider_anthropic;
	case STREAM_GEMINI: return &provider_gemini;
	default: break;
	}
	{
		int score;
		const struct provider *p = provider_detect_scored(root, &score);

		return st->seen && st->seen_score > score ? st->seen : p;
	}
}

/*
 * A chat stream without a usage chunk: the request happened, its tokens
 * are unknown. The provider is told from what the stream did say.
 */
static const struct provider *usage_unknown(struct stream *st,
		struct entry *e)
{
	struct json_object *seen = json_object_new_object();
	const struct provider *p = st->forced;

	json_object_object_add(seen, "object",
			json_object_new_string("chat.completion"));
	if (st->id)
		json_object_object_add(seen, "id", json_object_new_string(st->id));
	if (st->model)
		json_object_object_add(seen, "model",
				json_object_new_string(st->model));
	json_object_object_add(seen, "choices", json_object_new_array());
	if (!p) {
		int score;

		p = provider_detect_scored(seen, &score);
		if (st->seen && st->seen_score > score)
			p = st->seen;
	}
	if (!p)
		p = &provider_openai;
	json_object_put(seen);
	if (st->id)
		entry_set_str(e, EF_PROVIDER_REQUEST_ID, st->id);
	if (st->model)
		entry_set_str(e, EF_MODEL_ID, st->model);
	entry_set_str(e, EF_STATUS, st->done ? "completed" : "incomplete");
	st->usage_unknown = 1;
	return p;
}

const struct provider *stream_finish(struct stream *st, struct entry *e,
		struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	const struct provider *p;
	struct json_object *root;

	/* A stream need not end with a blank line. */
	if (st->line.len)
		on_line(st, st->line.buf, st->line.len, st->last_feed, err);
	dispatch(st, st->last_feed, err);
	root = final_object(st);
	if (!root && st->format == STREAM_CHAT && st->events)
		return usage_unknown(st, e);
	if (!root) {
		fail(err, T_EFAIL, "the stream carried no usage (an OpenAI "
				"stream needs stream_options.include_usage)");
		return NULL;
	}
	if (st->format == STREAM_CHAT || st->format == STREAM_GEMINI) {
		if (st->id && !jpath(root, "id", NULL) && !jpath(root,
				"responseId", NULL))
			json_object_object_add(root, st->format == STREAM_CHAT ?
					"id" : "responseId",
					json_object_new_string(st->id));
		if (st->model && !jpath(root, "model", NULL) &&
		    !jpath(root, "modelVersion", NULL))
			json_object_object_add(root, st->format == STREAM_CHAT ?
					"model" : "modelVersion",
					json_object_new_string(st->model));
	}
	p = provider_of(st, root);
	if (!p || p->parse_response(root, e, &why)) {
		fail(err, T_EFAIL, "cannot read the usage of the stream%s%s",
				why.len ? ": " : "", why.buf);
		p = NULL;
	} else if (!st->ended && !st->done) {
		entry_set_str(e, EF_STATUS, "incomplete");
	}
	strbuf_release(&why);
	return p;
}
