#ifndef TALLY_TABLE_H
#define TALLY_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * The one table printer for human output: columns aligned by display
 * width, numbers right-aligned, two spaces between columns, no trailing
 * blanks.
 *
 *	struct table t;
 *	table_init(&t, "lrr");           one letter per column: l, r
 *	table_cell(&t, "MODEL"); ...     cells fill rows left to right
 *	table_render(&t, &out);
 *	table_release(&t);
 */
struct table {
	const char *align;
	size_t ncols;
	char **cells;
	size_t nr, alloc;
	unsigned *styles; /* per cell: 0 plain, or a TABLE_* colour */
	size_t *width;    /* widest cell so far, per column */
	size_t indent;    /* spaces before each row; 0 unless set */
};

enum table_style { TABLE_PLAIN, TABLE_BOLD, TABLE_DIM, TABLE_RED, TABLE_YELLOW,
	TABLE_GREEN };

void table_init(struct table *t, const char *align);
void table_release(struct table *t);

__attribute__((format(printf, 2, 3)))
void table_cell(struct table *t, const char *fmt, ...);
void table_cell_str(struct table *t, const char *s);
void table_cell_styled(struct table *t, enum table_style style, const char *s);

/* A row of column titles, in bold; the list ends with NULL. */
__attribute__((sentinel))
void table_head(struct table *t, ...);

/*
 * Renders the rows so far; colour is applied only when colour is non-zero.
 * Column widths only grow, so a long listing can be rendered in batches
 * (table_render, then table_clear_rows) with columns that stay aligned
 * unless a later batch needs them wider.
 */
void table_render(struct table *t, struct strbuf *out, int colour);
void table_clear_rows(struct table *t);

/*
 * The same rows as a Markdown (GitHub) table, the first row its head:
 * columns aligned as the table says, '|' in a cell escaped.
 */
void table_render_markdown(const struct table *t, struct strbuf *out);

/*
 * Whether colour should be used on fd: as --color says; by default
 * (auto) when fd is a terminal (or stdout goes to a pager on one),
 * NO_COLOR is unset and TERM is not dumb.
 */
int want_colour(int fd);

enum colour_mode { COLOUR_AUTO, COLOUR_ALWAYS, COLOUR_NEVER };
void colour_set_mode(enum colour_mode mode);
/* Says stdout is a terminal even if a pipe now: a pager's. */
void colour_stdout_is_terminal(int yes);

/* Appends 35857 as "35,857". */
void fmt_count(struct strbuf *sb, int64_t n);

/* Appends a compact count: 950, 12.3k, 4.5M, 1.2B. */
void fmt_count_short(struct strbuf *sb, int64_t n);

#endif
