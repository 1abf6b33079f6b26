/*
 * GitHub Copilot CLI keeps no usage of its own on disk: it writes it only
 * through its OpenTelemetry export, to a file when COPILOT_OTEL_ENABLED=true,
 * COPILOT_OTEL_EXPORTER_TYPE=file and COPILOT_OTEL_FILE_EXPORTER_PATH say
 * so. That file is JSON lines: each finished span, log record or metrics
 * batch a line, appended. Each request to a model is a span "chat <model>"
 * (gen_ai.operation.name "chat") whose attributes carry its usage by the
 * OpenTelemetry GenAI conventions; the "invoke_agent" span around a turn
 * repeats the sum of its requests and is not read. tally-import(1) says
 * which attributes are read.
 */
#include "agent.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../lib/fsutil.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

struct cp_span {
	struct js_span type, name, trace, span, op, conversation;
	struct js_span req_model, resp_model;
	int64_t input, output, cache_read, cache_write, reasoning;
	int64_t start, end;        /* ms since the epoch, 0: none */
	int has_usage, failed;
};

/* An OpenTelemetry time: [seconds, nanoseconds], as the exporter writes. */
static int cp_hrtime(struct jscan *s, int64_t *ms)
{
	int64_t part[2] = { 0, 0 };
	int n = 0, ret;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s);
	if (js_array_begin(s) < 0)
		return -1;
	while ((ret = js_element(s)) > 0) {
		if (n >= 2 || js_int64(s, &part[n++]) < 0)
			return -1;
	}
	if (ret < 0 || n != 2 || part[0] < 0 || part[1] < 0 ||
	    part[1] >= 1000000000 || part[0] > INT64_MAX / 1000 - 1)
		return ret < 0 ? -1 : 0;
	*ms = part[0] * 1000 + part[1] / 1000000;
	return 0;
}

static int cp_attr(struct jscan *s, const struct js_span *key,
		struct cp_span *sp)
{
	int64_t *count = NULL;

	if (js_key_is(key, "gen_ai.operation.name"))
		return scan_string_or_skip(s, &sp->op);
	if (js_key_is(key, "gen_ai.conversation.id"))
		return scan_string_or_skip(s, &sp->conversation);
	if (js_key_is(key, "gen_ai.request.model"))
		return scan_string_or_skip(s, &sp->req_model);
	if (js_key_is(key, "gen_ai.response.model"))
		return scan_string_or_skip(s, &sp->resp_model);
	if (js_key_is(key, "gen_ai.usage.input_tokens"))
		count = &sp->input;
	else if (js_key_is(key, "gen_ai.usage.output_tokens"))
		count = &sp->output;
	/* The conventions' names, and the names of earlier versions. */
	else if (js_key_is(key, "gen_ai.usage.cache_read.input_tokens") ||
		 js_key_is(key, "gen_ai.usage.cache_read_input_tokens"))
		count = &sp->cache_read;
	else if (js_key_is(key, "gen_ai.usage.cache_creation.input_tokens") ||
		 js_key_is(key, "gen_ai.usage.cache_creation_input_tokens"))
		count = &sp->cache_write;
	else if (js_key_is(key, "gen_ai.usage.reasoning.output_tokens") ||
		 js_key_is(key, "gen_ai.usage.reasoning_tokens"))
		count = &sp->reasoning;
	if (!count)
		return js_skip(s);
	sp->has_usage = 1;
	return scan_count(s, count);
}

static int cp_attributes(struct jscan *s, struct cp_span *sp)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0)
		if (cp_attr(s, &key, sp) < 0)
			return -1;
	return ret;
}

/* status.code 2 is OpenTelemetry's ERROR. */
static int cp_status(struct jscan *s, struct cp_span *sp)
{
	struct js_span key;
	int64_t code;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "code") && js_peek(s) == JS_NUMBER) {
			if (js_int64(s, &code) < 0)
				return -1;
			sp->failed = code == 2;
		} else if (js_skip(s) < 0) {
			return -1;
		}
	}
	return ret;
}

static int cp_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct cp_span *sp = rec;

	if (js_key_is(key, "type"))
		return scan_string_or_skip(s, &sp->type);
	if (js_key_is(key, "name"))
		return scan_string_or_skip(s, &sp->name);
	if (js_key_is(key, "traceId"))
		return scan_string_or_skip(s, &sp->trace);
	if (js_key_is(key, "spanId"))
		return scan_string_or_skip(s, &sp->span);
	if (js_key_is(key, "startTime"))
		return cp_hrtime(s, &sp->start);
	if (js_key_is(key, "endTime"))
		return cp_hrtime(s, &sp->end);
	if (js_key_is(key, "attributes"))
		return cp_attributes(s, sp);
	if (js_key_is(key, "status"))
		return cp_status(s, sp);
	return js_skip_lazy(s);
}

/*
 * A request to a model: a span (log records have no name) named
 * "chat <model>" or of operation chat.
 */
static int cp_is_chat(const struct cp_span *sp)
{
	if ((sp->type.p && !span_is(&sp->type, "span")) || !sp->name.p)
		return 0;
	if (sp->op.p)
		return span_is(&sp->op, "chat");
	return sp->name.len > 5 && !memcmp(sp->name.p, "chat ", 5);
}

