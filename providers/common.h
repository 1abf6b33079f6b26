#ifndef TALLY_PROVIDERS_COMMON_H
#define TALLY_PROVIDERS_COMMON_H

#include <json-c/json.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"

/*
 * Pieces shared by the adapters (private to providers/).
 */

/*
 * Fails with the provider's own error message when root is an error
 * body ({"error": ...} or {"type": "error", ...}); returns 0 otherwise.
 */
#define reject_error_body provider_error_body

/* Sets a string field from root[key] when it is a non-empty string. */
void set_str_from(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key);

/* Sets a time field from root[key] holding Unix seconds. */
int set_time_from_unix(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key, struct strbuf *err);

/* Sets a time field from root[key] holding an ISO 8601 string. */
void set_time_from_iso(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key);

/*
 * Reads an OpenAI-style chat completion usage block (also sent by
 * OpenRouter and other compatible APIs) into e.
 */
int parse_chat_completion(struct json_object *root, struct entry *e,
		struct strbuf *err);

/* The same, with the usage block found elsewhere than root.usage. */
/*
 * Audio tokens (in the two *_tokens_details objects of usage) into
 * audioTokens: 0, or T_EPROVIDER for a count that is not one.
 */
int audio_tokens(struct entry *e, struct json_object *usage,
		const char *in_details, const char *out_details,
		struct strbuf *err);

int parse_chat_usage(struct json_object *root, struct json_object *usage,
		struct entry *e, struct strbuf *err);

#endif
