#ifndef TALLY_RESPONSE_H
#define TALLY_RESPONSE_H

#include <stddef.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"

/*
 * Reads the usage of one provider response body (text, len) into e:
 * counts, model, ids, billed cost where the body states one, and the
 * provider and source ("response"). forced is a provider id that wins
 * over recognition (--provider), or NULL; an id tally has no adapter for
 * is recognised from the body and recorded under forced by the caller.
 * An error body gives a failed request: status failed, the provider's
 * errorCode, no usage, and the provider when its envelope tells.
 * Returns 0, or T_EFAIL with the reason in err (not JSON, no provider
 * recognised, a usage block that cannot be read).
 */
int provider_read_response(const char *text, size_t len, const char *forced,
		struct entry *e, struct strbuf *err);

#endif
