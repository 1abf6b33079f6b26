/* Fuzz target: one ledger row through the entry parser and back. */
#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry e, again;
	struct strbuf row = STRBUF_INIT;
	const char *why;

	entry_init(&e);
	entry_init(&again);
	if (!entry_parse(&e, (const char *)data, size, &why)) {
		/* What parses must write back as a row that parses again. */
		entry_to_row(&row, &e);
		if (entry_parse(&again, row.buf, row.len - 1, &why))
			__builtin_trap();
	}
	strbuf_release(&row);
	entry_release(&again);
	entry_release(&e);
	return 0;
}
