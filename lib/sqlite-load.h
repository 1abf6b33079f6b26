#ifndef TALLY_SQLITE_LOAD_H
#define TALLY_SQLITE_LOAD_H

#include <sqlite3.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * SQLite, loaded when an import first reads an agent's database
 * (OpenCode's opencode.db), as libcurl and ncurses are loaded by the
 * commands that use them: linked, it would be loaded by every run of
 * every command. The header is the one found at build time; the
 * library is libsqlite3.so.0, or the file named by $TALLY_LIBSQLITE.
 */
struct sqlite_fns {
	int (*open_v2)(const char *name, sqlite3 **db, int flags,
			const char *vfs);
	int (*close_v2)(sqlite3 *db);
	int (*busy_timeout)(sqlite3 *db, int ms);
	int (*prepare_v2)(sqlite3 *db, const char *sql, int n,
			sqlite3_stmt **stmt, const char **tail);
	int (*bind_int64)(sqlite3_stmt *stmt, int i, sqlite3_int64 v);
	int (*step)(sqlite3_stmt *stmt);
	const unsigned char *(*column_text)(sqlite3_stmt *stmt, int i);
	int (*column_bytes)(sqlite3_stmt *stmt, int i);
	sqlite3_int64 (*column_int64)(sqlite3_stmt *stmt, int i);
	double (*column_double)(sqlite3_stmt *stmt, int i);
	int (*column_type)(sqlite3_stmt *stmt, int i);
	int (*finalize)(sqlite3_stmt *stmt);
	const char *(*errmsg)(sqlite3 *db);
};

extern struct sqlite_fns sqlite_api;

/* Loads it once. 0, or T_EFAIL with the reason in err. */
int sqlite_load(struct strbuf *err);

/*
 * Opens a database for reading only, never creating or changing it,
 * waiting up to busy_ms for a writer (an agent writing it right then).
 * 0 with *db set, or T_EFAIL with err.
 */
int sqlite_open_readonly(const char *path, int busy_ms, sqlite3 **db,
		struct strbuf *err);

#endif
