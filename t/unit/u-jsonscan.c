/* Unit tests for lib/jsonscan (strict JSON) and lib/jsonw (the writer). */
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

#include "lib/jsonscan.h"
#include "lib/json-simd.h"
#include "lib/jsonw.h"

static int valid(const char *text)
{
	struct jscan s;

	js_init(&s, text, strlen(text));
	return !js_skip(&s) && js_at_end(&s);
}

static void accept(const char *text)
{
	ok(valid(text), "accepts %s", text);
}

static void refuse(const char *text, const char *what)
{
	ok(!valid(text), "refuses %s", what);
}

static void unescape_is(const char *json, const char *want)
{
	struct mempool pool = MEMPOOL_INIT;
	struct js_span sp;
	struct jscan s;

	js_init(&s, json, strlen(json));
	ok(!js_string(&s, &sp) && !strcmp(js_unescape(&sp, &pool), want),
			"unescapes %s", json);
	mempool_release(&pool);
}

static void quote_is(const char *in, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	json_quote(&sb, in, len);
	is_str(sb.buf, want, "json_quote gives %s", want);
	strbuf_release(&sb);
}

static size_t plain_run_bytewise(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
	       p[i] != '\\')
		i++;
	return i;
}

/* json_plain_run against a byte-by-byte scan, a special byte anywhere. */
static void plain_run_agrees(void)
{
	static const unsigned char specials[] = { '"', '\\', 0x00, 0x1f,
		0x80, 0xff, 0xc3 };
	unsigned char buf[40];
	int bad = 0;

	for (size_t k = 0; k < sizeof(specials); k++)
		for (size_t at = 0; at < sizeof(buf); at++)
			for (size_t n = 0; n <= sizeof(buf); n += 3) {
				for (size_t i = 0; i < sizeof(buf); i++)
					buf[i] = (unsigned char)(0x20 + (i * 7) % 0x60);
				buf[at] = specials[k];
				if (json_plain_run(buf, n) !=
				    plain_run_bytewise(buf, n))
					bad++;
			}
	ok(!bad, "json_plain_run finds the first special byte (%d wrong)", bad);
}

static int contains_bytewise(const char *hay, size_t len, const char *needle,
		size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

/*
 * contains_from_end against a plain search: the needle (or a near miss
 * that shares its first, second and last bytes) at every position of
 * haystacks of every length up to 70, which crosses the 16-byte blocks.
 */
static void contains_from_end_agrees(void)
{
	static const char *const needles[] = { "\"usage\"", "ab" };
	static const char *const misses[] = { "\"usaXe\"", "aX" };
	char hay[80];
	int bad = 0, found = 0;

	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(needles[k]);

		for (size_t len = 0; len <= 70; len++)
			for (size_t at = 0; at <= len; at++)
				for (int kind = 0; kind < 3; kind++) {
					memset(hay, '"', len);
					if (kind < 2 && at + n <= len)
						memcpy(hay + at, kind ? misses[k] :
						       needles[k], n);
					if (kind == 2 && at < len)
						hay[at] = 'u';
					int want = contains_bytewise(hay, len,
							needles[k], n);

					found += want;
					if (contains_from_end(hay, len,
							needles[k], n) != want)
						bad++;
				}
	}
	ok(!bad && found > 0, "contains_from_end agrees with a plain search "
			"(%d wrong, %d found)", bad, found);
}

/*
 * js_int64 against strtoll on every length of digits from 1 to 20, with
 * and without a sign, followed by each kind of byte or by the end of the
 * buffer (the input is copied to the heap at its exact length, so a read
 * past it is caught by the sanitizers).
 */
static void int64_agrees(void)
{
	static const char *const after[] = { "", ",", "}", "]", " ", ":", "/",
		"a", "\x7f" };
	int bad = 0, tried = 0;
	unsigned seed = 12345;

	for (int len = 1; len <= 20; len++)
		for (int neg = 0; neg < 2; neg++)
			for (size_t a = 0; a < sizeof(after) / sizeof(*after); a++)
				for (int rep = 0; rep < 20; rep++) {
					char text[40], *copy;
					size_t n = 0;
					struct jscan sc;
					int64_t got = 0;
					int ret, want_ok;
					long long want;

					if (neg)
						text[n++] = '-';
					for (int i = 0; i < len; i++) {
						seed = seed * 1103515245u + 12345u;
						text[n++] = (char)('0' + (i == 0 && len > 1 ?
							1 + (seed >> 16) % 9 : (seed >> 16) % 10));
					}
					memcpy(text + n, after[a], strlen(after[a]));
					n += strlen(after[a]);
					text[n] = '\0';
					errno = 0;
					want = strtoll(text, NULL, 10);
					want_ok = errno != ERANGE && !(len > 1 && text[neg] == '0');
					copy = malloc(n ? n : 1);
					memcpy(copy, text, n);
					js_init(&sc, copy, n);
					ret = js_int64(&sc, &got);
					if (ret != (want_ok ? 0 : -1) || (want_ok && got != want) ||
					    (want_ok && sc.p != copy + neg + len))
						bad++;
					tried++;
					free(copy);
				}
	ok(!bad, "js_int64 agrees with strtoll on %d numbers (%d wrong)",
			tried, bad);
}

