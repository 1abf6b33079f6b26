#include "jsonw.h"

#include <math.h>
#include <string.h>

#include "error.h"
#include "money.h"
#include "json-simd.h"
#include "utf8.h"
#include "banned.h"

void jw_init(struct jsonw *w, struct strbuf *out, enum jw_style style)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->style = style;
}

/* A line break before an item (or the end) of the container at depth. */
static void newline_indent(struct jsonw *w, int depth)
{
	if (w->style == JW_LINES && depth == 2)
		strbuf_addch(w->out, '\n');
	if (w->style != JW_PRETTY)
		return;
	strbuf_addch(w->out, '\n');
	strbuf_addchars(w->out, ' ', (size_t)w->depth * 2);
}

static void before_member(struct jsonw *w)
{
	if (w->has_items[w->depth - 1])
		strbuf_addch(w->out, ',');
	w->has_items[w->depth - 1] = 1;
	/* Ledger rows are compact: their members need no further test. */
	if (w->style != JW_COMPACT)
		newline_indent(w, w->depth);
}

/* Everything that starts a value goes through here. */
static inline void before_value(struct jsonw *w)
{
	if (w->after_key)
		w->after_key = 0;
	else if (w->depth)
		before_member(w);
}

static void open_container(struct jsonw *w, char c)
{
	before_value(w);
	if (w->depth >= JW_MAX_DEPTH)
		BUG("JSON nesting deeper than %d", JW_MAX_DEPTH);
	strbuf_addch(w->out, c);
	w->has_items[w->depth++] = 0;
}

static void close_container(struct jsonw *w, char c)
{
	if (!w->depth)
		BUG("unbalanced JSON writer");
	w->depth--;
	if (w->has_items[w->depth] && w->style != JW_COMPACT)
		newline_indent(w, w->depth + 1);
	strbuf_addch(w->out, c);
	if (!w->depth && w->style != JW_COMPACT)
		strbuf_addch(w->out, '\n');
}

void jw_object_begin(struct jsonw *w)
{
	open_container(w, '{');
}

void jw_object_end(struct jsonw *w)
{
	close_container(w, '}');
}

void jw_array_begin(struct jsonw *w)
{
	open_container(w, '[');
}

void jw_array_end(struct jsonw *w)
{
	close_container(w, ']');
}

void jw_key_plain(struct jsonw *w, const char *key, size_t n)
{
	struct strbuf *out = w->out;
	char *o;

	if (w->style == JW_PRETTY || !w->depth) {
		before_value(w);
		json_quote(out, key, n);
		strbuf_addstr(out, w->style == JW_PRETTY ? ": " : ":");
		w->after_key = 1;
		return;
	}
	/* Compact, in an object: the comma, the key and the colon at once. */
	strbuf_grow(out, n + 4);
	o = out->buf + out->len;
	if (w->has_items[w->depth - 1])
		*o++ = ',';
	w->has_items[w->depth - 1] = 1;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = '\0';
	out->len = (size_t)(o - out->buf);
	w->after_key = 1;
}

void jw_key(struct jsonw *w, const char *key)
{
	size_t n = strlen(key);

	if (json_plain_run((const unsigned char *)key, n) == n) {
		jw_key_plain(w, key, n);
		return;
	}
	before_value(w);
	w->after_key = 1;
	json_quote(w->out, key, n);
	strbuf_addstr(w->out, w->style == JW_PRETTY ? ": " : ":");
}

static void quote_special(struct strbuf *sb, const unsigned char **pp,
		const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = *pp;
	size_t n;

	if (*p >= 0x80) {
		n = utf8_valid_prefix(p, (size_t)(end - p));
		if (n) {
			strbuf_add(sb, p, n);
			*pp = p + n;
		} else {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			*pp = p + 1;
		}
		return;
	}
	switch (*p) {
	case '"': strbuf_addstr(sb, "\\\""); break;
	case '\\': strbuf_addstr(sb, "\\\\"); break;
	case '\n': strbuf_addstr(sb, "\\n"); break;
	case '\t': strbuf_addstr(sb, "\\t"); break;
	case '\r': strbuf_addstr(sb, "\\r"); break;
	case '\b': strbuf_addstr(sb, "\\b"); break;
	case '\f': strbuf_addstr(sb, "\\f"); break;
	default:
		strbuf_addstr(sb, "\\u00");
		strbuf_addch(sb, hex[*p >> 4]);
		strbuf_addch(sb, hex[*p & 15]);
	}
	*pp = p + 1;
}

void json_quote(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	strbuf_grow(sb, len + 2);
	sb->buf[sb->len++] = '"';
	for (;;) {
		/* Plain bytes are copied straight into the room made above. */
		size_t n = json_plain_run(p, (size_t)(end - p));

		memcpy(sb->buf + sb->len, p, n);
		sb->len += n;
		p += n;
		if (p == end)
			break;
		quote_special(sb, &p, end);
		strbuf_grow(sb, (size_t)(end - p) + 1);
	}
	strbuf_addch(sb, '"');
}

void jw_string(struct jsonw *w, const char *s)
{
	jw_string_len(w, s, strlen(s));
}

void jw_string_len(struct jsonw *w, const char *s, size_t len)
{
	before_value(w);
	json_quote(w->out, s, len);
}

void jw_int(struct jsonw *w, int64_t v)
{
	before_value(w);
	strbuf_addint(w->out, v);
}

void jw_money(struct jsonw *w, int64_t nano)
{
	before_value(w);
	money_format(w->out, nano);
}

void jw_double(struct jsonw *w, double v)
{
	before_value(w);
	if (!isfinite(v)) {
		strbuf_addstr(w->out, "null");
		return;
	}
	if (v == (double)(int64_t)v && fabs(v) < 1e15)
		strbuf_addf(w->out, "%lld", (long long)v);
	else
		strbuf_addf(w->out, "%.6g", v);
}

void jw_bool(struct jsonw *w, int v)
{
	before_value(w);
	strbuf_addstr(w->out, v ? "true" : "false");
}

void jw_null(struct jsonw *w)
{
	before_value(w);
	strbuf_addstr(w->out, "null");
}

void jw_raw(struct jsonw *w, const char *json, size_t len)
{
	before_value(w);
	strbuf_add(w->out, json, len);
}

void jw_raw_members(struct jsonw *w, const char *json, size_t len)
{
	if (!len)
		return;
	before_value(w);
	strbuf_add(w->out, json, len);
}

void jw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kv_money(struct jsonw *w, const char *key, int64_t nano)
{
	jw_key(w, key);
	jw_money(w, nano);
}

void jw_kv_double(struct jsonw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, v);
}

void jw_kv_bool(struct jsonw *w, const char *key, int v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kv_null(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}
