#include "jsonscan.h"

#include <string.h>

#include "json-simd.h"
#include "utf8.h"
#include "banned.h"

void js_init(struct jscan *s, const char *buf, size_t len)
{
	s->start = s->p = buf;
	s->end = buf + len;
	s->depth = 0;
	s->error = NULL;
}

static int bad(struct jscan *s, const char *msg)
{
	if (!s->error)
		s->error = msg;
	return -1;
}

static void skip_ws_slow(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Compact JSON has no blanks: one comparison decides most calls. */
static inline void skip_ws(struct jscan *s)
{
	if (s->p < s->end && (unsigned char)*s->p > ' ')
		return;
	skip_ws_slow(s);
}

enum js_kind js_peek_slow(struct jscan *s)
{
	skip_ws(s);
	if (s->p == s->end)
		return JS_INVALID;
	switch (*s->p) {
	case '{': return JS_OBJECT;
	case '[': return JS_ARRAY;
	case '"': return JS_STRING;
	case 't': return JS_TRUE;
	case 'f': return JS_FALSE;
	case 'n': return JS_NULL;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return JS_NUMBER;
	}
	return JS_INVALID;
}

static int expect_slow(struct jscan *s, char c, const char *msg)
{
	skip_ws(s);
	if (s->p == s->end || *s->p != c)
		return bad(s, msg);
	s->p++;
	return 0;
}

static inline int expect(struct jscan *s, char c, const char *msg)
{
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 0;
	}
	return expect_slow(s, c, msg);
}

int js_object_begin(struct jscan *s)
{
	if (expect(s, '{', "expected an object"))
		return -1;
	if (++s->depth > JS_MAX_DEPTH)
		return bad(s, "nesting too deep");
	s->first[s->depth] = 1;
	return 0;
}

static int container_next_slow(struct jscan *s, char close)
{
	skip_ws(s);
	if (s->p == s->end)
		return bad(s, "unexpected end of input");
	if (*s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	if (s->first[s->depth]) {
		s->first[s->depth] = 0;
		return 1;
	}
	if (*s->p != ',')
		return bad(s, "expected ',' or end of container");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == close)
		return bad(s, "trailing comma");
	return 1;
}

/* The common case first: a comma, then the next value right after it. */
static inline int container_next(struct jscan *s, char close)
{
	if (s->end - s->p > 1 && s->p[0] == ',' && !s->first[s->depth] &&
	    (unsigned char)s->p[1] > ' ' && s->p[1] != close) {
		s->p++;
		return 1;
	}
	return container_next_slow(s, close);
}

int js_member(struct jscan *s, struct js_span *key)
{
	int r = container_next(s, '}');

	if (r <= 0)
		return r;
	if (js_string(s, key))
		return -1;
	if (expect(s, ':', "expected ':' after key"))
		return -1;
	return 1;
}

int js_array_begin(struct jscan *s)
{
	if (expect(s, '[', "expected an array"))
		return -1;
	if (++s->depth > JS_MAX_DEPTH)
		return bad(s, "nesting too deep");
	s->first[s->depth] = 1;
	return 0;
}

int js_element(struct jscan *s)
{
	return container_next(s, ']');
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int check_escape(struct jscan *s)
{
	switch (*s->p) {
	case '"': case '\\': case '/': case 'b':
	case 'f': case 'n': case 'r': case 't':
		s->p++;
		return 0;
	case 'u':
		if (s->end - s->p < 5)
			return bad(s, "truncated \\u escape");
		for (int i = 1; i <= 4; i++)
			if (hexval((unsigned char)s->p[i]) < 0)
				return bad(s, "invalid \\u escape");
		s->p += 5;
		return 0;
	}
	return bad(s, "invalid escape");
}

/* The rest of a string after its plain start: escapes, non-ASCII, errors. */
static int string_rest(struct jscan *s, struct js_span *out)
{
	const unsigned char *p;

	for (;;) {
		p = (const unsigned char *)s->p;
		p += json_plain_run(p, (size_t)(s->end - s->p));
		s->p = (const char *)p;
		if (s->p == s->end)
			return bad(s, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			s->p++;
			if (s->p == s->end)
				return bad(s, "unterminated string");
			out->escaped = 1;
			if (check_escape(s))
				return -1;
		} else if (*p < 0x20) {
			return bad(s, "control character in string");
		} else {
			size_t n = utf8_valid_prefix(p, (size_t)(s->end - s->p));

			if (!n)
				return bad(s, "invalid UTF-8 in string");
			s->p += n;
		}
	}
	out->len = (size_t)(s->p - out->p);
	s->p++;
	return 0;
}

/*
 * Most strings are plain ASCII from quote to quote: that case makes no
 * call, so it needs no registers saved.
 */
int js_string(struct jscan *s, struct js_span *out)
{
	const char *p;
	size_t n;

	if (s->p == s->end || *s->p != '"') {
		if (expect(s, '"', "expected a string"))
			return -1;
	} else {
		s->p++;
	}
	p = s->p;
	out->p = p;
	out->escaped = 0;
	n = json_plain_run((const unsigned char *)p, (size_t)(s->end - p));
	if (n < (size_t)(s->end - p) && p[n] == '"') {
		out->len = n;
		s->p = p + n + 1;
		return 0;
	}
	s->p = p + n;
	return string_rest(s, out);
}

static int digits(struct jscan *s)
{
	const char *q = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > q ? 0 : -1;
}

int js_number(struct jscan *s, struct js_span *out)
{
	skip_ws(s);
	out->p = s->p;
	out->escaped = 0;
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (digits(s))
		return bad(s, "invalid number");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s))
			return bad(s, "invalid number");
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s))
			return bad(s, "invalid number");
	}
	out->len = (size_t)(s->p - out->p);
	return 0;
}

