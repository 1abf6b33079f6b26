/* Fuzz target: times and durations as users type them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../lib/strbuf.h"
#include "../lib/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf s = STRBUF_INIT, err = STRBUF_INIT;
	int64_t v;

	strbuf_add(&s, data, size);
	if (strlen(s.buf) == size) {
		time_parse(s.buf, &v, &err);
		time_parse_iso(s.buf, s.len, &v);
		duration_parse(s.buf, s.len, &v);
	}
	strbuf_release(&s);
	strbuf_release(&err);
	return 0;
}
