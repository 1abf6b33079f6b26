/* Fuzz target: a YAML configuration file. */
#include <stddef.h>
#include <stdint.h>

#include "../lib/config.h"
#include "../lib/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	quiet_warnings = 1;
	config_init(&c);
	if (!config_load_string(&c, "fuzz.yaml", (const char *)data, size,
			&err))
		config_finish(&c, &err);
	config_release(&c);
	strbuf_release(&err);
	return 0;
}
