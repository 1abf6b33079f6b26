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

/*
 * Calls fn on the rows of the ledger's tail, newest first, until it
 * returns nonzero. Returns 0 or T_ELEDGER.
 */
static int scan_tail(const char *path,
		int (*fn)(const struct entry *e, void *data), void *data,
		struct strbuf *err)
{
	struct strbuf buf = STRBUF_INIT;
	struct entry e;
	struct stat st;
	off_t from;
	ssize_t n;
	int fd, ret;

	ret = ledger_open_read(path, &fd, err);
	if (ret || fd < 0)
		return ret;
	if (fstat(fd, &st)) {
		close(fd);
		return fail_errno(err, T_ELEDGER, "cannot stat '%s'", path);
	}
	from = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	strbuf_grow(&buf, (size_t)(st.st_size - from));
	n = pread_all(fd, buf.buf, (size_t)(st.st_size - from), from);
	close(fd);
	if (n < 0) {
		strbuf_release(&buf);
		return fail_errno(err, T_ELEDGER, "cannot read '%s'", path);
	}
	strbuf_setlen(&buf, (size_t)n);
	entry_init(&e);
	/* Walk complete lines backwards; the first may be cut: skip it. */
	for (size_t end = buf.len; end > 0;) {
		size_t start = end;
		const char *why;

		if (buf.buf[end - 1] != '\n') {
			while (end > 0 && buf.buf[end - 1] != '\n')
				end--;
			continue;
		}
		start = end - 1;
		while (start > 0 && buf.buf[start - 1] != '\n')
			start--;
		if (start == 0 && from > 0)
			break;
		if (!entry_parse(&e, buf.buf + start, end - 1 - start, &why) &&
		    fn(&e, data))
			break;
		end = start;
	}
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
