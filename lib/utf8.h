#ifndef TALLY_UTF8_H
#define TALLY_UTF8_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at the start of p (1 to 4), or 0 when
 * the bytes there are not valid UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid).
 */
size_t utf8_valid_prefix(const unsigned char *p, size_t len);

/* Whether all len bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t len);

/* Appends code point cp as UTF-8 to out (4 bytes at most); returns its length. */
size_t utf8_encode(unsigned cp, char *out);

/*
 * Appends s for a terminal: control characters (C0, DEL, C1), the
 * bidirectional overrides and isolates, and bytes that are not UTF-8 are
 * written as visible escapes (\x1b, \u0085, \u202e), so that text from a
 * ledger, a response or a provider cannot set the terminal's title,
 * clear its screen, forge a line or reorder what is shown.
 */
struct strbuf;
void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len);
void strbuf_addstr_printable(struct strbuf *sb, const char *s);

/*
 * Display width in columns: what the terminal gives each character
 * (wcwidth: two for East Asian wide ones and most emoji, none for
 * combining marks) under a UTF-8 locale; one per code point otherwise.
 */
size_t utf8_width(const char *s, size_t len);

/*
 * How many of the len bytes fit in cols columns, never cutting a
 * character; *width (may be NULL) receives the columns they take.
 */
size_t utf8_fit(const char *s, size_t len, size_t cols, size_t *width);

/*
 * Whether the locale's character set (LC_ALL, LC_CTYPE, LANG, read once
 * when first asked) is UTF-8. Under one that is not, the output's own
 * bars and separators are ASCII (see the glyphs below).
 */
int utf8_output(void);

/* " · " or " - ": between the parts of a line people read. */
const char *glyph_separator(void);
/* A bar's filled and empty cells: "█" and "░", or "#" and ".". */
const char *glyph_bar_full(void);
const char *glyph_bar_empty(void);

#endif
