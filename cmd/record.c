/*
 * tally record: log one request's usage, from flags or from the provider's
 * own response body.
 */
#include "tally.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/compact.h"
#include "../lib/device.h"
#include "../lib/entry.h"
#include "../lib/fsutil.h"
#include "../lib/entry-id.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/money.h"
#include "../lib/session.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../providers/headers.h"
#include "../providers/provider.h"
#include "../providers/response.h"
#include "../providers/stream.h"
#include "../lib/pricing.h"
#include "../lib/banned.h"

static const char *const record_usage[] = {
	"tally record --provider <id> --model <name> [<options>]",
	"tally record --response <file> [--tee] [<options>]",
	"tally record --stream [--response <file>] [--tee] [<options>]",
	"tally record --entry <id> [<options>]",
	NULL,
};

/* A response larger than this is not a response body. */
#define MAX_RESPONSE (64u << 20)

struct record_opts {
	const char *provider, *model, *session, *request_id;
	const char *provider_request_id, *entry_id;
	const char *counts[7];
	const char *cost, *estimated_cost;
	const char *started_at, *completed_at;
	const char *durations[3];
	const char *retries, *http_status;
	const char *error_code, *status;
	struct string_list tags;
	const char *response, *headers;
	int tee, json, quiet, stream;
	/*
	 * Whether tally saw the response arrive over time (from a pipe or
	 * a socket, in more than one read, over more than LIVE_SPAN_MS):
	 * only then do its own clock's latency and time to first token
	 * mean anything. A file, or a pipe from cat, arrives at once.
	 */
	int live;
};

#define LIVE_SPAN_MS 10

static const enum entry_field count_fields[7] = {
	EF_BILLED_INPUT_TOKENS, EF_BILLED_OUTPUT_TOKENS, EF_CACHE_READ_TOKENS,
	EF_CACHE_WRITE_TOKENS, EF_REASONING_TOKENS, EF_TOOL_TOKENS,
	EF_WEB_SEARCHES,
};
static const char *const count_names[7] = {
	"--input-tokens", "--output-tokens", "--cache-read-tokens",
	"--cache-write-tokens", "--reasoning-tokens", "--tool-tokens",
	"--web-searches",
};
static const enum entry_field duration_fields[3] = {
	EF_LATENCY_MS, EF_TTFT_MS, EF_THROTTLE_WAIT_MS,
};
static const char *const duration_names[3] = {
	"--latency-ms", "--ttft-ms", "--throttle-wait-ms",
};

static const struct option *the_opts;

__attribute__((format(printf, 1, 2), noreturn))
static void bad_value(const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	usage_error(record_usage, the_opts, "%s", msg.buf);
}

static int64_t parse_count(const char *name, const char *text, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (!*text || *end || errno == ERANGE || text[0] == '+')
		bad_value("%s expects a whole number, not '%s'", name, text);
	if (v < 0)
		bad_value("%s must not be negative (got %s)", name, text);
	if (v > max)
		bad_value("%s is out of range (got %s; at most %lld)", name,
				text, (long long)max);
	return v;
}

static int64_t parse_usd(const char *name, const char *text)
{
	int64_t nano;
	int r = money_parse(text, strlen(text), &nano);

	if (r == -1)
		bad_value("%s expects an amount in USD such as 0.0123, not "
				"'%s'", name, text);
	if (r == -2)
		bad_value("%s is out of range (got %s)", name, text);
	if (nano < 0)
		bad_value("%s must not be negative (got %s)", name, text);
	return nano;
}

static int64_t parse_time_opt(const char *name, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	int64_t t;

	if (time_parse(text, &t, &err))
		bad_value("%s: %s", name, err.buf);
	strbuf_release(&err);
	return t;
}

static void check_text(const char *name, const char *text, size_t max)
{
	if (!*text)
		bad_value("%s must not be empty", name);
	if (strlen(text) > max)
		bad_value("%s is longer than %zu bytes", name, max);
	if (!utf8_valid(text, strlen(text)))
		bad_value("%s is not valid UTF-8", name);
}

static void check_provider_id(const char *id)
{
	check_text("--provider", id, 64);
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
		    *p != '-' && *p != '_' && *p != '.')
			bad_value("--provider: '%s' is not a provider id "
					"(lowercase letters, digits, '-', '_', "
					"'.')", id);
}

static void set_text(struct entry *e, enum entry_field f, const char *name,
		const char *text)
{
	if (!text)
		return;
	check_text(name, text, 1024);
	entry_set_str(e, f, text);
}

