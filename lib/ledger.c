#include "ledger.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "banned.h"

void ledger_init(struct ledger *l, const char *path, const char *lock_path,
		int fsync, int64_t lock_timeout_ms)
{
	l->path = xstrdup(path);
	l->lock_path = xstrdup(lock_path);
	l->fsync = fsync;
	l->lock_timeout_ms = lock_timeout_ms;
	l->lock.fd = -1;
}

void ledger_release(struct ledger *l)
{
	ledger_unlock(l);
	free(l->path);
	free(l->lock_path);
	l->path = l->lock_path = NULL;
}

int ledger_lock(struct ledger *l, struct strbuf *err)
{
	return lock_acquire(&l->lock, l->lock_path, l->lock_timeout_ms, err);
}

void ledger_unlock(struct ledger *l)
{
	lock_release(&l->lock);
}

static int open_for_append(struct ledger *l, int *created, struct strbuf *err)
{
	struct stat st;
	int fd;

	*created = lstat(l->path, &st) != 0;
	fd = open_private(l->path, O_RDWR | O_APPEND);
	if (fd >= 0)
		return fd;
	if (errno == ELOOP)
		return fail(err, T_ELEDGER, "refusing to write '%s': it is a "
				"symbolic link", l->path);
	return fail_errno(err, T_ELEDGER, "cannot open '%s' for writing",
			l->path);
}

/* Whether the file ends in a newline (or is empty). */
static int ends_in_newline(int fd, off_t size)
{
	char c;

	if (size == 0)
		return 1;
	return pread_all(fd, &c, 1, size - 1) == 1 && c == '\n';
}

/*
 * Refuses rows that readers would leave out: a line over LEDGER_MAX_LINE
 * (a response's 17 MiB model name, say) would be written, acknowledged,
 * and then skipped by every reader.
 */
static int check_row_lengths(const struct ledger *l, const char *rows,
		size_t len, struct strbuf *err)
{
	const char *p = rows, *end = rows + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n > LEDGER_MAX_LINE)
			return fail(err, T_EUSAGE, "refusing to write a row of "
					"%zu bytes to '%s': readers take rows "
					"of at most %u bytes", n, l->path,
					LEDGER_MAX_LINE);
		p += n + 1;
	}
	return 0;
}

int ledger_append_locked(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err)
{
	struct stat st;
	int fd, created, ret = 0;

	if (l->lock.fd < 0)
		BUG("ledger append without the lock");
	if ((ret = check_row_lengths(l, rows, len, err)))
		return ret;
	fd = open_for_append(l, &created, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		ret = fail_errno(err, T_ELEDGER, "cannot stat '%s'", l->path);
		goto out;
	}
	/*
	 * A last line cut short by a crash gets its own end first; the rows
	 * are written from where they are, as an import appends megabytes.
	 */
	if ((!ends_in_newline(fd, st.st_size) && write_all(fd, "\n", 1)) ||
	    write_all(fd, rows, len)) {
		ret = fail_errno(err, T_ELEDGER, "cannot append to '%s'",
				l->path);
		/* Take back whatever part of our rows reached the file. */
		if (ftruncate(fd, st.st_size))
			strbuf_addstr(err, " (and the partial row could not "
					"be removed)");
		goto out;
	}
	if (l->fsync && (fdatasync(fd) || (created && fsync_parent_dir(l->path)))) {
		ret = fail_errno(err, T_ELEDGER, "cannot sync '%s'", l->path);
		/* Not known to be on disk: not there, as the failure says. */
		if (ftruncate(fd, st.st_size))
			strbuf_addstr(err, " (and the row could not be "
					"removed)");
	}
out:
	close(fd);
	return ret;
}

int ledger_append(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err)
{
	int ret = ledger_lock(l, err);

	if (ret)
		return ret;
	ret = ledger_append_locked(l, rows, len, err);
	ledger_unlock(l);
	return ret;
}

