#ifndef TALLY_LEDGER_H
#define TALLY_LEDGER_H

#include <stdint.h>
#include <sys/types.h>

#include "entry.h"
#include "lock.h"
#include "strbuf.h"

/*
 * The append-only ledger (usage-ledger.jsonl), see tally-ledger(5).
 *
 * Writing: take the lock (usage-ledger.lock), open the ledger by path with
 * O_APPEND, write whole lines with one write(2), fdatasync when configured,
 * unlock. If the file does not end in a newline (a torn write from a crash)
 * the new rows start on a fresh line; the torn line stays, reported by
 * readers, never deleted. A failed write is truncated away under the lock,
 * so the ledger never keeps a partial row of ours.
 *
 * Reading takes no lock: a reader sees whole lines only, up to the last
 * newline at the moment it reaches the end.
 *
 * Error handling: functions return 0 (or a count) or T_ELEDGER with a
 * message in err.
 */

struct ledger {
	char *path;
	char *lock_path;
	int fsync;
	int64_t lock_timeout_ms;
	struct file_lock lock;
};

void ledger_init(struct ledger *l, const char *path, const char *lock_path,
		int fsync, int64_t lock_timeout_ms);
void ledger_release(struct ledger *l);

int ledger_lock(struct ledger *l, struct strbuf *err);
void ledger_unlock(struct ledger *l);

/* Appends complete lines (each ending in '\n'); the lock must be held. */
int ledger_append_locked(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err);

/* ledger_lock() + ledger_append_locked() + ledger_unlock(). */
int ledger_append(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err);

/*
 * Replaces the ledger with rows (complete lines), the lock being held:
 * a temporary file next to it is written and synced, renamed over the
 * ledger, and the directory synced, so a reader (or a crash) sees the old
 * file or the new one, never a mix. Writers open the ledger by name after
 * taking the lock, so none appends to the file that was replaced.
 * Temporary files of rewrites that died are removed first.
 */
int ledger_rewrite_locked(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err);

/*
 * The same, streamed, for rewrites too large to hold in memory:
 * ledger_rewrite_begin(), ledger_rewrite_add() any number of times, then
 * ledger_rewrite_commit() or ledger_rewrite_abort(). All return 0 or
 * T_ELEDGER; after an error, abort.
 */
struct ledger_rewrite {
	struct ledger *l;
	struct strbuf tmp;
	struct strbuf buf;
	int fd;
};
int ledger_rewrite_begin(struct ledger *l, struct ledger_rewrite *rw,
		struct strbuf *err);
int ledger_rewrite_add(struct ledger_rewrite *rw, const char *rows, size_t len,
		struct strbuf *err);
int ledger_rewrite_commit(struct ledger_rewrite *rw, struct strbuf *err);
void ledger_rewrite_abort(struct ledger_rewrite *rw);

/* Appends lines to a file next to the ledger (usage-ledger.rejected.jsonl). */
int ledger_append_beside(struct ledger *l, const char *name, const char *rows,
		size_t len, struct strbuf *err);

/* ---- reading ---- */

/* Lines longer than this are reported as invalid and skipped. */
#define LEDGER_MAX_LINE (16u << 20)

struct ledger_line {
	const char *text;  /* without the newline; not NUL-terminated */
	size_t len;
	uint64_t off;      /* file offset of the line's first byte */
	uint64_t lineno;   /* 1-based, when the scan started at offset 0 */
	int torn;          /* the file ended without a newline after it */
	int too_long;      /* longer than LEDGER_MAX_LINE; text is empty */
	uint64_t raw_len;  /* its length in the file, without the newline */
};

struct ledger_reader {
	int fd;            /* -1 when the ledger does not exist */
	struct strbuf buf;
	size_t pos;        /* next unread byte in buf */
	uint64_t buf_off;  /* file offset of buf.buf[0] */
	uint64_t lineno;
	int eof;
	int skipping;      /* inside an over-long line */
	uint64_t skip_off, skip_lineno;
	dev_t dev;
	ino_t ino;
};

/*
 * Opens the ledger for reading: *fd is -1 when it does not exist (yet).
 * A symbolic link is refused. Returns 0 or T_ELEDGER.
 */
int ledger_open_read(const char *path, int *fd, struct strbuf *err);

/*
 * Opens path for reading from byte offset from_off (line numbers count
 * from from_lineno + 1). A missing ledger reads as empty.
 */
int ledger_reader_open(struct ledger_reader *r, const char *path,
		uint64_t from_off, uint64_t from_lineno, struct strbuf *err);

/* The same reader over any open file; it owns fd from now on. */
void ledger_reader_open_fd(struct ledger_reader *r, int fd,
		uint64_t from_off);

/* 1 with *line set, 0 at the end, T_ELEDGER on a read error. */
int ledger_reader_next(struct ledger_reader *r, struct ledger_line *line,
		struct strbuf *err);

/*
 * After the end was reached, look for rows appended since (for readers
 * that follow the file). A torn last line is returned again once it is
 * complete.
 */
void ledger_reader_resume(struct ledger_reader *r);

/* The offset just past the last complete line returned. */
uint64_t ledger_reader_offset(const struct ledger_reader *r);

void ledger_reader_close(struct ledger_reader *r);

/*
 * Appends the line's bytes to out as they are in the file, over-long
 * lines included (read again from the file), so that rewrites never drop
 * a line they cannot parse. 0 or T_ELEDGER.
 */
int ledger_reader_raw(const struct ledger_reader *r,
		const struct ledger_line *line, struct strbuf *out,
		struct strbuf *err);

/*
 * Scans the whole ledger, calling fn for each valid row (the entry and the
 * line are valid only during the call; a nonzero return stops the scan and
 * is returned). Invalid lines are reported on stderr with their line
 * numbers and skipped; *invalid (may be NULL) receives their count.
 */
typedef int (*ledger_row_fn)(const struct entry *e,
		const struct ledger_line *line, void *data);
int ledger_scan(const char *path, ledger_row_fn fn, void *data,
		uint64_t *invalid, struct strbuf *err);

/*
 * Finds the latest row of the entry with this id and copies it into out.
 * Returns 1 when found, 0 when not, T_ELEDGER on a read error.
 */
int ledger_find_entry(const char *path, const char *id, struct entry *out,
		struct strbuf *err);

/*
 * Parses one line into e. Returns 0 for a valid row, 1 for a line that is
 * to be ignored without a word (a torn last line that is still being
 * written), or -1 after warning about an invalid line.
 */
int ledger_parse_line(const char *path, const struct ledger_line *line,
		struct entry *e);

#endif