/*
 * js_member_is takes a key only where js_member would give the same one
 * with nothing around it; otherwise it moves nothing. Each text is an
 * object's inside after '{', tried on its first key, then on its second.
 */
static void member_is_agrees(void)
{
	static const struct {
		const char *text, *name;
		int first, second;
	} cases[] = {
		{ "\"v\":1,\"entryId\":\"x\"}", "v", 1, 0 },
		{ "\"v\":1,\"entryId\":\"x\"}", "entryId", 0, 1 },
		{ "\"vx\":1,\"entryIdX\":2}", "v", 0, 0 },
		{ "\"vx\":1,\"entryIdX\":2}", "entryId", 0, 0 },
		{ "\"\\u0076\":1,\"entry\\u0049d\":2}", "v", 0, 0 },
		{ " \"v\":1, \"entryId\":2}", "v", 0, 0 },
		{ "\"v\" :1,\"entryId\" :2}", "entryId", 0, 0 },
		{ "\"v\":1,\"entryId\"", "entryId", 0, 0 },
		{ "\"v\"", "v", 0, 0 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].text);
		char *copy = malloc(n + 1);
		struct jscan sc;
		struct js_span key;
		const char *before;
		int got;

		copy[0] = '{';
		memcpy(copy + 1, cases[i].text, n);
		js_init(&sc, copy, n + 1);
		bad += js_object_begin(&sc) != 0;
		for (int k = 0; k < 2; k++) {
			before = sc.p;
			got = js_member_is(&sc, cases[i].name,
					strlen(cases[i].name));
			if (got != (k ? cases[i].second : cases[i].first) ||
			    (!got && sc.p != before)) {
				printf("# case %zu, key %d: got %d\n", i, k, got);
				bad++;
			}
			/* Where it took the key, js_member would have too. */
			if (got) {
				bad += js_skip(&sc) != 0;
				continue;
			}
			if (js_member(&sc, &key) != 1 || js_skip(&sc))
				break;
			if (k == 1 && cases[i].second)
				bad++;
		}
		free(copy);
	}
	ok(!bad, "js_member_is takes exactly the plain keys it names");
}