static void apply_tags(struct entry *e, const struct string_list *tags)
{
	for (size_t i = 0; i < tags->nr; i++) {
		const char *t = tags->items[i], *eq = strchr(t, '=');
		char *key;

		if (!eq || eq == t)
			bad_value("--tag expects <key>=<value>, not '%s'", t);
		check_text("--tag", t, 1024);
		key = xstrndup(t, (size_t)(eq - t));
		entry_set_tag(e, key, eq + 1);
		free(key);
	}
}

/* Everything given as a flag overrides what the response said. */
static void apply_flags(struct entry *e, const struct record_opts *o)
{
	if (o->provider) {
		check_provider_id(o->provider);
		entry_set_str(e, EF_PROVIDER_ID, o->provider);
	}
	set_text(e, EF_MODEL_ID, "--model", o->model);
	set_text(e, EF_REQUEST_ID, "--request-id", o->request_id);
	set_text(e, EF_PROVIDER_REQUEST_ID, "--provider-request-id",
			o->provider_request_id);
	set_text(e, EF_ERROR_CODE, "--error", o->error_code);
	set_text(e, EF_STATUS, "--status", o->status);
	for (int i = 0; i < 7; i++)
		if (o->counts[i])
			entry_set_int(e, count_fields[i], parse_count(
				count_names[i], o->counts[i], ENTRY_MAX_TOKENS));
	for (int i = 0; i < 3; i++)
		if (o->durations[i])
			entry_set_int(e, duration_fields[i], parse_count(
				duration_names[i], o->durations[i],
				100LL * 24 * 3600 * 1000));
	if (o->retries)
		entry_set_int(e, EF_RETRIES,
				parse_count("--retries", o->retries, 1000000));
	if (o->http_status)
		entry_set_int(e, EF_HTTP_STATUS,
				parse_count("--http-status", o->http_status, 999));
	if (o->cost)
		entry_set_int(e, EF_BILLED_COST_USD, parse_usd("--cost", o->cost));
	if (o->estimated_cost)
		entry_set_int(e, EF_ESTIMATED_COST_USD,
				parse_usd("--estimated-cost", o->estimated_cost));
	if (o->started_at)
		entry_set_int(e, EF_STARTED_AT,
				parse_time_opt("--started-at", o->started_at));
	if (o->completed_at)
		entry_set_int(e, EF_COMPLETED_AT,
				parse_time_opt("--completed-at", o->completed_at));
	apply_tags(e, &o->tags);
}

/* ---- the response body ---- */

enum body_kind { BODY_UNKNOWN, BODY_JSON, BODY_STREAM, BODY_OTHER };

/*
 * What the start of a response is: a JSON body starts with { or [, a
 * stream of server-sent events with a field name (data:, event:, id:,
 * retry:) or a comment (:); BODY_OTHER is neither, BODY_UNKNOWN too
 * little to say yet.
 */
static enum body_kind sniff_body(const char *p, size_t len, int at_end)
{
	static const char *const fields[] = { "data:", "event:", "id:",
		"retry:", ":" };
	size_t i = 0;

	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && strchr(" \t\r\n", p[i]))
		i++;
	if (i == len)
		return at_end ? BODY_OTHER : BODY_UNKNOWN;
	if (p[i] == '{' || p[i] == '[')
		return BODY_JSON;
	for (size_t f = 0; f < sizeof(fields) / sizeof(*fields); f++) {
		size_t n = strlen(fields[f]), have = len - i;

		if (have >= n && !memcmp(p + i, fields[f], n))
			return BODY_STREAM;
		if (have < n && !memcmp(p + i, fields[f], have) && !at_end)
			return BODY_UNKNOWN;
	}
	return BODY_OTHER;
}

/*
 * Decides, once enough has arrived, whether the body is a stream: by its
 * content, so that -r file.sse needs no --stream, and a JSON body (an
 * error a streaming request got back) is read as JSON even with
 * --stream. What is neither is read as a stream with --stream (forced),
 * else as JSON, which says what is wrong with it. A stream's bytes so
 * far go to the stream reader, and so does the rest as it comes.
 */
static int decide_body(enum body_kind *kind, int forced, struct strbuf *body,
		struct stream *st, int at_end, struct strbuf *err)
{
	enum body_kind k = sniff_body(body->buf, body->len, at_end);
	int ret;

