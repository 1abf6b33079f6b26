#ifndef TALLY_JSONW_H
#define TALLY_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * The one JSON writer: ledger rows, --json output, caches and exports all
 * go through it, so escaping and number formats are decided once.
 *
 *	struct jsonw w;
 *	jw_init(&w, &sb, JW_PRETTY);
 *	jw_object_begin(&w);
 *	jw_kv_string(&w, "entryId", id);
 *	jw_kv_money(&w, "billedCostUsd", nano);
 *	jw_object_end(&w);
 *
 * Commas, colons and indentation are handled here. Money is written as an
 * exact decimal from integer nano-USD. Strings are escaped per RFC 8259;
 * bytes that are not valid UTF-8 become U+FFFD so the output always parses.
 */

#define JW_MAX_DEPTH 32

/*
 * JW_LINES is compact, but each item of a container inside the top-level
 * one goes on a line of its own ({"files":[\n{...},\n{...}\n]}): a file
 * with many records stays diffable and cheap to read back.
 */
enum jw_style { JW_COMPACT, JW_PRETTY, JW_LINES };

struct jsonw {
	struct strbuf *out;
	enum jw_style style;
	int depth;
	int after_key;
	unsigned char has_items[JW_MAX_DEPTH];
};

void jw_init(struct jsonw *w, struct strbuf *out, enum jw_style style);

void jw_object_begin(struct jsonw *w);
void jw_object_end(struct jsonw *w);
void jw_array_begin(struct jsonw *w);
void jw_array_end(struct jsonw *w);
void jw_key(struct jsonw *w, const char *key);
/*
 * A key of n bytes known to need no escaping (printable ASCII without
 * quote or backslash), such as a field name from a table: not scanned.
 */
void jw_key_plain(struct jsonw *w, const char *key, size_t n);

void jw_string(struct jsonw *w, const char *s);
void jw_string_len(struct jsonw *w, const char *s, size_t len);
void jw_int(struct jsonw *w, int64_t v);
void jw_money(struct jsonw *w, int64_t nano);
void jw_double(struct jsonw *w, double v);
void jw_bool(struct jsonw *w, int v);
void jw_null(struct jsonw *w);
/* Inserts already-valid JSON text as one value. */
void jw_raw(struct jsonw *w, const char *json, size_t len);
/* Inserts already-valid object members ("k":v,"k2":w) into an object. */
void jw_raw_members(struct jsonw *w, const char *json, size_t len);

void jw_kv_string(struct jsonw *w, const char *key, const char *s);
void jw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jw_kv_money(struct jsonw *w, const char *key, int64_t nano);
void jw_kv_double(struct jsonw *w, const char *key, double v);
void jw_kv_bool(struct jsonw *w, const char *key, int v);
void jw_kv_null(struct jsonw *w, const char *key);

/* Appends s as a quoted, escaped JSON string to sb. */
void json_quote(struct strbuf *sb, const char *s, size_t len);

#endif
