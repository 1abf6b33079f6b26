#include "utf8.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "strbuf.h"
#include "banned.h"

/* Code points shown escaped although they are valid UTF-8. */
static int hidden(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||      /* C1 controls */
	       (cp >= 0x202a && cp <= 0x202e) ||  /* bidi embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) ||  /* bidi isolates */
	       cp == 0x200e || cp == 0x200f;      /* bidi marks */
}

static unsigned decode(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

void strbuf_add_printable(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		const unsigned char *run = p;
		size_t n;

		while (p < end && *p >= 0x20 && *p < 0x7f)
			p++;
		strbuf_add(sb, run, (size_t)(p - run));
		if (p == end)
			break;
		n = *p < 0x80 ? 1 : utf8_valid_prefix(p, (size_t)(end - p));
		if (!n || *p < 0x20 || *p == 0x7f) {
			strbuf_addf(sb, "\\x%02x", *p);
			p++;
		} else if (hidden(decode(p, n))) {
			strbuf_addf(sb, "\\u%04x", decode(p, n));
			p += n;
		} else {
			strbuf_add(sb, p, n);
			p += n;
		}
	}
}

void strbuf_addstr_printable(struct strbuf *sb, const char *s)
{
	if (s)
		strbuf_add_printable(sb, s, strlen(s));
}

size_t utf8_valid_prefix(const unsigned char *p, size_t len)
{
	unsigned c = p[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		n = utf8_valid_prefix(p, (size_t)(end - p));
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

size_t utf8_encode(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* 1 a UTF-8 locale, 2 one named but not installed, 0 none; -1 unread. */
static int utf8_locale = -1;

static int says_utf8(const char *v)
{
	return v && (strstr(v, "UTF-8") || strstr(v, "utf-8") ||
		     strstr(v, "UTF8") || strstr(v, "utf8"));
}

/*
 * Read on first use, so that commands that draw no table (record) pay
 * nothing for it at start-up.
 */
static int locale_kind(void)
{
	const char *v = getenv("LC_ALL");

	if (utf8_locale >= 0)
		return utf8_locale;
	if (setlocale(LC_CTYPE, "")) {
		utf8_locale = !strcmp(nl_langinfo(CODESET), "UTF-8");
		return utf8_locale;
	}
	/* A UTF-8 locale that is not installed still means UTF-8. */
	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	utf8_locale = says_utf8(v) ? 2 : 0;
	return utf8_locale;
}

int utf8_output(void)
{
	return locale_kind() != 0;
}

const char *glyph_separator(void)
{
	return utf8_output() ? " \xc2\xb7 " : " - ";
}

const char *glyph_bar_full(void)
{
	return utf8_output() ? "\xe2\x96\x88" : "#";
}

const char *glyph_bar_empty(void)
{
	return utf8_output() ? "\xe2\x96\x91" : ".";
}

size_t utf8_width(const char *s, size_t len)
{
	size_t w;

	utf8_fit(s, len, (size_t)-1, &w);
	return w;
}

size_t utf8_fit(const char *s, size_t len, size_t cols, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i;

	for (i = 0; i < len;) {
		size_t n = utf8_valid_prefix(p + i, len - i);
		int cw;

		if (!n) {
			if (w + 1 > cols)
				break;
			w++;
			i++;
			continue;
		}
		/* Only a real UTF-8 locale knows the widths. */
		cw = n > 1 && locale_kind() == 1 ?
			wcwidth((wchar_t)decode(p + i, n)) : 1;
		if (w + (cw < 0 ? 1 : (size_t)cw) > cols)
			break;
		w += cw < 0 ? 1 : (size_t)cw;
		i += n;
	}
	if (width)
		*width = w;
	return i;
}