	if (k == BODY_UNKNOWN)
		return 0;
	if (k == BODY_OTHER)
		k = forced ? BODY_STREAM : BODY_JSON;
	*kind = k;
	if (k != BODY_STREAM)
		return 0;
	ret = stream_feed(st, body->buf, body->len, now_ms(), err);
	strbuf_reset(body);
	return ret;
}

/*
 * Reads the response from path ("-" is stdin). With tee, every byte read
 * is copied to stdout as it arrives, whatever happens to the recording:
 * a response too large or a stream too odd to record stops the recording
 * (the error is returned at the end), never the copy. A reader that went
 * away stops the copy, not the recording. *kind says what the body was,
 * *live whether it arrived over time.
 */
static int read_response(const char *path, int tee, int force_stream,
		struct strbuf *body, struct stream *st, enum body_kind *kind,
		int *live, struct strbuf *err)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int teeing = tee, recording = 1, ret = 0, reads = 0;
	int64_t first = -1, last = -1;
	struct stat sb;

	if (fd < 0)
		return fail_errno(err, T_EFAIL, "cannot read response '%s'",
				path);
	*live = !fstat(fd, &sb) && !S_ISREG(sb.st_mode);
	if (tee)
		signal(SIGPIPE, SIG_IGN);
	while (teeing || recording) {
		ssize_t n;

		strbuf_grow(body, 65536);
		n = read(fd, body->buf + body->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (recording)
				ret = fail_errno(err, T_EFAIL, "cannot read "
						"response '%s'", path);
			break;
		}
		if (n == 0)
			break;
		last = now_ms();
		if (!reads++)
			first = last;
		if (teeing && write_all(STDOUT_FILENO, body->buf + body->len,
				(size_t)n))
			teeing = 0;
		if (!recording)
			continue;
		if (*kind == BODY_STREAM) {
			/* A stream is read as it comes, in bounded memory. */
			ret = stream_feed(st, body->buf + body->len, (size_t)n,
					now_ms(), err);
			recording = !ret;
			continue;
		}
		strbuf_setlen(body, body->len + (size_t)n);
		if (*kind == BODY_UNKNOWN) {
			ret = decide_body(kind, force_stream, body, st, 0, err);
			recording = !ret;
		}
		if (recording && body->len > MAX_RESPONSE) {
			ret = fail(err, T_EFAIL, "response '%s' is larger than "
					"%u MiB", path, MAX_RESPONSE >> 20);
			strbuf_reset(body);
			recording = 0;
		}
	}
	if (fd)
		close(fd);
	*live = *live && reads > 1 && last - first >= LIVE_SPAN_MS;
	if (!ret && *kind == BODY_UNKNOWN)
		ret = decide_body(kind, force_stream, body, st, 1, err);
	if (ret && tee)
		strbuf_addstr(err, "; passed through, not recorded");
	return ret;
}

/* ---- new entries and updates ---- */

static int assign_session(struct entry *e, const struct record_opts *o,
		const struct tally_ctx *ctx, int64_t now, struct strbuf *err)
{
	struct strbuf auto_session = STRBUF_INIT;
	const char *env = getenv("TALLY_SESSION");
	int ret;

	if (o->session) {
		set_text(e, EF_SESSION_RESOURCE, "--session", o->session);
		return 0;
	}
	if (env && *env) {
		entry_set_str(e, EF_SESSION_RESOURCE, env);
		return 0;
	}
	ret = session_auto(ctx->scope.ledger_path, now, &auto_session, err);
	if (!ret)
		entry_set_str(e, EF_SESSION_RESOURCE, auto_session.buf);
	strbuf_release(&auto_session);
	return ret;
}

static int complete_new_entry(struct entry *e, const struct record_opts *o,
		const struct tally_ctx *ctx, int64_t now, struct strbuf *err)
{
	/* An error body names no model: the failed request has none. */
	int failed_response = o->response && e->status &&
		!strcmp(e->status, "failed");

	if (!entry_has(e, EF_PROVIDER_ID) && failed_response)
		return fail(err, T_EFAIL, "the response is an error (%s) that "
				"names no provider; name it with --provider",
				entry_get_str(e, EF_ERROR_CODE));
	if (!entry_has(e, EF_PROVIDER_ID))
		bad_value("--provider is required (or a --response to read "
				"it from)");
	if (!entry_has(e, EF_MODEL_ID) && !failed_response)
		bad_value("--model is required (the response did not name one)");
	if (!entry_has(e, EF_SOURCE))
		entry_set_str(e, EF_SOURCE, "manual");
	if (!entry_has(e, EF_STATUS))
		entry_set_str(e, EF_STATUS, "completed");
	entry_set_str(e, EF_SYNC_STATUS, provider_can_sync(e->provider_id) ?
			"pending_sync" : "unsupported_provider");
	entry_assign_id(e);
	return assign_session(e, o, ctx, now, err);
}

