#ifndef TALLY_SUMMARY_ALL_H
#define TALLY_SUMMARY_ALL_H

#include "scope.h"
#include "strbuf.h"
#include "summary.h"

/*
 * The summary of every scope at once, for --all-workspaces and the
 * budgets of all scopes (a status line checks one on every prompt).
 * Reading twenty caches and adding them up costs several times one
 * scope's status, so the sum is kept in <root>/usage-summary-all.json
 * with what each scope's ledger was when it was made (device, inode,
 * bytes folded, mtime). While no ledger has changed, the sum is one file
 * read and a stat per scope; else every scope's cache is brought up to
 * date (summary_refresh()), added up again (summary_merge()) and the
 * file written again. It is a cache: a damaged or foreign one is made
 * again, and one that cannot be written only costs time.
 */

/*
 * Fills merged (initialised by the caller) with the sum of the scopes
 * of list, read from the file or made again. 0 or T_ELEDGER.
 */
int summary_all_refresh(struct summary *merged, const struct scope_list *list,
		const struct summary_opts *o, struct strbuf *err);

#endif