static void dir_of(const char *path, struct strbuf *dir)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		strbuf_add(dir, path, (size_t)(slash - path));
	else
		strbuf_addch(dir, '.');
}

int ledger_rewrite_begin(struct ledger *l, struct ledger_rewrite *rw,
		struct strbuf *err)
{
	if (l->lock.fd < 0)
		BUG("ledger rewrite without the lock");
	remove_stale_temps(l->path);
	rw->l = l;
	strbuf_init(&rw->tmp, 0);
	strbuf_init(&rw->buf, 0);
	strbuf_addf(&rw->tmp, "%s.tmp.%ld", l->path, (long)getpid());
	rw->fd = open_private(rw->tmp.buf, O_WRONLY | O_TRUNC);
	if (rw->fd < 0)
		return fail_errno(err, T_ELEDGER, "cannot create '%s'",
				rw->tmp.buf);
	return 0;
}

static int flush_rewrite(struct ledger_rewrite *rw, struct strbuf *err)
{
	if (write_all(rw->fd, rw->buf.buf, rw->buf.len))
		return fail_errno(err, T_ELEDGER, "cannot write '%s'",
				rw->tmp.buf);
	strbuf_reset(&rw->buf);
	return 0;
}

int ledger_rewrite_add(struct ledger_rewrite *rw, const char *rows, size_t len,
		struct strbuf *err)
{
	strbuf_add(&rw->buf, rows, len);
	return rw->buf.len >= (1u << 20) ? flush_rewrite(rw, err) : 0;
}

int ledger_rewrite_commit(struct ledger_rewrite *rw, struct strbuf *err)
{
	int ret = flush_rewrite(rw, err);

	/* Always synced: a rename of unsynced data could lose every row. */
	if (!ret && fsync(rw->fd))
		ret = fail_errno(err, T_ELEDGER, "cannot sync '%s'", rw->tmp.buf);
	if (!ret && close(rw->fd))
		ret = fail_errno(err, T_ELEDGER, "cannot close '%s'", rw->tmp.buf);
	rw->fd = -1;
	if (!ret && rename(rw->tmp.buf, rw->l->path))
		ret = fail_errno(err, T_ELEDGER, "cannot replace '%s'",
				rw->l->path);
	if (!ret)
		fsync_parent_dir(rw->l->path);
	if (ret)
		ledger_rewrite_abort(rw);
	strbuf_release(&rw->tmp);
	strbuf_release(&rw->buf);
	return ret;
}

void ledger_rewrite_abort(struct ledger_rewrite *rw)
{
	if (rw->fd >= 0)
		close(rw->fd);
	rw->fd = -1;
	if (rw->tmp.len)
		unlink(rw->tmp.buf);
	strbuf_release(&rw->tmp);
	strbuf_release(&rw->buf);
}

int ledger_rewrite_locked(struct ledger *l, const char *rows, size_t len,
		struct strbuf *err)
{
	struct ledger_rewrite rw;
	int ret = ledger_rewrite_begin(l, &rw, err);

	if (!ret)
		ret = ledger_rewrite_add(&rw, rows, len, err);
	if (!ret)
		return ledger_rewrite_commit(&rw, err);
	ledger_rewrite_abort(&rw);
	return ret;
}

