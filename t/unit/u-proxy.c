/* Unit tests for the recording proxy's pieces: routes, hosts, captures. */
#include "tap.h"

#include <stdlib.h>

#include "lib/entry.h"
#include "lib/strbuf.h"
#include "providers/provider.h"
#include "proxy/capture.h"
#include "proxy/route.h"

static const char *from_url(const char *url)
{
	const struct provider *p = provider_from_base_url(url);

	return p ? p->id : "(none)";
}

static void test_hosts(void)
{
	is_str(from_url("https://api.openai.com/v1"), "openai",
			"api.openai.com is OpenAI");
	is_str(from_url("https://openrouter.ai/api/v1"), "openrouter",
			"openrouter.ai is OpenRouter");
	is_str(from_url("https://API.Anthropic.com"), "anthropic",
			"hosts compare without case");
	is_str(from_url("https://myres.openai.azure.com/openai/v1"), "azure",
			"a resource of openai.azure.com is Azure");
	is_str(from_url("https://api.groq.com/openai/v1"), "groq",
			"Groq's OpenAI path is still Groq");
	is_str(from_url("https://evilopenai.com/v1"), "(none)",
			"a host that only ends like one is not it");
	is_str(from_url("https://api.openai.com.evil.example/v1"), "(none)",
			"nor one that starts like one");
	is_str(from_url("http://127.0.0.1:8080/v1"), "(none)",
			"a local server is known from its responses");
	is_str(from_url("not a url"), "(none)", "garbage is nobody's");
}

static void test_routes(void)
{
	struct routes r;
	struct strbuf err = STRBUF_INIT;
	const struct route *m;
	const char *rest = NULL;

	routes_init(&r);
	ok(!routes_add(&r, "openai", "https://api.openai.com/v1/", NULL,
			&err), "an https upstream is accepted");
	ok(routes_add(&r, "evil", "http://192.0.2.1/v1", NULL, &err) != 0,
			"plain http beyond loopback is refused");
	ok(!routes_add(&r, "local", "http://127.0.0.1:9/v1", NULL, &err),
			"plain http to loopback is accepted");
	m = routes_match(&r, "/openai/chat/completions", &rest);
	ok(m && !strcmp(m->upstream, "https://api.openai.com/v1"),
			"the upstream loses its trailing slash");
	is_str(rest, "/chat/completions", "the rest follows the route");
	ok(!routes_match(&r, "/openaix/chat", &rest),
			"a route matches a whole segment");
	ok(!routes_match(&r, "openai/chat", &rest), "paths start with /");
	m = routes_match(&r, "/local", &rest);
	ok(m && !*rest, "a route alone matches with nothing after it");
	ok(!routes_add(&r, "openai", "https://openrouter.ai/api/v1", NULL,
			&err) && r.n == 2, "adding a route again replaces it");
	routes_release(&r);
	strbuf_release(&err);
}

static void test_capture(void)
{
	struct capture *c = capture_new();
	struct strbuf why = STRBUF_INIT;
	struct entry e;
	const char *body = "{\"error\":{\"message\":\"slow down\","
		"\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}";

	c->method = strdup("POST");
	c->path = strdup("/openai/chat/completions");
	c->provider = "openai";
	c->model_hint = strdup("gpt-4o");
	c->status = 429;
	strbuf_addstr(&c->headers, "HTTP/1.1 429 Too Many Requests\r\n"
			"retry-after-ms: 1500\r\nretry-after: 2\r\n\r\n");
	c->started_at = 1000000;
	c->started = 50;
	c->ended = 80;
	c->retries = 2;
	capture_feed(c, body, strlen(body), 60);
	entry_init(&e);
	ok(capture_entry(c, &e, &why) == 1, "a 429 is recorded");
	is_str(e.status, "failed", "as failed");
	is_str(e.error_code, "rate_limit_exceeded", "with the provider's code");
	is_str(e.model_id, "gpt-4o", "and the request's model");
	is_int(e.retry_after_ms, 1500, "retry-after-ms wins over Retry-After");
	is_int(e.latency_ms, 30, "latency is the exchange's");
	is_int(e.completed_at, 1000030, "completedAt is startedAt + latency");
	is_int(e.retries, 2, "earlier failed attempts are its retries");
	ok(!entry_has(&e, EF_BILLED_INPUT_TOKENS), "and it has no usage");
	entry_release(&e);
	capture_free(c);

	c = capture_new();
	c->method = strdup("GET");
	c->path = strdup("/openai/models");
	c->provider = "openai";
	c->status = 200;
	capture_feed(c, "{\"data\":[]}", 11, 1);
	entry_init(&e);
	ok(capture_entry(c, &e, &why) == 0 && why.len,
			"a model list is not recorded, and says why");
	entry_release(&e);
	capture_free(c);
	strbuf_release(&why);
}

int main(void)
{
	test_hosts();
	test_routes();
	test_capture();
	return tap_done();
}
