#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entry.h"
#include "error.h"
#include "fsutil.h"
#include "ledger.h"
#include "timeutil.h"
#include "banned.h"

/* How much of the ledger's end is searched for the latest session. */
#define TAIL_BYTES (256 * 1024)
/* Read first: the newest row nearly always answers. */
#define FIRST_CHUNK (16 * 1024)

/*
 * Calls fn on the complete rows of buf (which starts at file offset from)
 * newest first, until it returns nonzero (1). Otherwise returns 0 and sets
 * *seen to where the rows it saw begin: a row cut by the buffer's start
 * is left for a read further back.
 */
static int walk_back(const struct strbuf *buf, off_t from, struct entry *e,
		int (*fn)(const struct entry *e, void *data), void *data,
		size_t *seen)
{
	size_t end = buf->len;

	while (end > 0) {
		size_t start;
		const char *why;

		if (buf->buf[end - 1] != '\n') {
			/* A last row still being written: not a row yet. */
			while (end > 0 && buf->buf[end - 1] != '\n')
				end--;
			continue;
		}
		start = end - 1;
		while (start > 0 && buf->buf[start - 1] != '\n')
			start--;
		if (start == 0 && from > 0)
			break;
		if (!entry_parse(e, buf->buf + start, end - 1 - start, &why) &&
		    fn(e, data))
			return 1;
		end = start;
	}
	*seen = end;
	return 0;
}

/*
 * Calls fn on the rows of the ledger's last TAIL_BYTES, newest first,
 * until it returns nonzero. Reads a small chunk first, and further back
 * only while no row has answered. Returns 0 or T_ELEDGER.
 */
static int scan_tail(const char *path,
		int (*fn)(const struct entry *e, void *data), void *data,
		struct strbuf *err)
{
	struct strbuf buf = STRBUF_INIT;
	struct entry e;
	struct stat st;
	off_t lowest, to;
	size_t chunk = FIRST_CHUNK, seen;
	int fd, ret;

	ret = ledger_open_read(path, &fd, err);
	if (ret || fd < 0)
		return ret;
	if (fstat(fd, &st)) {
		close(fd);
		return fail_errno(err, T_ELEDGER, "cannot stat '%s'", path);
	}
	lowest = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	entry_init(&e);
	for (to = st.st_size;; chunk *= 4) {
		off_t from = to - lowest > (off_t)chunk ? to - (off_t)chunk :
			lowest;
		ssize_t n;

		strbuf_reset(&buf);
		strbuf_grow(&buf, (size_t)(to - from));
		n = pread_all(fd, buf.buf, (size_t)(to - from), from);
		if (n < 0) {
			ret = fail_errno(err, T_ELEDGER, "cannot read '%s'",
					path);
			break;
		}
		strbuf_setlen(&buf, (size_t)n);
		if (walk_back(&buf, from, &e, fn, data, &seen) ||
		    from == lowest || n < to - from)
			break;
		/* On from the row the chunk cut, with a larger chunk. */
		to = from + (off_t)seen;
	}
	close(fd);
	entry_release(&e);
	strbuf_release(&buf);
	return ret;
}

struct auto_search {
	int64_t now;
	struct strbuf *out;
};

static int find_auto(const struct entry *e, void *data)
{
	struct auto_search *s = data;
	int64_t last = entry_has(e, EF_RECORDED_AT) ? e->recorded_at :
		entry_time(e);

	if (!entry_has(e, EF_SESSION_RESOURCE) ||
	    strncmp(e->session_resource, SESSION_AUTO_PREFIX,
		    strlen(SESSION_AUTO_PREFIX)))
		return 0;
	if (s->now - last <= SESSION_IDLE_MS)
		strbuf_addstr(s->out, e->session_resource);
	/* The newest automatic session decides either way. */
	return 1;
}

int session_auto(const char *ledger_path, int64_t now, struct strbuf *out,
		struct strbuf *err)
{
	struct auto_search s = { now, out };
	size_t before = out->len;
	int ret = scan_tail(ledger_path, find_auto, &s, err);

	if (ret)
		return ret;
	if (out->len == before) {
		strbuf_addstr(out, SESSION_AUTO_PREFIX);
		time_format_utc(out, now / 1000 * 1000);
	}
	return 0;
}

static int find_any(const struct entry *e, void *data)
{
	if (!entry_has(e, EF_SESSION_RESOURCE))
		return 0;
	strbuf_addstr(data, e->session_resource);
	return 1;
}

int session_latest(const char *ledger_path, struct strbuf *out,
		struct strbuf *err)
{
	return scan_tail(ledger_path, find_any, out, err);
}
