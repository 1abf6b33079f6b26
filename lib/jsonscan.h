#ifndef TALLY_JSONSCAN_H
#define TALLY_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mempool.h"

/*
 * A strict, allocation-free JSON pull scanner for line-oriented data: ledger
 * rows and coding-agent logs, millions of lines per run. It walks the text
 * in place and hands out spans; nothing is copied unless asked for.
 * (Provider API payloads, which are small trees, are read with json-c.)
 *
 *	struct jscan s;
 *	struct js_span key;
 *	js_init(&s, line, len);
 *	if (js_object_begin(&s) < 0) ...
 *	while ((r = js_member(&s, &key)) > 0) {
 *		if (js_key_is(&key, "modelId")) js_string(&s, &span); ...
 *		else js_skip(&s);
 *	}
 *	if (r < 0 || !js_at_end(&s)) ... s.error says why
 *
 * Every function returns 0 (or 1 where noted) on success and -1 on error,
 * leaving a static message in s->error and the position in s->p.
 * Strings are checked for valid UTF-8 and escapes; numbers follow the
 * RFC 8259 grammar; nesting is limited to JS_MAX_DEPTH.
 */

#define JS_MAX_DEPTH 64

enum js_kind {
	JS_INVALID,
	JS_OBJECT,
	JS_ARRAY,
	JS_STRING,
	JS_NUMBER,
	JS_TRUE,
	JS_FALSE,
	JS_NULL,
};

struct js_span {
	const char *p;
	size_t len;
	int escaped; /* for strings: contains backslash escapes */
};

struct jscan {
	const char *start, *p, *end;
	int depth;
	const char *error;
	unsigned char first[JS_MAX_DEPTH + 1]; /* no item yet at depth */
};

void js_init(struct jscan *s, const char *buf, size_t len);

/* Kind of the next value (whitespace skipped), or JS_INVALID. */
enum js_kind js_peek_slow(struct jscan *s);
/* Inline for the kinds row readers ask about by the million. */
static inline enum js_kind js_peek(struct jscan *s)
{
	if (s->p < s->end) {
		switch (*s->p) {
		case '"':
			return JS_STRING;
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			return JS_NUMBER;
		}
	}
	return js_peek_slow(s);
}

int js_object_begin(struct jscan *s);
/* 1: a member follows, key set, positioned at its value; 0: '}' consumed. */
int js_member(struct jscan *s, struct js_span *key);
int js_array_begin(struct jscan *s);
/* 1: an element follows; 0: ']' consumed. */
int js_element(struct jscan *s);

/* A string value; span excludes the quotes and is still escaped. */
int js_string(struct jscan *s, struct js_span *out);
/* A number value's text. */
int js_number(struct jscan *s, struct js_span *out);
/* A number that must be a whole number fitting int64. */
int js_int64(struct jscan *s, int64_t *out);
/* Consumes null; returns 1 if the next value was null, 0 if not. */
int js_null_slow(struct jscan *s);
static inline int js_null(struct jscan *s)
{
	/* Not null, and no blank before it: the answer without a call. */
	if (s->p < s->end && *s->p != 'n' && (unsigned char)*s->p > ' ')
		return 0;
	return js_null_slow(s);
}
/* Skips one value of any kind, validating it. */
int js_skip(struct jscan *s);
/*
 * Skips an object or array checking only that its strings end and its
 * brackets balance, not what is inside: for bulky members a parser does
 * not read (message contents). Other values are skipped as js_skip does.
 */
int js_skip_lazy(struct jscan *s);
/*
 * Enters an object (1), or skips a value of any other kind (0): for
 * members a parser reads only when they are objects. -1 on error.
 */
int js_object_or_skip(struct jscan *s);

/* Whether only whitespace remains. */
int js_at_end(struct jscan *s);

/*
 * Whether a key span equals the NUL-terminated name. Inline, so that the
 * length of a literal name is known at compile time: parsers compare
 * every key against a dozen names.
 */
static inline int js_key_is(const struct js_span *key, const char *name)
{
	size_t n = strlen(name);

	return !key->escaped && key->len == n && !memcmp(key->p, name, n);
}

/*
 * The fast path of js_member for text laid out as tally writes it: when
 * the next member's key is exactly name (n bytes, no escapes), with no
 * blanks around it, takes the key and its colon and returns 1, as
 * js_member would. Otherwise returns 0 and moves nothing: the caller
 * goes on with js_member. Row readers try the fields they expect next.
 */
static inline int js_member_is(struct jscan *s, const char *name, size_t n)
{
	size_t lead = !s->first[s->depth];
	const char *p = s->p;

	if (!n || (size_t)(s->end - p) < lead + n + 3 || p[lead] != '"' ||
	    p[lead + 1] != name[0] || (lead && p[0] != ',') ||
	    p[lead + 1 + n] != '"' || p[lead + 2 + n] != ':' ||
	    memcmp(p + lead + 1, name, n))
		return 0;
	s->p = p + lead + n + 3;
	s->first[s->depth] = 0;
	return 1;
}

/* The unescaped string as a NUL-terminated copy in pool. */
char *js_unescape(const struct js_span *sp, struct mempool *pool);

#endif
