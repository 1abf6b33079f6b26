/*
 * Fuzz target: a line of each coding agent's log (a document of those
 * read whole), and a price document.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../importers/agent.h"
#include "../lib/pricing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mempool pool = MEMPOOL_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	for (const struct agent *const *a = agent_table; *a; a++) {
		struct import_file f = { .path = "p/chats/f.jsonl",
			.rel = "f.jsonl",
			.pool = &pool, .state = (*a)->state_size ?
				calloc(1, (*a)->state_size) : NULL };
		struct entry e;
		struct import_item it = { .e = &e };
		enum import_skip skip;

		entry_init(&e);
		if ((*a)->state_reset)
			(*a)->state_reset(&f);
		(*a)->line(&f, (const char *)data, size, &it, &skip);
		/* A document read whole (Amp's threads): outside an import,
		 * import_line() takes nothing, the scanning is what runs. */
		if ((*a)->read_whole) {
			strbuf_reset(&err);
			(*a)->state_reset(&f);
			(*a)->read_whole(&f, (const char *)data, size, &err);
		}
		if ((*a)->state_save) {
			strbuf_reset(&out);
			(*a)->state_save(&f, &out);
			(*a)->state_load(&f, out.buf);
		}
		entry_release(&e);
		mempool_reset(&pool);
		free(f.state);
	}
	strbuf_reset(&out);
	pricing_from_litellm((const char *)data, size, "fuzz", 0, &out, &err);
	mempool_release(&pool);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
