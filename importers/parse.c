#include "parse.h"

#include <string.h>

#include "../lib/fsutil.h"
#include "../lib/banned.h"

char *span_dup(const struct js_span *sp, struct mempool *pool)
{
	return sp->p ? js_unescape(sp, pool) : NULL;
}

int span_is(const struct js_span *sp, const char *s)
{
	return sp->p && sp->len == strlen(s) && !memcmp(sp->p, s, sp->len);
}

int span_empty(const struct js_span *sp)
{
	return sp->p && !sp->len;
}

int span_semver_like(const struct js_span *v)
{
	int dots = 0, digits = 0;

	for (size_t i = 0; i < v->len; i++) {
		char c = v->p[i];

		if (c >= '0' && c <= '9')
			digits++;
		else if (c == '.' && digits)
			dots++, digits = 0;
		else
			break;
	}
	return dots >= 2 && digits;
}

int scan_count(struct jscan *s, int64_t *out)
{
	if (js_null(s) == 1) {
		*out = 0;
		return 0;
	}
	return js_int64(s, out) < 0 || *out < 0 || *out > ENTRY_MAX_TOKENS ?
		-1 : 0;
}

int scan_string_or_skip(struct jscan *s, struct js_span *out)
{
	if (js_peek(s) == JS_STRING)
		return js_string(s, out);
	memset(out, 0, sizeof(*out));
	return js_skip(s);
}

int scan_line_object(const char *text, size_t len,
		int (*member)(struct jscan *s, const struct js_span *key,
			void *rec), void *rec)
{
	struct jscan s;
	struct js_span key;
	int ret;

	js_init(&s, text, len);
	if (js_object_begin(&s) < 0)
		return -1;
	while ((ret = js_member(&s, &key)) > 0)
		if (member(&s, &key, rec) < 0)
			return -1;
	return ret < 0 || !js_at_end(&s) ? -1 : 0;
}

const char *provider_of_model(const struct js_span *model,
		const char *otherwise)
{
	static const struct { const char *prefix, *provider; } families[] = {
		{ "claude", "anthropic" }, { "gpt", "openai" },
		{ "o1", "openai" }, { "o3", "openai" }, { "o4", "openai" },
		{ "gemini", "gemini" }, { "grok", "xai" },
		{ "deepseek", "deepseek" }, { "qwen", "qwen" },
	};

	for (size_t i = 0; i < sizeof(families) / sizeof(*families); i++) {
		size_t n = strlen(families[i].prefix);

		if (model->len >= n && !memcmp(model->p, families[i].prefix, n))
			return families[i].provider;
	}
	return otherwise;
}

int import_array(struct import_file *f, struct jscan *s, struct strbuf *err)
{
	int ret;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s) < 0 ? -1 : 0;
	if (js_array_begin(s) < 0)
		return -1;
	while ((ret = js_element(s)) > 0) {
		const char *start = s->p;

		if (js_skip(s) < 0)
			return -1;
		if ((ret = import_line(f, start, (size_t)(s->p - start), err)))
			return ret;
	}
	return ret;
}

void item_set_key(struct import_item *it, struct mempool *pool,
		const char *const *parts)
{
	size_t i;

	for (i = 0; parts[i] && i < 4; i++)
		it->key[i] = mempool_strdup(pool, parts[i]);
	it->key[i] = NULL;
}

void dirs_add(struct string_list *dirs, const char *base, const char *sub)
{
	struct strbuf p = STRBUF_INIT;

	path_join(&p, base, sub);
	string_list_append(dirs, strbuf_detach(&p, NULL));
}