int js_int64(struct jscan *s, int64_t *out)
{
	const char *start;
	uint64_t v = 0, limit;
	int neg = 0;

	skip_ws(s);
	start = s->p;
	if (s->p < s->end && *s->p == '-') {
		neg = 1;
		s->p++;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	/* The common case in one pass: plain digits, no leading zero. */
	for (const char *safe = s->p + 18; s->p < s->end && s->p < safe &&
	     *s->p >= '0' && *s->p <= '9'; s->p++)
		v = v * 10 + (unsigned)(*s->p - '0'); /* 18 digits cannot overflow */
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		unsigned d = (unsigned)(*s->p - '0');

		if (v > (limit - d) / 10)
			return bad(s, "number out of range");
		v = v * 10 + d;
		s->p++;
	}
	if (s->p == start + neg || (start[neg] == '0' && s->p - start > neg + 1) ||
	    (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))) {
		struct js_span sp;

		/* Not a plain whole number: say whether it is a number at all. */
		s->p = start;
		if (js_number(s, &sp))
			return -1;
		return bad(s, "expected a whole number");
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int literal(struct jscan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return bad(s, "invalid literal");
	s->p += n;
	return 0;
}

int js_null_slow(struct jscan *s)
{
	if (js_peek(s) != JS_NULL)
		return 0;
	return literal(s, "null", 4) ? -1 : 1;
}

int js_skip(struct jscan *s)
{
	struct js_span sp;
	int r;

	switch (js_peek(s)) {
	case JS_OBJECT:
		if (js_object_begin(s))
			return -1;
		while ((r = js_member(s, &sp)) > 0)
			if (js_skip(s))
				return -1;
		return r;
	case JS_ARRAY:
		if (js_array_begin(s))
			return -1;
		while ((r = js_element(s)) > 0)
			if (js_skip(s))
				return -1;
		return r;
	case JS_STRING:
		return js_string(s, &sp);
	case JS_NUMBER:
		return js_number(s, &sp);
	case JS_TRUE:
		return literal(s, "true", 4);
	case JS_FALSE:
		return literal(s, "false", 5);
	case JS_NULL:
		return literal(s, "null", 4);
	default:
		return bad(s, s->p == s->end ? "unexpected end of input" :
						"unexpected character");
	}
}

int js_skip_lazy(struct jscan *s)
{
	enum js_kind k = js_peek(s);
	int depth = 0;

	if (k != JS_OBJECT && k != JS_ARRAY)
		return js_skip(s);
	while (s->p < s->end) {
		const char *q = s->p;

		while (q < s->end && *q != '"' && *q != '{' && *q != '}' &&
		       *q != '[' && *q != ']')
			q++;
		if (q == s->end)
			break;
		s->p = q + 1;
		if (*q == '{' || *q == '[') {
			depth++;
		} else if (*q != '"') {
			if (--depth == 0)
				return 0;
		} else {
			/* To the closing quote: one after an even run of backslashes. */
			for (;;) {
				const char *e = memchr(s->p, '"',
						(size_t)(s->end - s->p));
				const char *b = e;

				if (!e)
					return bad(s, "unterminated string");
				while (b > s->p && b[-1] == '\\')
					b--;
				s->p = e + 1;
				if (!((e - b) & 1))
					break;
			}
		}
	}
	return bad(s, "unexpected end of input");
}

int js_object_or_skip(struct jscan *s)
{
	if (js_peek(s) != JS_OBJECT)
		return js_skip(s) < 0 ? -1 : 0;
	return js_object_begin(s) < 0 ? -1 : 1;
}

int js_at_end(struct jscan *s)
{
	skip_ws(s);
	return s->p == s->end;
}

static unsigned read_hex4(const char *p)
{
	return (unsigned)(hexval((unsigned char)p[0]) << 12 |
			  hexval((unsigned char)p[1]) << 8 |
			  hexval((unsigned char)p[2]) << 4 |
			  hexval((unsigned char)p[3]));
}

/* Decodes the \uXXXX escape at p (after the 'u'); returns bytes consumed. */
static size_t decode_u(const char *p, const char *end, char *out, size_t *outlen)
{
	unsigned cp = read_hex4(p);
	size_t used = 4;

	if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 10 && p[4] == '\\' &&
	    p[5] == 'u') {
		unsigned lo = read_hex4(p + 6);

		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			used = 10;
		}
	}
	/* A lone surrogate is not a character; NUL would cut the C string. */
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
		cp = 0xfffd;
	*outlen = utf8_encode(cp, out);
	return used;
}

char *js_unescape(const struct js_span *sp, struct mempool *pool)
{
	const char *p = sp->p, *end = sp->p + sp->len;
	char *out, *o;

	if (!sp->escaped)
		return mempool_strndup(pool, sp->p, sp->len);
	/* Unescaping never makes a string longer. */
	o = out = mempool_alloc(pool, sp->len + 1);
	while (p < end) {
		size_t n;

		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			p += decode_u(p, end, o, &n);
			o += n;
			break;
		default: *o++ = p[-1]; break;
		}
	}
	*o = '\0';
	return out;
}
