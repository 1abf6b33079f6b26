#ifndef TALLY_STREAM_H
#define TALLY_STREAM_H

#include <json-c/json.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"
#include "provider.h"

/*
 * Streamed responses (server-sent events): OpenAI Chat Completions with
 * stream_options.include_usage, OpenAI Responses events, Anthropic
 * message_start + cumulative message_delta, Gemini alt=sse, OpenRouter.
 *
 * The events are fed in as they arrive; the usage they carry is gathered
 * into one response-shaped object that the provider's own response parser
 * reads, so a stream and a plain response are read by the same code.
 */

/* The largest line, and the largest event (its data lines together). */
#define STREAM_MAX_EVENT (8u << 20)

enum stream_format {
	STREAM_UNKNOWN,
	STREAM_CHAT,       /* OpenAI-compatible chat completion chunks */
	STREAM_RESPONSES,  /* OpenAI Responses events */
	STREAM_ANTHROPIC,
	STREAM_GEMINI,
};

struct stream {
	const struct provider *forced;
	enum stream_format format;
	struct json_object *usage_event; /* the latest event with usage */
	struct json_object *anthropic;   /* the message, with merged usage */
	char *id, *model;
	/* Chat streams: the service the marks of any chunk point to. */
	const struct provider *seen;
	int seen_score;
	int64_t events;
	int64_t first_content;           /* ms of the first content, or -1 */
	int64_t last_feed;               /* ms of the latest bytes */
	struct strbuf line, event, data;
	int done;                        /* "[DONE]" came */
	int ended;                       /* the format's own end came */
	int usage_unknown;               /* read whole, but without usage */
};

void stream_init(struct stream *st, const struct provider *forced);
void stream_release(struct stream *st);

/* Feeds bytes of the stream, received at time now. 0 or T_EFAIL. */
int stream_feed(struct stream *st, const char *buf, size_t len, int64_t now,
		struct strbuf *err);

/*
 * Reads the gathered usage into e (provider, model, counts, id). Returns
 * the provider, or NULL with a message in err when the stream carried no
 * usage. A stream cut before its end (no message_stop, no final chunk)
 * gets status "incomplete": its counts are only what had arrived. An
 * OpenAI-compatible stream sent without stream_options.include_usage
 * carries no usage at all: e gets its id and model and no counts (usage
 * unknown, never zero), and st->usage_unknown is set.
 */
const struct provider *stream_finish(struct stream *st, struct entry *e,
		struct strbuf *err);

#endif
