#ifndef TALLY_SESSION_H
#define TALLY_SESSION_H

#include <stdint.h>

#include "strbuf.h"

/*
 * Automatic sessions: an entry recorded without --session or
 * $TALLY_SESSION joins the scope's automatic session, which rolls over
 * after SESSION_IDLE_MS without a recording. Its name is "auto:" and the
 * UTC time it began, e.g. auto:2026-11-24T10:31:11Z.
 */

#define SESSION_IDLE_MS (30 * 60 * 1000LL)
#define SESSION_AUTO_PREFIX "auto:"

/*
 * Appends the automatic session to join at time now: the newest automatic
 * session in the ledger's tail when its last row is recent enough, else a
 * new one. Reads only the end of the ledger. Returns 0 or T_ELEDGER.
 */
int session_auto(const char *ledger_path, int64_t now, struct strbuf *out,
		struct strbuf *err);

/*
 * Appends the most recent session (automatic or not) found at the end of
 * the ledger; leaves out empty when there is none.
 */
int session_latest(const char *ledger_path, struct strbuf *out,
		struct strbuf *err);

#endif
