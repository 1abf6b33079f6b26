#ifndef TALLY_SHA256_H
#define TALLY_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for workspace ids and ids derived from natural
 * keys. Not used for anything secret.
 */
struct sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[32]);

/* Writes the first nhex hex digits of SHA-256(data) and a NUL to out. */
void sha256_hex(const void *data, size_t len, char *out, size_t nhex);

#endif
