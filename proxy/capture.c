#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/error.h"
#include "../lib/strbuf.h"
#include "../lib/timeutil.h"
#include "../providers/headers.h"
#include "../providers/http.h"
#include "../providers/provider.h"
#include "../providers/response.h"
#include "../lib/banned.h"

struct capture *capture_new(void)
{
	struct capture *c = xcalloc(1, sizeof(*c));

	strbuf_init(&c->headers, 0);
	strbuf_init(&c->body, 0);
	c->started = c->first_byte = c->ended = -1;
	c->throttle_wait_ms = -1;
	return c;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	if (c->is_stream)
		stream_release(&c->st);
	strbuf_release(&c->headers);
	strbuf_release(&c->body);
	free(c->method);
	free(c->path);
	free(c->model_hint);
	free(c->session);
	free(c->failure);
	free(c);
}

void capture_feed(struct capture *c, const char *buf, size_t len,
		int64_t now)
{
	struct strbuf err = STRBUF_INIT;

	if (c->first_byte < 0)
		c->first_byte = now;
	if (c->is_stream) {
		if (!c->stream_broken &&
		    stream_feed(&c->st, buf, len, now, &err))
			c->stream_broken = 1;
		strbuf_release(&err);
		return;
	}
	if (c->body_overflow || c->body.len + len > CAPTURE_MAX_BODY) {
		c->body_overflow = 1;
		strbuf_release(&c->body);
		return;
	}
	strbuf_add(&c->body, buf, len);
}

/* A request that failed and whose body says nothing tally can read. */
static void bare_failure(struct capture *c, struct entry *e,
		const char *code)
{
	if (c->provider)
		entry_set_str(e, EF_PROVIDER_ID, c->provider);
	entry_set_str(e, EF_STATUS, "failed");
	entry_set_str(e, EF_ERROR_CODE, code);
}

static int read_stream(struct capture *c, struct entry *e,
		struct strbuf *why)
{
	const struct provider *p;

	if (c->stream_broken) {
		strbuf_addstr(why, "the stream could not be read");
		return 0;
	}
	p = stream_finish(&c->st, e, why);
	if (!p)
		return 0;
	entry_set_str(e, EF_PROVIDER_ID, c->provider ? c->provider : p->id);
	entry_set_int(e, EF_CHUNKS, c->st.events);
	if (c->st.first_content >= 0)
		entry_set_int(e, EF_TTFT_MS, c->st.first_content - c->started);
	if (c->client_gone && !c->st.ended && !c->st.done)
		entry_set_str(e, EF_STATUS, "cancelled");
	return 1;
}

static int read_body(struct capture *c, struct entry *e, struct strbuf *why)
{
	struct strbuf err = STRBUF_INIT;
	int ret;

	if (c->body_overflow) {
		strbuf_addf(why, "the body is larger than %u MiB",
				CAPTURE_MAX_BODY >> 20);
		return 0;
	}
	ret = provider_read_response(c->body.buf, c->body.len, c->provider,
			e, &err);
	if (!ret && c->provider)
		entry_set_str(e, EF_PROVIDER_ID, c->provider);
	if (ret)
		strbuf_addbuf(why, &err);
	strbuf_release(&err);
	return !ret;
}

/* The request id, HTTP status, quota snapshot and Retry-After. */
static void read_headers(struct capture *c, struct entry *e)
{
	int64_t now = c->started_at + c->ended - c->started, wait;
	struct header_set h;
	const char *provider;

	if (headers_parse(&h, c->headers.buf, c->headers.len))
		return;

	provider = headers_apply(&h, e, now);
	if (provider && !entry_has(e, EF_PROVIDER_ID))
		entry_set_str(e, EF_PROVIDER_ID, provider);
	if (c->status == 429 || c->status == 503) {
		wait = retry_after_ms(headers_get(&h, "retry-after-ms"),
				headers_get(&h, "retry-after"), now);
		if (wait >= 0)
			entry_set_int(e, EF_RETRY_AFTER_MS, wait);
	}
	headers_release(&h);
}

static int is_post(const struct capture *c)
{
	return c->method && strcmp(c->method, "GET") &&
		strcmp(c->method, "HEAD") && strcmp(c->method, "OPTIONS");
}

int capture_entry(struct capture *c, struct entry *e, struct strbuf *why)
{
	int found = 0;

	if (c->failure && c->status == 0) {
		if (!is_post(c)) {
			strbuf_addf(why, "%s", c->failure);
			return 0;
		}
		bare_failure(c, e, c->failure_code);
		entry_set_int(e, EF_HTTP_STATUS, 502);
		found = 1;
	} else if (c->is_stream && c->status < 400) {
		found = read_stream(c, e, why);
	} else {
		found = read_body(c, e, why);
		if (!found && c->status >= 400 && is_post(c)) {
			char code[32];

			snprintf(code, sizeof(code), "http_%ld", c->status);
			strbuf_reset(why);
			entry_release(e);
			entry_init(e);
			bare_failure(c, e, code);
			found = 1;
		}
	}
	if (!found)
		return 0;
	if (c->status)
		entry_set_int(e, EF_HTTP_STATUS, c->status);
	read_headers(c, e);
	if (!entry_has(e, EF_PROVIDER_ID)) {
		strbuf_addstr(why, "no provider recognised");
		return 0;
	}
	if (!entry_has(e, EF_MODEL_ID) && c->model_hint)
		entry_set_str(e, EF_MODEL_ID, c->model_hint);
	if (!entry_has(e, EF_STATUS))
		entry_set_str(e, EF_STATUS, c->status >= 400 ? "failed" :
				"completed");
	if (c->client_gone && !strcmp(e->status, "completed") && c->failure)
		entry_set_str(e, EF_STATUS, "cancelled");
	entry_set_str(e, EF_SOURCE, "proxy");
	entry_set_int(e, EF_STARTED_AT, c->started_at);
	entry_set_int(e, EF_COMPLETED_AT,
			c->started_at + c->ended - c->started);
	entry_set_int(e, EF_LATENCY_MS, c->ended - c->started);
	if (c->retries > 0)
		entry_set_int(e, EF_RETRIES, c->retries);
	if (c->throttle_wait_ms >= 0)
		entry_set_int(e, EF_THROTTLE_WAIT_MS, c->throttle_wait_ms);
	return 1;
}