/* Lays the fields present in src over dst. */
static void overlay(struct entry *dst, const struct entry *src)
{
	for (int f = 0; f < EF__COUNT; f++) {
		if (!entry_has(src, (enum entry_field)f) || f == EF_TAGS ||
		    f == EF_QUOTA_SNAPSHOT || f == EF_V)
			continue;
		if (entry_get_str(src, (enum entry_field)f))
			entry_set_str(dst, (enum entry_field)f,
					entry_get_str(src, (enum entry_field)f));
		else
			entry_set_int(dst, (enum entry_field)f,
					entry_get_int(src, (enum entry_field)f));
	}
	for (size_t i = 0; i < src->ntags; i++)
		entry_set_tag(dst, src->tags[i].key, src->tags[i].value);
}

static int load_for_update(struct entry *base, const char *id,
		const struct tally_ctx *ctx, struct strbuf *err)
{
	int found = ledger_find_entry(ctx->scope.ledger_path, id, base, err);

	if (found < 0)
		return found;
	if (!found)
		return fail(err, T_EFAIL, "no entry '%s' in %s", id,
				ctx->scope.ledger_path);
	return 0;
}

/* ---- output ---- */

static void print_result(const struct entry *e, const struct record_opts *o)
{
	struct strbuf out = STRBUF_INIT;
	struct jsonw w;

	if (o->tee || o->quiet)
		return;
	if (o->json) {
		jw_init(&w, &out, JW_PRETTY);
		entry_write(&w, e);
	} else {
		strbuf_addf(&out, "%s\n", e->entry_id);
	}
	flush_out(&out);
	strbuf_release(&out);
}

static int write_entry(const struct entry *e, const struct tally_ctx *ctx,
		struct strbuf *err)
{
	struct strbuf row = STRBUF_INIT;
	struct ledger l;
	int ret = scope_prepare(&ctx->scope, err);

	if (ret)
		return ret;
	entry_to_row(&row, e);
	ledger_init(&l, ctx->scope.ledger_path, ctx->scope.lock_path,
			ctx->cfg.fsync, ctx->cfg.lock_timeout_ms);
	ret = ledger_lock(&l, err);
	if (!ret)
		ret = ledger_append_locked(&l, row.buf, row.len, err);
	/* An old response is kept, but as part of its day's rollup. */
	if (!ret && auto_compact_locked(&l, ctx, 0) &&
	    entry_time(e) < now_ms() - ctx->cfg.retention_days * MS_PER_DAY)
		warning("the entry is older than retention_days (%lld): it "
				"went into its day's rollup (see 'tally log "
				"--kind rollup'); retention_days: 0 keeps every "
				"entry whole", (long long)ctx->cfg.retention_days);
	ledger_release(&l);
	strbuf_release(&row);
	if (!ret)
		remotes_publish_after_write(ctx);
	return ret;
}

/* Counts that contradict each other are the body's fault, not a usage error. */
static int check_entry(const struct entry *e, int from_response,
		struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret = entry_validate(e, &why);

	if (ret && from_response)
		ret = fail(err, T_EFAIL, "the response does not add up: %s",
				why.buf);
	else if (ret)
		strbuf_addbuf(err, &why);
	strbuf_release(&why);
	return ret;
}

/* Usage, id and timing from a stream that has been read whole. */
static int finish_stream(struct stream *st, const struct record_opts *o,
		int64_t started, int64_t ended, struct entry *e,
		struct strbuf *err)
{
	const struct provider *p = stream_finish(st, e, err);

	if (!p)
		return T_EFAIL;
	if (st->usage_unknown && !o->quiet)
		warning("the stream carried no usage (an OpenAI-compatible "
				"stream needs stream_options.include_usage); "
				"recorded with its usage unknown, never as zero");
	else if (!st->ended && !st->done && !o->quiet)
		warning("the stream was cut before its end; recorded as "
				"incomplete, with the counts that had arrived");
	entry_set_str(e, EF_PROVIDER_ID, p->id);
	entry_set_str(e, EF_SOURCE, "response");
	entry_set_int(e, EF_CHUNKS, st->events);
	if (o->tee && o->live) {
		/* tally saw the stream live: it can time it. */
		entry_set_int(e, EF_STARTED_AT, started);
		entry_set_int(e, EF_COMPLETED_AT, ended);
		entry_set_int(e, EF_LATENCY_MS, ended - started);
		if (st->first_content >= 0)
			entry_set_int(e, EF_TTFT_MS, st->first_content - started);
	}
	return 0;
}

