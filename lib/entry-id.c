#include "entry-id.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "entry.h"
#include "sha256.h"
#include "banned.h"

static void random_bytes(unsigned char *buf, size_t len)
{
	ssize_t n;

	do {
		n = getrandom(buf, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return;
	/* No entropy source at all is not worth failing a record over. */
	{
		struct timespec ts;
		struct sha256 c;
		unsigned char md[32];
		pid_t pid = getpid();

		clock_gettime(CLOCK_REALTIME, &ts);
		sha256_init(&c);
		sha256_update(&c, &ts, sizeof(ts));
		sha256_update(&c, &pid, sizeof(pid));
		sha256_update(&c, buf, len);
		sha256_final(&c, md);
		memcpy(buf, md, len < 32 ? len : 32);
	}
}

void id_random(struct strbuf *out, const char *prefix)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[10];

	random_bytes(b, sizeof(b));
	strbuf_addstr(out, prefix);
	for (size_t i = 0; i < sizeof(b); i++) {
		strbuf_addch(out, hex[b[i] >> 4]);
		strbuf_addch(out, hex[b[i] & 15]);
	}
}

void id_derived(struct strbuf *out, const char *prefix,
		const char *const *parts)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	struct sha256 c;

	sha256_init(&c);
	for (; *parts; parts++)
		sha256_update(&c, *parts, strlen(*parts) + 1);
	sha256_final(&c, md);
	strbuf_addstr(out, prefix);
	for (size_t i = 0; i < 10; i++) {
		strbuf_addch(out, hex[md[i] >> 4]);
		strbuf_addch(out, hex[md[i] & 15]);
	}
}

void entry_assign_id(struct entry *e)
{
	struct strbuf id = STRBUF_INIT;

	if (entry_has(e, EF_PROVIDER_REQUEST_ID)) {
		const char *parts[] = { "request", e->provider_id,
			e->provider_request_id, NULL };

		id_derived(&id, "u_", parts);
	} else {
		id_random(&id, "u_");
	}
	entry_set_str(e, EF_ENTRY_ID, id.buf);
	strbuf_release(&id);
}
