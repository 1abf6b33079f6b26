/* Fuzz target: a line of each coding agent's log, and a price document. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../lib/import.h"
#include "../lib/pricing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct agent *const agents[] = { &agent_claude_code,
		&agent_codex, &agent_codingbuddy };
	struct mempool pool = MEMPOOL_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	for (size_t i = 0; i < 3; i++) {
		struct import_file f = { .path = "f.jsonl", .rel = "f.jsonl",
			.pool = &pool };
		struct entry e;
		struct import_item it = { .e = &e };
		enum import_skip skip;

		entry_init(&e);
		if (agents[i]->state_reset)
			agents[i]->state_reset(&f);
		agents[i]->line(&f, (const char *)data, size, &it, &skip);
		if (agents[i]->state_save) {
			strbuf_reset(&out);
			agents[i]->state_save(&f, &out);
			agents[i]->state_load(&f, out.buf);
		}
		entry_release(&e);
		mempool_reset(&pool);
	}
	strbuf_reset(&out);
	pricing_from_litellm((const char *)data, size, "fuzz", 0, &out, &err);
	mempool_release(&pool);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