static int apply_headers(struct entry *e, const char *path, int64_t now,
		struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct header_set h;
	const char *provider;
	int ret = 0;

	if (strbuf_read_file(&text, path))
		ret = fail_errno(err, T_EFAIL, "cannot read headers '%s'", path);
	else if (headers_parse(&h, text.buf, text.len))
		ret = fail(err, T_EFAIL, "'%s' holds no response headers", path);
	if (!ret) {
		provider = headers_apply(&h, e, now);
		if (provider && !entry_has(e, EF_PROVIDER_ID))
			entry_set_str(e, EF_PROVIDER_ID, provider);
		headers_release(&h);
	}
	strbuf_release(&text);
	return ret;
}

/*
 * The estimated cost from the price table. An estimate the table made
 * earlier (it has a priceId) is made again for the new counts; one that
 * was given is kept.
 */
static int estimate(struct entry *e, const struct entry *given,
		const struct tally_ctx *ctx, struct strbuf *err)
{
	struct price_table pt;
	int ret;

	if (entry_has(given, EF_ESTIMATED_COST_USD))
		return 0;
	if (entry_has(e, EF_PRICE_ID)) {
		entry_unset(e, EF_ESTIMATED_COST_USD);
		entry_unset(e, EF_TOOL_FEES_USD);
		entry_unset(e, EF_PRICE_ID);
	}
	ret = pricing_load(&pt, &ctx->cfg, err);
	if (!ret)
		pricing_estimate_entry(&pt, e);
	pricing_release(&pt);
	return ret;
}

static int build_entry(struct entry *e, const struct record_opts *o,
		const struct strbuf *body, struct stream *st,
		const struct tally_ctx *ctx, int64_t started,
		struct strbuf *err)
{
	int64_t now = now_ms();
	struct entry given;
	int ret = 0;

	entry_init(&given);
	if (st)
		ret = finish_stream(st, o, started, now, &given, err);
	else if (o->response)
		ret = provider_read_response(body->buf, body->len, o->provider, &given,
				err);
	if (!ret && o->headers)
		ret = apply_headers(&given, o->headers, now, err);
	if (!ret) {
		apply_flags(&given, o);
		entry_stamp(&given, now);
	}
	if (!ret && o->entry_id) {
		ret = load_for_update(e, o->entry_id, ctx, err);
		if (!ret)
			overlay(e, &given);
	} else if (!ret) {
		entry_copy(e, &given);
		ret = complete_new_entry(e, o, ctx, now, err);
	}
	if (!ret) {
		entry_fill_total(e);
		ret = check_entry(e, o->response != NULL, err);
	}
	if (!ret)
		ret = estimate(e, &given, ctx, err);
	entry_release(&given);
	return ret;
}

