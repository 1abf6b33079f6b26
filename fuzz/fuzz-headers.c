/* Fuzz target: a header dump (curl -D) read into an entry. */
#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../providers/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct header_set h;
	struct entry e;

	if (headers_parse(&h, (const char *)data, size))
		return 0;
	entry_init(&e);
	headers_apply(&h, &e, 1795521600000);
	entry_release(&e);
	headers_release(&h);
	return 0;
}