/* Reads a line: 1 with sp set for a request with usage, else 0. */
static int cp_scan(const char *text, size_t len, struct cp_span *sp,
		enum import_skip *skip)
{
	memset(sp, 0, sizeof(*sp));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, cp_member, sp))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!cp_is_chat(sp) || !sp->has_usage)
		return 0;
	*skip = SKIP_INCOMPLETE;
	if (!sp->trace.len || !sp->span.len || (!sp->start && !sp->end))
		return 0;
	*skip = SKIP_ZERO;
	return sp->input || sp->output || sp->cache_read || sp->cache_write;
}

/*
 * The conventions count every input token in input_tokens, cache reads
 * and writes among them, and every output token in output_tokens,
 * reasoning among them, as tally does. Counts that say otherwise (a
 * cache larger than the input) are kept within it.
 */
static void cp_counts(struct cp_span *sp, struct entry *e)
{
	if (sp->cache_read > sp->input)
		sp->cache_read = sp->input;
	if (sp->cache_write > sp->input - sp->cache_read)
		sp->cache_write = sp->input - sp->cache_read;
	if (sp->reasoning > sp->output)
		sp->reasoning = sp->output;
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, sp->input);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, sp->output);
	entry_set_int(e, EF_CACHE_READ_TOKENS, sp->cache_read);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, sp->cache_write);
	if (sp->reasoning)
		entry_set_int(e, EF_REASONING_TOKENS, sp->reasoning);
}

static void cp_fill(struct import_file *f, struct cp_span *sp,
		struct import_item *it)
{
	struct entry *e = it->e;
	struct strbuf sr = STRBUF_INIT;
	struct js_span named = sp->name;
	const struct js_span *model = sp->resp_model.len ? &sp->resp_model :
		sp->req_model.len ? &sp->req_model : &named;

	/* The span's name is "chat <the model asked for>". */
	if (named.len > 5 && !memcmp(named.p, "chat ", 5))
		named.p += 5, named.len -= 5;
	else
		named.len = 0;

	/*
	 * GitHub serves and bills the request, whichever model answers:
	 * the provider is GitHub Copilot, as OpenCode names it too.
	 */
	entry_set_str(e, EF_PROVIDER_ID, "github-copilot");
	entry_set_str(e, EF_MODEL_ID, model->len ?
			span_dup(model, f->pool) : "unknown");
	entry_set_int(e, EF_STARTED_AT, sp->start ? sp->start : sp->end);
	if (sp->start && sp->end >= sp->start)
		entry_set_int(e, EF_LATENCY_MS, sp->end - sp->start);
	cp_counts(sp, e);
	entry_set_str(e, EF_STATUS, sp->failed ? "failed" : "completed");
	entry_set_str(e, EF_PROVIDER_REQUEST_ID, it->key[2]);
	strbuf_addstr(&sr, "copilot-cli:");
	if (sp->conversation.len && !sp->conversation.escaped)
		strbuf_add(&sr, sp->conversation.p, sp->conversation.len);
	else
		strbuf_add(&sr, sp->trace.p, sp->trace.len);
	entry_set_str(e, EF_SESSION_RESOURCE, sr.buf);
	strbuf_release(&sr);
}

static int cp_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cp_span sp;
	const char *parts[] = { "copilot-cli", NULL, NULL, NULL };

	if (!cp_scan(text, len, &sp, skip))
		return 0;
	/* A span's trace and span ids name it, whichever file holds it. */
	parts[1] = span_dup(&sp.trace, f->pool);
	parts[2] = span_dup(&sp.span, f->pool);
	item_set_key(it, f->pool, parts);
	it->total = sp.input + sp.output;
	if (!import_wanted(f, it))
		return 2;
	cp_fill(f, &sp, it);
	return 1;
}

/*
 * ${COPILOT_HOME:-~/.copilot}/otel, where its documentation suggests the
 * export files go, and the file COPILOT_OTEL_FILE_EXPORTER_PATH names
 * when it is elsewhere.
 */
static void cp_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	const char *env = getenv("COPILOT_HOME");
	const char *home = getenv("HOME");
	const char *file = getenv("COPILOT_OTEL_FILE_EXPORTER_PATH");
	size_t n;

	strbuf_reset(scratch);
	if (env && *env)
		strbuf_addstr(scratch, env);
	else
		path_join(scratch, home ? home : "/", ".copilot");
	dirs_add(dirs, scratch->buf, "otel");
	n = strlen(dirs->items[dirs->nr - 1]);
	if (file && *file && (strncmp(file, dirs->items[dirs->nr - 1], n) ||
			      file[n] != '/'))
		string_list_append(dirs, xstrdup(file));
}

const struct agent agent_copilot_cli = {
	.name = "copilot-cli",
	.source = "import:copilot-cli",
	.default_dirs = cp_default_dirs,
	.suffix = ".jsonl",
	.line = cp_line,
	.usage_args = "[<dir>...]",
	.no_logs_hint = "Copilot CLI writes its usage only with its "
		"OpenTelemetry file export on: COPILOT_OTEL_ENABLED=true "
		"COPILOT_OTEL_EXPORTER_TYPE=file "
		"COPILOT_OTEL_FILE_EXPORTER_PATH=~/.copilot/otel/copilot.jsonl",
};