int cmd_record(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct record_opts o = { .tags = STRING_LIST_INIT };
	struct option opts[] = {
		OPT_GROUP("What was used"),
		OPT_STRING_VALUES('p', "provider", &o.provider, "id",
				"provider: openai, anthropic, gemini, "
				"openrouter...", "@providers"),
		OPT_STRING_VALUES('m', "model", &o.model, "name",
				"model name", "@models"),
		OPT_STRING(0, "input-tokens", &o.counts[0], "n",
				"all input tokens, cache reads and writes included"),
		OPT_STRING(0, "output-tokens", &o.counts[1], "n",
				"all output tokens, reasoning included"),
		OPT_STRING(0, "cache-read-tokens", &o.counts[2], "n",
				"input tokens read from the cache"),
		OPT_STRING(0, "cache-write-tokens", &o.counts[3], "n",
				"input tokens written to the cache"),
		OPT_STRING(0, "reasoning-tokens", &o.counts[4], "n",
				"output tokens spent reasoning"),
		OPT_STRING(0, "tool-tokens", &o.counts[5], "n",
				"input tokens of tool use"),
		OPT_STRING(0, "web-searches", &o.counts[6], "n",
				"server-side web searches, billed apiece"),
		OPT_STRING(0, "cost", &o.cost, "usd",
				"cost billed by the provider"),
		OPT_STRING(0, "estimated-cost", &o.estimated_cost, "usd",
				"cost estimated elsewhere"),
		OPT_GROUP("Which request"),
		OPT_STRING('s', "session", &o.session, "id",
				"session (default: $TALLY_SESSION or automatic)"),
		OPT_STRING(0, "request-id", &o.request_id, "id",
				"the caller's own request id"),
		OPT_STRING(0, "provider-request-id", &o.provider_request_id,
				"id", "the provider's id for the request"),
		OPT_STRING(0, "entry", &o.entry_id, "id",
				"update this entry instead of adding one"),
		OPT_LIST(0, "tag", &o.tags, "key>=<value",
				"attach a tag (repeatable)"),
		OPT_GROUP("How it went"),
		OPT_STRING_VALUES(0, "status", &o.status, "status",
				"in_progress, completed, incomplete, failed or "
				"cancelled",
				"in_progress|completed|incomplete|failed|"
				"cancelled"),
		OPT_STRING(0, "started-at", &o.started_at, "time",
				"when the request started"),
		OPT_STRING(0, "completed-at", &o.completed_at, "time",
				"when it completed"),
		OPT_STRING(0, "latency-ms", &o.durations[0], "ms",
				"total latency"),
		OPT_STRING(0, "ttft-ms", &o.durations[1], "ms",
				"time to the first token"),
		OPT_STRING(0, "throttle-wait-ms", &o.durations[2], "ms",
				"time spent waiting on rate limits"),
		OPT_STRING(0, "retries", &o.retries, "n", "retries made"),
		OPT_STRING(0, "http-status", &o.http_status, "code",
				"final HTTP status"),
		OPT_STRING(0, "error", &o.error_code, "code", "error code"),
		OPT_GROUP("Input and output"),
		OPT_STRING('r', "response", &o.response, "file",
				"read usage from a response body ('-' for stdin)"),
		OPT_BOOL(0, "stream", &o.stream,
				"the response is a stream of server-sent events"),
		OPT_STRING(0, "headers", &o.headers, "file",
				"read request id and rate limits from headers "
				"(curl -D)"),
		OPT_BOOL(0, "tee", &o.tee,
				"copy the response to stdout unchanged"),
		OPT_BOOL(0, "json", &o.json, "print the recorded entry as JSON"),
		OPT_BOOL('q', "quiet", &o.quiet, "print nothing"),
		OPT_END(),
	};
	struct strbuf body = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf provider = STRBUF_INIT;
	int64_t started = now_ms();
	enum body_kind kind = BODY_UNKNOWN;
	struct stream st;
	struct entry e;
	int ret;

	the_opts = opts;
	argc = parse_options_or_exit(argc, argv, opts, record_usage,
			PARSE_OPT_NO_ARGS);
	/* Provider ids are lower case: -p OpenAI records openai. */
	if (o.provider) {
		strbuf_addstr(&provider, o.provider);
		for (char *c = provider.buf; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		o.provider = provider.buf;
	}
	if (o.stream && !o.response)
		o.response = "-";
	if (o.tee && !o.response)
		usage_error(record_usage, opts, "--tee needs --response or "
				"--stream");
	if (o.tee && o.json)
		usage_error(record_usage, opts, "--tee and --json both want "
				"stdout");
	entry_init(&e);
	stream_init(&st, o.provider ? provider_by_id(o.provider) : NULL);
	ret = o.response ? read_response(o.response, o.tee, o.stream, &body,
			&st, &kind, &o.live, &err) : 0;
	if (!ret && !ctx->cfg.enabled) {
		if (!o.quiet)
			warning("recording is disabled (enabled: false); "
					"nothing recorded");
		goto out;
	}
	if (!ret)
		ret = build_entry(&e, &o, &body,
				kind == BODY_STREAM ? &st : NULL, ctx,
				started, &err);
	if (!ret)
		ret = write_entry(&e, ctx, &err);
	if (!ret && kind == BODY_JSON && e.status &&
	    !strcmp(e.status, "failed") && !o.quiet)
		warning("the response is an error (%s): recorded as a failed "
				"request", entry_get_str(&e, EF_ERROR_CODE));
	if (!ret)
		print_result(&e, &o);
out:
	stream_release(&st);
	entry_release(&e);
	strbuf_release(&body);
	strbuf_release(&provider);
	string_list_release(&o.tags);
	return report(ret, &err);
}
