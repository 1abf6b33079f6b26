#ifndef TALLY_PROVIDERS_JSONC_H
#define TALLY_PROVIDERS_JSONC_H

#include <json-c/json.h>
#include <stdint.h>

#include "../lib/strbuf.h"

/*
 * Small helpers over json-c for reading provider payloads. Objects returned
 * are borrowed from their parent; only json_parse_text()'s result is owned.
 *
 * The numeric readers distinguish "absent or null" (returns 0, *out left
 * alone) from "present" (returns 1) and from "present but wrong" (returns
 * T_EPROVIDER with a message naming the field path), so that a missing
 * count is never read as zero and a string is never read as a number.
 */

/* Parses text; returns an owned object or NULL with a message in err. */
struct json_object *json_parse_text(const char *text, size_t len,
		struct strbuf *err);

/* Follows a path of keys: jpath(root, "usage", "prompt_tokens", NULL). */
struct json_object *jpath(struct json_object *root, ...);

/* The string at key, or NULL when absent, null or not a string. */
const char *jstr(struct json_object *obj, const char *key);

/* A non-negative token count; name is the field path for messages. */
int jcount(struct json_object *v, const char *name, int64_t *out,
		struct strbuf *err);

/* A USD amount read exactly from the number's text into nano-USD. */
int jmoney(struct json_object *v, const char *name, int64_t *out,
		struct strbuf *err);

#endif
