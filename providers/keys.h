#ifndef TALLY_KEYS_H
#define TALLY_KEYS_H

#include "../lib/strbuf.h"

/*
 * API keys: from the provider's environment variable, else from the
 * output of its api_key_command (run through sh -c). Keys are held in
 * memory only: never written to any file, never printed, and redacted
 * from HTTP traces.
 *
 * Returns 0 with the key in key, 1 when no key is configured, or T_EAUTH
 * when the command fails or prints nothing.
 */
int provider_key(const char *env_name, const char *command,
		struct strbuf *key, struct strbuf *err);

#endif
