#include "sqlite-load.h"

#include "dynload.h"
#include "error.h"
#include "banned.h"

struct sqlite_fns sqlite_api;

#define SYM(field, name) DYNSYM(sqlite_api, field, name)

static const struct dynsym syms[] = {
	SYM(open_v2, "sqlite3_open_v2"),
	SYM(close_v2, "sqlite3_close_v2"),
	SYM(busy_timeout, "sqlite3_busy_timeout"),
	SYM(prepare_v2, "sqlite3_prepare_v2"),
	SYM(bind_int64, "sqlite3_bind_int64"),
	SYM(step, "sqlite3_step"),
	SYM(column_text, "sqlite3_column_text"),
	SYM(column_bytes, "sqlite3_column_bytes"),
	SYM(column_int64, "sqlite3_column_int64"),
	SYM(column_double, "sqlite3_column_double"),
	SYM(column_type, "sqlite3_column_type"),
	SYM(finalize, "sqlite3_finalize"),
	SYM(errmsg, "sqlite3_errmsg"),
};

int sqlite_load(struct strbuf *err)
{
	static struct dynload dl = {
		.what = "SQLite",
		.env = "TALLY_LIBSQLITE",
		.sonames = { "libsqlite3.so.0", NULL },
		.install_hint = "Debian: apt-get install libsqlite3-0",
		.version_hint = "3.22 or later is needed",
	};

	return dynload(&dl, syms, sizeof(syms) / sizeof(syms[0]), err) ?
		T_EFAIL : 0;
}

int sqlite_open_readonly(const char *path, int busy_ms, sqlite3 **db,
		struct strbuf *err)
{
	int rc;

	if (sqlite_load(err))
		return T_EFAIL;
	*db = NULL;
	/* Read-only: no journal is made, no file created, nothing changed. */
	rc = sqlite_api.open_v2(path, db, SQLITE_OPEN_READONLY |
			SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fail(err, T_EFAIL, "cannot open '%s': %s", path, *db ?
				sqlite_api.errmsg(*db) : "out of memory");
		if (*db)
			sqlite_api.close_v2(*db);
		*db = NULL;
		return T_EFAIL;
	}
	sqlite_api.busy_timeout(*db, busy_ms);
	return 0;
}
