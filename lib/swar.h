#ifndef TALLY_SWAR_H
#define TALLY_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * The length of the run of bytes at p (at most n) that a JSON string
 * holds as they are: printable ASCII but the quote and the backslash.
 * Eight bytes at a time: for each, a byte-wise test whose lowest set bit
 * marks the first quote, backslash, control or non-ASCII byte exactly
 * (the borrows of the subtraction only ever set higher bits).
 */
static inline size_t json_plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;

	for (; n - i >= 8; i += 8) {
		uint64_t w, quote, slash, m;

		memcpy(&w, p + i, 8);
		quote = w ^ (ones * '"');
		slash = w ^ (ones * '\\');
		m = (((quote - ones) & ~quote) | ((slash - ones) & ~slash) |
		     ((w - ones * 0x20) & ~w) | w) & high;
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
	}
#endif
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
	       p[i] != '\\')
		i++;
	return i;
}

#endif
