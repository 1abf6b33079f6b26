#include "gemini-counts.h"

#include "banned.h"

void gemini_counts_to_entry(const struct gemini_counts *c, struct entry *e)
{
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, c->prompt + c->tool);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, c->candidates + c->thoughts);
	entry_set_int(e, EF_CACHE_READ_TOKENS, c->cached);
	entry_set_int(e, EF_REASONING_TOKENS, c->thoughts);
	if (c->tool)
		entry_set_int(e, EF_TOOL_TOKENS, c->tool);
}
