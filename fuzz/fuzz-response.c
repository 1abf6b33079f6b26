/* Fuzz target: a response body through every provider's usage reader. */
#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../providers/jsonc.h"
#include "../providers/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf why = STRBUF_INIT;
	struct json_object *root = json_parse_text((const char *)data, size,
			&why);

	if (root) {
		provider_detect(root);
		for (const struct provider *const *p = provider_table; *p; p++) {
			struct entry e;

			if (!(*p)->parse_response)
				continue;
			entry_init(&e);
			strbuf_reset(&why);
			(*p)->parse_response(root, &e, &why);
			entry_release(&e);
		}
		json_object_put(root);
	}
	strbuf_release(&why);
	return 0;
}