int ledger_append_beside(struct ledger *l, const char *name, const char *rows,
		size_t len, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int fd, ret = 0;

	dir_of(l->path, &path);
	strbuf_addf(&path, "/%s", name);
	fd = open_private(path.buf, O_WRONLY | O_APPEND);
	if (fd < 0 || fstat(fd, &st)) {
		ret = fail_errno(err, T_ELEDGER, "cannot open '%s'", path.buf);
	} else if (write_all(fd, rows, len) || fsync(fd)) {
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", path.buf);
		/* The rows are written again by the next try: not twice. */
		if (ftruncate(fd, st.st_size))
			strbuf_addstr(err, " (and the part written could not "
					"be removed)");
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	return ret;
}

/* ---- reading ---- */

#define READ_CHUNK (256u << 10)

int ledger_open_read(const char *path, int *fd, struct strbuf *err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	if (errno == ELOOP)
		return fail(err, T_ELEDGER, "refusing to read '%s': it is a "
				"symbolic link", path);
	return fail_errno(err, T_ELEDGER, "cannot open '%s'", path);
}

int ledger_reader_open(struct ledger_reader *r, const char *path,
		uint64_t from_off, uint64_t from_lineno, struct strbuf *err)
{
	struct stat st;
	int ret;

	memset(r, 0, sizeof(*r));
	strbuf_init(&r->buf, 0);
	r->buf_off = from_off;
	r->lineno = from_lineno;
	ret = ledger_open_read(path, &r->fd, err);
	if (ret || r->fd < 0)
		return ret;
	if (fstat(r->fd, &st))
		return fail_errno(err, T_ELEDGER, "cannot stat '%s'", path);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	return 0;
}

void ledger_reader_open_fd(struct ledger_reader *r, int fd,
		uint64_t from_off)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	strbuf_init(&r->buf, 0);
	r->buf_off = from_off;
	r->fd = fd;
	if (!fstat(fd, &st)) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	}
}

void ledger_reader_close(struct ledger_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	strbuf_release(&r->buf);
}

void ledger_reader_resume(struct ledger_reader *r)
{
	r->eof = 0;
}

uint64_t ledger_reader_offset(const struct ledger_reader *r)
{
	return r->buf_off + r->pos;
}

