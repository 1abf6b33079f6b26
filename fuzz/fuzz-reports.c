/*
 * Fuzz target: a body through every reader of the providers' usage and
 * cost reports (what sync reads), after the JSON parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../providers/jsonc.h"
#include "../providers/provider.h"
#include "../providers/reconcile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf why = STRBUF_INIT;
	struct json_object *root = json_parse_text((const char *)data, size,
			&why);

	if (!root) {
		strbuf_release(&why);
		return 0;
	}
	for (const struct provider *const *p = provider_table; *p; p++) {
		const struct report_reader *r = (*p)->report_readers;
		const struct report_source *src = (*p)->reports;

		if (src) {
			struct reconcile rc;

			reconcile_init(&rc);
			src->usage_page(root, &rc, &why);
			src->cost_page(root, &rc, &why);
			reconcile_release(&rc);
		}
		for (; r && r->name; r++) {
			struct entry e;

			strbuf_reset(&why);
			entry_init(&e);
			r->record(root, &e, &why);
			entry_release(&e);
		}
	}
	json_object_put(root);
	strbuf_release(&why);
	return 0;
}
