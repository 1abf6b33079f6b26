#include "migrate.h"

#include <string.h>

#include "entry.h"
#include "error.h"
#include "banned.h"

/* Whether a line is a valid row of an older schema. */
static int is_old(struct entry *e, const struct ledger_line *line)
{
	const char *why;

	return !line->too_long && !line->torn &&
	       !entry_parse(e, line->text, line->len, &why) &&
	       (!entry_has(e, EF_V) || e->v < ENTRY_VERSION);
}

static int scan(struct ledger *l, struct ledger_rewrite *rw,
		struct migrate_stats *st, migrate_fn fn, void *data,
		struct strbuf *err)
{
	struct ledger_reader r;
	struct ledger_line line;
	struct strbuf row = STRBUF_INIT;
	struct entry e;
	int ret;

	ret = ledger_reader_open(&r, l->path, 0, 0, err);
	entry_init(&e);
	while (!ret && (ret = ledger_reader_next(&r, &line, err)) > 0) {
		int old = is_old(&e, &line);

		ret = 0;
		st->lines++;
		if (old && !st->old_rows++)
			st->first_old_line = line.lineno;
		if (old && fn) {
			strbuf_reset(&row);
			entry_to_row(&row, &e);
			fn(line.lineno, line.text, line.len, row.buf,
					row.len - 1, data);
		}
		if (!rw)
			continue;
		strbuf_reset(&row);
		if (old) {
			entry_to_row(&row, &e);
		} else {
			/* Anything else stays exactly as it was. */
			ret = ledger_reader_raw(&r, &line, &row, err);
			strbuf_addch(&row, '\n');
		}
		if (!ret)
			ret = ledger_rewrite_add(rw, row.buf, row.len, err);
	}
	entry_release(&e);
	strbuf_release(&row);
	ledger_reader_close(&r);
	return ret;
}

int ledger_migrate_locked(struct ledger *l, int rewrite,
		struct migrate_stats *st, migrate_fn fn, void *data,
		struct strbuf *err)
{
	struct ledger_rewrite rw;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = scan(l, NULL, st, rewrite ? NULL : fn, data, err);
	if (ret || !rewrite || !st->old_rows)
		return ret;
	memset(st, 0, sizeof(*st));
	ret = ledger_rewrite_begin(l, &rw, err);
	if (!ret)
		ret = scan(l, &rw, st, fn, data, err);
	if (!ret)
		return ledger_rewrite_commit(&rw, err);
	ledger_rewrite_abort(&rw);
	return ret;
}
