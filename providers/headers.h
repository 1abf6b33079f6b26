#ifndef TALLY_HEADERS_H
#define TALLY_HEADERS_H

#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"

/*
 * Response headers as written by `curl -D <file>`: with redirects, 100
 * Continue or retries the file holds several responses, and the last one
 * counts. Its request id and rate-limit headers go into the entry.
 */

struct header_set {
	int status;            /* of the last response, 0 when unknown */
	char **names;          /* lower case */
	char **values;
	size_t n, alloc;
};

/* Parses the text of a header dump. Returns 0, or -1 when it holds none. */
int headers_parse(struct header_set *h, const char *text, size_t len);
void headers_release(struct header_set *h);
const char *headers_get(const struct header_set *h, const char *name);

/*
 * Fills e from the headers: the provider's request id (when e has none),
 * the HTTP status (when e has none) and a quota snapshot from OpenAI's
 * x-ratelimit-* or Anthropic's anthropic-ratelimit-* headers, captured at
 * the response's Date (or now). Returns the id of the provider the
 * headers came from, or NULL when they do not say.
 */
const char *headers_apply(const struct header_set *h, struct entry *e,
		int64_t now);

#endif
