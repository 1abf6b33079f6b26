#include "jsonc.h"

#include <stdarg.h>
#include <string.h>

#include "../lib/entry.h"
#include "../lib/error.h"
#include "../lib/money.h"
#include "../lib/banned.h"

struct json_object *json_parse_text(const char *text, size_t len,
		struct strbuf *err)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t used;

	if (!tok) {
		fail(err, T_EFAIL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (!obj || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			fail(err, T_EFAIL, "unexpected end of JSON input");
		else
			fail(err, T_EFAIL, "invalid JSON at byte %zu: %s", used,
					json_tokener_error_desc(jerr));
		json_object_put(obj);
		obj = NULL;
	} else {
		for (; used < len; used++) {
			char c = text[used];

			if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
				fail(err, T_EFAIL, "unexpected text after the "
						"JSON value at byte %zu", used);
				json_object_put(obj);
				obj = NULL;
				break;
			}
		}
	}
	json_tokener_free(tok);
	return obj;
}

struct json_object *jpath(struct json_object *root, ...)
{
	struct json_object *cur = root;
	const char *key;
	va_list ap;

	va_start(ap, root);
	while (cur && (key = va_arg(ap, const char *))) {
		struct json_object *next = NULL;

		if (!json_object_is_type(cur, json_type_object) ||
		    !json_object_object_get_ex(cur, key, &next))
			next = NULL;
		cur = next;
	}
	va_end(ap);
	return cur;
}

const char *jstr(struct json_object *obj, const char *key)
{
	struct json_object *v = jpath(obj, key, NULL);

	return v && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : NULL;
}

int jcount(struct json_object *v, const char *name, int64_t *out,
		struct strbuf *err)
{
	int64_t n;

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return fail(err, T_EPROVIDER, "%s is not a whole number", name);
	n = json_object_get_int64(v);
	if (n == INT64_MAX || n < 0 || n > ENTRY_MAX_TOKENS)
		return fail(err, T_EPROVIDER, "%s is out of range", name);
	*out = n;
	return 1;
}

int jmoney(struct json_object *v, const char *name, int64_t *out,
		struct strbuf *err)
{
	const char *text;
	int r;

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	/* Some reports write amounts as decimal strings ("0.0600000"). */
	if (json_object_is_type(v, json_type_string))
		text = json_object_get_string(v);
	else if (json_object_is_type(v, json_type_int) ||
		 json_object_is_type(v, json_type_double))
		/* json-c keeps a number's original text: read that, exactly. */
		text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	else
		return fail(err, T_EPROVIDER, "%s is not a number", name);
	r = money_parse(text, strlen(text), out);
	if (r == -1)
		return fail(err, T_EPROVIDER, "%s is not a number", name);
	if (r)
		return fail(err, T_EPROVIDER, "%s is out of range", name);
	return 1;
}
