#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "utf8.h"
#include "banned.h"

int quiet_warnings;

int fail(struct strbuf *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return code;
}

int fail_errno(struct strbuf *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	strbuf_addstr(err, ": ");
	strbuf_adderr(err, saved);
	errno = saved;
	return code;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT, msg = STRBUF_INIT;

	strbuf_addstr(&sb, prefix);
	/* Messages quote responses, ledgers and paths: escape their controls. */
	strbuf_vaddf(&msg, fmt, ap);
	strbuf_add_printable(&sb, msg.buf, msg.len);
	strbuf_release(&msg);
	strbuf_addch(&sb, '\n');
	/* One write, so messages of concurrent processes do not interleave. */
	fflush(stdout);
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	strbuf_release(&sb);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	if (quiet_warnings)
		return;
	va_start(ap, fmt);
	vreport("tally: warning: ", fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("tally: ", fmt, ap);
	va_end(ap);
	return -1;
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("tally: ", fmt, ap);
	va_end(ap);
	exit(status);
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "tally: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", sb.buf);
	abort();
}

int report(int code, struct strbuf *err)
{
	if (code < 0 && err && err->len)
		error("%s", err->buf);
	if (err)
		strbuf_release(err);
	return code < 0 ? -code : code;
}
