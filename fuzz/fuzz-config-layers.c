/*
 * Fuzz target: the configuration layers as a cloned repository meets
 * them. The input is the user's file, a NUL byte, then a workspace's
 * .tally.yaml, read untrusted. Besides not crashing, no setting that
 * needs trust may come out of the workspace file, and every one it held
 * must be reported as left out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config.h"
#include "../lib/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WS_NAME "ws/.tally.yaml"

static int from_workspace(const struct config_item *it)
{
	return !strncmp(it->origin, "file:" WS_NAME ":",
			strlen("file:" WS_NAME ":"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t user_len = nul ? (size_t)(nul - text) : size;
	struct strbuf err = STRBUF_INIT;
	struct config c;

	quiet_warnings = 1;
	config_init(&c);
	if (!config_load_string(&c, "user.yaml", text, user_len, &err) && nul)
		config_load_untrusted_string(&c, WS_NAME, nul + 1,
				size - user_len - 1, &err);
	for (size_t i = 0; i < c.nr; i++)
		if (from_workspace(&c.items[i]) &&
		    config_key_needs_trust(c.items[i].key))
			abort();
	if (c.untrusted.nr && !c.untrusted.path)
		abort();
	config_release(&c);
	strbuf_release(&err);
	return 0;
}
