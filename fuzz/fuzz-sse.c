/* Fuzz target: a streamed response (server-sent events), fed in pieces. */
#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../providers/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct stream st;
	struct entry e;
	size_t off = 0, step = size % 7 + 1;

	stream_init(&st, NULL);
	entry_init(&e);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;

		if (stream_feed(&st, (const char *)data + off, n, 0, &err))
			break;
		off += n;
		step = step * 3 % 61 + 1;
	}
	strbuf_reset(&err);
	stream_finish(&st, &e, &err);
	entry_release(&e);
	stream_release(&st);
	strbuf_release(&err);
	return 0;
}
