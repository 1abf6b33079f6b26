/*
 * Fuzz target: the summary cache file (usage-summary.json) as a refresh
 * reads it. A damaged cache must be refused (and made again), never
 * crash or leave ids that point outside its string tables; one that is
 * taken must write out again and read back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/summary.h"
#include "../lib/summary-io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary_budget b = { 0, 0, 80 };
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	struct summary s, back;

	summary_init(&s);
	if (!summary_read_json(&s, (const char *)data, size)) {
		summary_write_json(&s, &b, &once);
		summary_init(&back);
		if (summary_read_json(&back, once.buf, once.len))
			abort();
		summary_write_json(&back, &b, &twice);
		if (strcmp(once.buf, twice.buf))
			abort();
		summary_release(&back);
	}
	summary_release(&s);
	strbuf_release(&once);
	strbuf_release(&twice);
	return 0;
}
