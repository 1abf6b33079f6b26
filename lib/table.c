#include "table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utf8.h"
#include "banned.h"

void table_init(struct table *t, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->align = align;
	t->ncols = strlen(align);
}

void table_clear_rows(struct table *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->cells[i]);
	t->nr = 0;
}

void table_release(struct table *t)
{
	table_clear_rows(t);
	free(t->cells);
	free(t->styles);
	free(t->width);
	memset(t, 0, sizeof(*t));
}

void table_head(struct table *t, ...)
{
	va_list ap;
	const char *title;

	va_start(ap, t);
	while ((title = va_arg(ap, const char *)))
		table_cell_styled(t, TABLE_BOLD, title);
	va_end(ap);
}

void table_cell_styled(struct table *t, enum table_style style, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t old = t->alloc;

	ALLOC_GROW(t->cells, t->nr + 1, t->alloc);
	if (t->alloc != old)
		t->styles = xrealloc(t->styles, sizeof(*t->styles) * t->alloc);
	t->styles[t->nr] = style;
	/* Cells show ledger and provider text: never raw control bytes. */
	strbuf_addstr_printable(&sb, s);
	t->cells[t->nr++] = strbuf_detach(&sb, NULL);
}

void table_cell_str(struct table *t, const char *s)
{
	table_cell_styled(t, TABLE_PLAIN, s);
}

void table_cell(struct table *t, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	table_cell_str(t, sb.buf);
	strbuf_release(&sb);
}

static const char *style_code(unsigned style)
{
	switch (style) {
	case TABLE_BOLD: return "\033[1m";
	case TABLE_DIM: return "\033[2m";
	case TABLE_RED: return "\033[31m";
	case TABLE_YELLOW: return "\033[33m";
	case TABLE_GREEN: return "\033[32m";
	default: return NULL;
	}
}

void table_render(struct table *t, struct strbuf *out, int colour)
{
	size_t *width;

	if (!t->width)
		t->width = xcalloc(t->ncols, sizeof(*t->width));
	width = t->width;
	for (size_t i = 0; i < t->nr; i++) {
		size_t w = utf8_width(t->cells[i], strlen(t->cells[i]));

		if (w > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (size_t i = 0; i < t->nr; i++) {
		size_t col = i % t->ncols, len = strlen(t->cells[i]);
		size_t pad = width[col] - utf8_width(t->cells[i], len);
		const char *code = colour ? style_code(t->styles[i]) : NULL;
		int last = col == t->ncols - 1;

		if (col)
			strbuf_addstr(out, "  ");
		else
			strbuf_addchars(out, ' ', t->indent);
		if (t->align[col] == 'r')
			strbuf_addchars(out, ' ', pad);
		if (code)
			strbuf_addstr(out, code);
		strbuf_add(out, t->cells[i], len);
		if (code)
			strbuf_addstr(out, "\033[0m");
		if (t->align[col] != 'r' && !last)
			strbuf_addchars(out, ' ', pad);
		if (last) {
			/* No trailing blanks when the last cells are empty. */
			while (out->len && out->buf[out->len - 1] == ' ')
				strbuf_setlen(out, out->len - 1);
			strbuf_addch(out, '\n');
		}
	}
	if (t->nr % t->ncols)
		strbuf_addch(out, '\n');
}

void table_render_markdown(const struct table *t, struct strbuf *out)
{
	for (size_t i = 0; i < t->nr; i++) {
		size_t col = i % t->ncols;

		strbuf_addstr(out, col ? " " : "| ");
		for (const char *c = t->cells[i]; *c; c++) {
			if (*c == '|')
				strbuf_addch(out, '\\');
			strbuf_addch(out, *c);
		}
		strbuf_addstr(out, " |");
		if (col != t->ncols - 1)
			continue;
		strbuf_addch(out, '\n');
		if (i != t->ncols - 1)
			continue;
		/* After the head: how each column is aligned. */
		strbuf_addch(out, '|');
		for (size_t c = 0; c < t->ncols; c++)
			strbuf_addstr(out, t->align[c] == 'r' ? " ---: |" :
					" --- |");
		strbuf_addch(out, '\n');
	}
}

static enum colour_mode colour_mode;
static int stdout_is_terminal;

void colour_set_mode(enum colour_mode mode)
{
	colour_mode = mode;
}

void colour_stdout_is_terminal(int yes)
{
	stdout_is_terminal = yes;
}

int want_colour(int fd)
{
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	if (colour_mode != COLOUR_AUTO)
		return colour_mode == COLOUR_ALWAYS;
	if (no && *no)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fd) || (fd == STDOUT_FILENO && stdout_is_terminal);
}

void fmt_count(struct strbuf *sb, int64_t n)
{
	char tmp[32];
	int len, start = 0;

	len = snprintf(tmp, sizeof(tmp), "%lld", (long long)n);
	if (tmp[0] == '-') {
		strbuf_addch(sb, '-');
		start = 1;
	}
	for (int i = start; i < len; i++) {
		if (i > start && (len - i) % 3 == 0)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, tmp[i]);
	}
}

void fmt_count_short(struct strbuf *sb, int64_t n)
{
	static const struct { int64_t div; const char *suffix; } units[] = {
		{ 1000000000000LL, "T" }, { 1000000000LL, "B" },
		{ 1000000LL, "M" }, { 1000LL, "k" },
	};
	int64_t a = n < 0 ? -n : n;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (a < units[i].div)
			continue;
		if (a < 100 * units[i].div) {
			/* One decimal, truncated so 999.96k never shows as 1000.0k. */
			int64_t tenths = a * 10 / units[i].div;

			strbuf_addf(sb, "%s%lld.%lld%s", n < 0 ? "-" : "",
					(long long)(tenths / 10),
					(long long)(tenths % 10), units[i].suffix);
		} else {
			strbuf_addf(sb, "%s%lld%s", n < 0 ? "-" : "",
					(long long)(a / units[i].div),
					units[i].suffix);
		}
		return;
	}
	strbuf_addf(sb, "%lld", (long long)n);
}