int main(void)
{
	int64_t v;
	struct jscan s;

	accept("{}");
	accept("[]");
	accept("{\"a\":[1,2.5,-3e4,true,false,null,\"x\"]}");
	accept(" { \"a\" : { \"b\" : [ ] } } ");
	accept("\"\\u00e9\\ud83d\\ude00\"");
	accept("\"caf\xc3\xa9\"");
	refuse("{", "an unterminated object");
	refuse("{\"a\":1,}", "a trailing comma in an object");
	refuse("[1,]", "a trailing comma in an array");
	refuse("[1 2]", "a missing comma");
	refuse("{\"a\" 1}", "a missing colon");
	refuse("{a:1}", "an unquoted key");
	refuse("01", "a leading zero");
	refuse("1.", "a bare decimal point");
	refuse("-", "a lone minus");
	refuse("\"\\x\"", "an invalid escape");
	refuse("\"\\u12\"", "a short \\u escape");
	refuse("\"a\nb\"", "a raw newline in a string");
	refuse("\"\xff\"", "invalid UTF-8");
	refuse("\"\xc0\xaf\"", "overlong UTF-8");
	refuse("\"\xed\xa0\x80\"", "an encoded surrogate");
	refuse("tru", "a cut literal");
	refuse("[1] x", "trailing text");
	{
		char deep[200];

		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		deep[199] = ']';
		js_init(&s, deep, 200);
		ok(js_skip(&s) && s.error && !strcmp(s.error, "nesting too deep"),
				"refuses nesting deeper than %d", JS_MAX_DEPTH);
	}

	js_init(&s, "9223372036854775807", 19);
	ok(!js_int64(&s, &v) && v == INT64_MAX, "int64 max");
	js_init(&s, "-9223372036854775808", 20);
	ok(!js_int64(&s, &v) && v == INT64_MIN, "int64 min");
	js_init(&s, "9223372036854775808", 19);
	ok(js_int64(&s, &v), "int64 overflow is refused");
	js_init(&s, "1.5", 3);
	ok(js_int64(&s, &v), "a fraction is not a whole number");
	js_init(&s, "-9223372036854775809", 20);
	ok(js_int64(&s, &v), "int64 underflow is refused");
	js_init(&s, "99999999999999999999", 20);
	ok(js_int64(&s, &v), "twenty nines are refused");
	js_init(&s, "999999999999999999", 18);
	ok(!js_int64(&s, &v) && v == 999999999999999999LL, "eighteen nines");
	js_init(&s, "1234567890123456789", 19);
	ok(!js_int64(&s, &v) && v == 1234567890123456789LL, "nineteen digits");
	js_init(&s, "1795521600000,", 14);
	ok(!js_int64(&s, &v) && v == 1795521600000LL && *s.p == ',',
			"a time in ms, stopping at the comma");
	js_init(&s, "012", 3);
	ok(js_int64(&s, &v), "a leading zero is refused");

	unescape_is("\"a\\\"b\\\\c\\/d\\n\"", "a\"b\\c/d\n");
	unescape_is("\"\\u00e9\"", "\xc3\xa9");
	unescape_is("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");
	unescape_is("\"\\ud83d\"", "\xef\xbf\xbd");
	unescape_is("\"a\\u0000b\"", "a\xef\xbf\xbd" "b");

	js_init(&s, "[1,{\"a\":2}]", 11);
	ok(js_array_begin(&s) == 0 && js_element(&s) == 1 &&
	   js_object_or_skip(&s) == 0 && js_element(&s) == 1 &&
	   js_object_or_skip(&s) == 1 && *s.p == '"',
			"js_object_or_skip skips a number, enters an object");
	js_init(&s, "{", 1);
	ok(js_object_or_skip(&s) == 1 && js_skip(&s) < 0,
			"js_object_or_skip enters; the unclosed object fails later");
	js_init(&s, "\"open", 5);
	ok(js_object_or_skip(&s) < 0, "js_object_or_skip fails on a bad value");
	plain_run_agrees();
	contains_from_end_agrees();
	int64_agrees();
	member_is_agrees();
	quote_is("plain", 5, "\"plain\"");
	quote_is("a\"b\\c\n\t\x01", 8, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	quote_is("\xff", 1, "\"\xef\xbf\xbd\"");
	quote_is("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	quote_is("", 0, "\"\"");
	quote_is("x\"", 2, "\"x\\\"\"");
	quote_is("\n\n\n\n\n\n", 6, "\"\\n\\n\\n\\n\\n\\n\"");
	{
		/* Runs of plain bytes between escapes, longer than any slack. */
		struct strbuf in = STRBUF_INIT, want = STRBUF_INIT;

		strbuf_addch(&want, '"');
		for (int i = 0; i < 500; i++) {
			strbuf_addstr(&in, "abcdefghij\"\xc3\xa9");
			strbuf_addstr(&want, "abcdefghij\\\"\xc3\xa9");
		}
		strbuf_addch(&want, '"');
		quote_is(in.buf, in.len, want.buf);
		strbuf_release(&in);
		strbuf_release(&want);
	}

	{
		struct strbuf sb = STRBUF_INIT;
		struct jsonw w;

		jw_init(&w, &sb, JW_COMPACT);
		jw_object_begin(&w);
		jw_kv_int(&w, "a", -3);
		jw_kv_money(&w, "usd", 11400000);
		jw_key(&w, "list");
		jw_array_begin(&w);
		jw_string(&w, "x");
		jw_null(&w);
		jw_bool(&w, 1);
		jw_array_end(&w);
		jw_key(&w, "empty");
		jw_object_begin(&w);
		jw_object_end(&w);
		jw_object_end(&w);
		is_str(sb.buf, "{\"a\":-3,\"usd\":0.0114,\"list\":[\"x\",null,true],"
				"\"empty\":{}}", "compact writer output");
		strbuf_reset(&sb);
		jw_init(&w, &sb, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_string(&w, "k", "v");
		jw_key(&w, "a");
		jw_array_begin(&w);
		jw_int(&w, 1);
		jw_array_end(&w);
		jw_object_end(&w);
		is_str(sb.buf, "{\n  \"k\": \"v\",\n  \"a\": [\n    1\n  ]\n}\n",
				"pretty writer output");
		strbuf_release(&sb);
	}
	return tap_done();
}
