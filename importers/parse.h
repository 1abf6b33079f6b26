#ifndef TALLY_IMPORTERS_PARSE_H
#define TALLY_IMPORTERS_PARSE_H

#include <stdint.h>

#include "agent.h"
#include "../lib/jsonscan.h"

/* What the agents' parsers share: reading spans, keys and directories. */

/* The span's string unescaped into pool, or NULL when there is none. */
char *span_dup(const struct js_span *sp, struct mempool *pool);

/* Whether the span holds exactly s / is a present, empty string. */
int span_is(const struct js_span *sp, const char *s);
int span_empty(const struct js_span *sp);

/* "1.2.3"-like: at least three dot-separated runs of digits. */
int span_semver_like(const struct js_span *v);

/*
 * A token count: a whole number from 0 to ENTRY_MAX_TOKENS, or null
 * (read as 0). 0, or -1 for anything else.
 */
int scan_count(struct jscan *s, int64_t *out);

/* A string into out, or anything else skipped (out left empty). */
int scan_string_or_skip(struct jscan *s, struct js_span *out);

/*
 * Reads text as one JSON object and nothing else, calling member() for
 * each of its members with rec. 0, or -1 when it is not such an object
 * or member() failed (-1).
 */
int scan_line_object(const char *text, size_t len,
		int (*member)(struct jscan *s, const struct js_span *key,
			void *rec), void *rec);

/*
 * The provider a model's family belongs to, for agents that name none
 * (claude anthropic; gpt, o1, o3, o4 openai; gemini gemini; grok xai;
 * deepseek deepseek; qwen qwen), else otherwise.
 */
const char *provider_of_model(const struct js_span *model,
		const char *otherwise);

/*
 * For read_whole: each element of the array at s (anything else is
 * skipped) through import_line(), as a line of a log is. 0, or -1 when
 * the array is damaged, or import_line()'s error.
 */
int import_array(struct import_file *f, struct jscan *s, struct strbuf *err);

/* Sets the item's natural key: up to four parts, copied into pool. */
void item_set_key(struct import_item *it, struct mempool *pool,
		const char *const *parts);

/* Appends base/sub to dirs (the list then owns the new string). */
void dirs_add(struct string_list *dirs, const char *base, const char *sub);

#endif