/* Drops consumed bytes and reads more. Returns bytes read, 0, or -1. */
static ssize_t fill(struct ledger_reader *r)
{
	ssize_t n;

	if (r->pos) {
		memmove(r->buf.buf, r->buf.buf + r->pos, r->buf.len - r->pos);
		r->buf_off += r->pos;
		strbuf_setlen(&r->buf, r->buf.len - r->pos);
		r->pos = 0;
	}
	strbuf_grow(&r->buf, READ_CHUNK);
	do {
		n = pread(r->fd, r->buf.buf + r->buf.len, READ_CHUNK,
				(off_t)(r->buf_off + r->buf.len));
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		strbuf_setlen(&r->buf, r->buf.len + (size_t)n);
	return n;
}

/* A torn line is not consumed (a later append may complete it). */
static void emit(struct ledger_reader *r, struct ledger_line *line,
		size_t start, size_t len, int torn)
{
	line->text = r->buf.buf + start;
	line->len = len;
	line->off = r->buf_off + start;
	line->lineno = r->lineno + 1;
	line->torn = torn;
	line->too_long = 0;
	line->raw_len = len;
	if (!torn)
		r->lineno++;
}

/* Over-long line: forget its bytes, report it once its end is found. */
static int skip_long(struct ledger_reader *r, struct ledger_line *line,
		const char *nl)
{
	if (!nl) {
		r->buf_off += r->buf.len;
		strbuf_setlen(&r->buf, 0);
		r->pos = 0;
		return 0;
	}
	r->pos = (size_t)(nl - r->buf.buf) + 1;
	r->skipping = 0;
	memset(line, 0, sizeof(*line));
	line->text = "";
	line->off = r->skip_off;
	line->raw_len = r->buf_off + (uint64_t)(nl - r->buf.buf) - r->skip_off;
	line->lineno = ++r->lineno;
	line->too_long = 1;
	return 1;
}

int ledger_reader_raw(const struct ledger_reader *r,
		const struct ledger_line *line, struct strbuf *out,
		struct strbuf *err)
{
	uint64_t done = 0;

	if (!line->too_long) {
		strbuf_add(out, line->text, line->len);
		return 0;
	}
	while (done < line->raw_len) {
		size_t want = line->raw_len - done > (1u << 20) ? (1u << 20) :
			(size_t)(line->raw_len - done);
		ssize_t n;

		strbuf_grow(out, want);
		n = pread_all(r->fd, out->buf + out->len, want,
				(off_t)(line->off + done));
		if (n != (ssize_t)want)
			return fail_errno(err, T_ELEDGER, "cannot read ledger");
		strbuf_setlen(out, out->len + want);
		done += want;
	}
	return 0;
}

int ledger_reader_next(struct ledger_reader *r, struct ledger_line *line,
		struct strbuf *err)
{
	if (r->fd < 0)
		return 0;
	for (;;) {
		char *start = r->buf.buf + r->pos;
		size_t avail = r->buf.len - r->pos;
		char *nl = avail ? memchr(start, '\n', avail) : NULL;
		ssize_t n;

		if (r->skipping) {
			if (skip_long(r, line, nl))
				return 1;
		} else if (nl) {
			emit(r, line, r->pos, (size_t)(nl - start), 0);
			r->pos += (size_t)(nl - start) + 1;
			return 1;
		} else if (avail > LEDGER_MAX_LINE) {
			r->skipping = 1;
			r->skip_off = r->buf_off + r->pos;
			continue;
		}
		if (r->eof)
			return 0;
		n = fill(r);
		if (n < 0)
			return fail_errno(err, T_ELEDGER, "cannot read ledger");
		if (n == 0) {
			/* A final line without newline: torn or in flight. */
			r->eof = 1;
			if (r->skipping) {
				memset(line, 0, sizeof(*line));
				line->text = "";
				line->off = r->skip_off;
				line->raw_len = r->buf_off + r->buf.len -
					r->skip_off;
				line->lineno = r->lineno + 1;
				line->too_long = line->torn = 1;
				return 1;
			}
			if (r->pos == r->buf.len)
				return 0;
			emit(r, line, r->pos, r->buf.len - r->pos, 1);
			return 1;
		}
	}
}

/* Blank lines are harmless: they are skipped without a word. */
static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int ledger_parse_line(const char *path, const struct ledger_line *line,
		struct entry *e)
{
	const char *why;

	if (line->too_long) {
		warning("%s:%llu: line longer than %u bytes; left out", path,
				(unsigned long long)line->lineno,
				LEDGER_MAX_LINE);
		return -1;
	}
	if (!entry_parse(e, line->text, line->len, &why))
		return line->torn ? 1 : 0;
	if (line->torn) {
		warning("%s:%llu: incomplete last line (an interrupted write?); "
				"left out", path,
				(unsigned long long)line->lineno);
		return -1;
	}
	if (is_blank(line->text, line->len))
		return 1;
	warning("%s:%llu: invalid ledger line (%s); left out of totals", path,
			(unsigned long long)line->lineno, why);
	return -1;
}

int ledger_scan(const char *path, ledger_row_fn fn, void *data,
		uint64_t *invalid, struct strbuf *err)
{
	struct ledger_reader r;
	struct ledger_line line;
	struct entry e;
	uint64_t bad = 0;
	int ret;

	ret = ledger_reader_open(&r, path, 0, 0, err);
	if (ret) {
		ledger_reader_close(&r);
		return ret;
	}
	entry_init(&e);
	while ((ret = ledger_reader_next(&r, &line, err)) > 0) {
		int st = ledger_parse_line(path, &line, &e);

		if (st < 0)
			bad++;
		if (st)
			continue;
		ret = fn(&e, &line, data);
		if (ret)
			break;
	}
	if (invalid)
		*invalid = bad;
	entry_release(&e);
	ledger_reader_close(&r);
	return ret;
}

struct find_ctx {
	const char *id;
	struct entry *out;
	int found;
};

static int find_row(const struct entry *e, const struct ledger_line *line,
		void *data)
{
	struct find_ctx *f = data;

	(void)line;
	if (strcmp(e->entry_id, f->id))
		return 0;
	entry_copy(f->out, e);
	f->found = 1;
	return 0;
}

int ledger_find_entry(const char *path, const char *id, struct entry *out,
		struct strbuf *err)
{
	struct find_ctx f = { id, out, 0 };
	int ret = ledger_scan(path, find_row, &f, NULL, err);

	return ret < 0 ? ret : f.found;
}
