#ifndef TALLY_SUMMARY_IO_H
#define TALLY_SUMMARY_IO_H

/* The cache file format; private to summary.c and summary-io.c. */

#include "summary.h"

/* Appends the cache as one JSON document (with a final newline). */
void summary_write_json(const struct summary *s,
		const struct summary_budget *b, struct strbuf *out);

/*
 * Reads a cache document into s (freshly initialised). Returns 0, or -1
 * when it is not a valid cache of this version.
 */
int summary_read_json(struct summary *s, const char *text, size_t len);

#endif
