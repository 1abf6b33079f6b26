#ifndef TALLY_ERROR_H
#define TALLY_ERROR_H

#include "strbuf.h"

/*
 * Error handling in lib/ and providers/.
 *
 * Library functions never print errors and never exit. A function that can
 * fail returns 0 on success or one of the negative codes below, and appends
 * one complete message ("cannot open 'x': reason", no "tally:" prefix, no
 * full stop) to a caller-provided struct strbuf *err, which it leaves
 * untouched on success. cmd/ turns the code into the exit status: the exit
 * status is always -code, as documented in every man page:
 *
 *   0 ok; 1 a negative answer or a failed operation; 2 usage error;
 *   3 bad configuration; 4 provider or network failure; 5 authentication;
 *   6 ledger locked, unreadable or unwritable.
 */
enum {
	T_OK = 0,
	T_EFAIL = -1,
	T_EUSAGE = -2,
	T_ECONFIG = -3,
	T_EPROVIDER = -4,
	T_EAUTH = -5,
	T_ELEDGER = -6,
};

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_PROVIDER = 4,
	EXIT_AUTH = 5,
	EXIT_LEDGER = 6,
	/* tally budget check only: a budget is past its warning threshold. */
	EXIT_BUDGET_WARNING = 10,
};

/* Appends the message to err and returns code. */
__attribute__((format(printf, 3, 4)))
int fail(struct strbuf *err, int code, const char *fmt, ...);

/* Like fail(), then appends ": <strerror(errno)>". */
__attribute__((format(printf, 3, 4)))
int fail_errno(struct strbuf *err, int code, const char *fmt, ...);

/*
 * Messages on stderr. warning() prints "tally: warning: ...", error()
 * prints "tally: ..." and returns -1, so "return error(...)" is one line.
 * Library code may warn (an invalid ledger line is worth a note, not a
 * failure); everything else in lib/ reports through err.
 */
__attribute__((format(printf, 1, 2)))
void warning(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
int error(const char *fmt, ...);

/* cmd/ only: print "tally: ..." and exit with the given status. */
__attribute__((format(printf, 2, 3), noreturn))
void die(int status, const char *fmt, ...);

/* An internal invariant does not hold: print and abort. */
__attribute__((format(printf, 3, 4), noreturn))
void bug_fl(const char *file, int line, const char *fmt, ...);
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Prints err (when non-empty) as "tally: <err>", releases it, and returns
 * the exit status for code. For the tail of a command:
 * return report(ret, &err);
 */
int report(int code, struct strbuf *err);

/* Silences warning() while non-zero (for -q). */
extern int quiet_warnings;

#endif
