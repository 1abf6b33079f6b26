#ifndef TALLY_ENTRY_ID_H
#define TALLY_ENTRY_ID_H

#include "strbuf.h"

/*
 * Entry ids. An entry with a natural key (a provider's request id, an
 * imported log line, a provider bucket) gets an id derived from that key,
 * so recording, importing or syncing the same thing twice lands on the
 * same entry. Everything else gets a random id.
 */

/* Appends prefix and 20 random hex digits. */
void id_random(struct strbuf *out, const char *prefix);

/*
 * Appends prefix and the first 20 hex digits of the SHA-256 of the parts
 * (a NULL-terminated list), each followed by a NUL byte so that parts
 * cannot run into one another.
 */
void id_derived(struct strbuf *out, const char *prefix,
		const char *const *parts);

struct entry;
/*
 * Gives a recorded request its id: derived from its provider and the
 * provider's request id when it has one (recording a response twice, by
 * hand and through the proxy, is one entry), else random.
 */
void entry_assign_id(struct entry *e);

#endif
