#ifndef TALLY_JSON_SIMD_H
#define TALLY_JSON_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * The length of the run of bytes at p (at most n) that a JSON string
 * holds as they are: printable ASCII but the quote and the backslash.
 * Eight bytes at a time: for each, a byte-wise test whose lowest set bit
 * marks the first quote, backslash, control or non-ASCII byte exactly
 * (the borrows of the subtraction only ever set higher bits). Where
 * SSE2 is there (every x86-64), sixteen at a time first: a signed
 * comparison with 0x20 catches the controls and the non-ASCII bytes.
 */
static inline size_t json_plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i quotes = _mm_set1_epi8('"');
	const __m128i slashes = _mm_set1_epi8('\\');
	const __m128i blanks = _mm_set1_epi8(0x20);

	for (; n - i >= 16; i += 16) {
		__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quotes),
				_mm_cmpeq_epi8(w, slashes)), _mm_cmplt_epi8(w, blanks));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		if (bits)
			return i + (size_t)__builtin_ctz(bits);
	}
#endif
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

/*
 * Whether the n bytes of needle (n >= 2) occur in the len bytes at hay,
 * looked for from the end. Where SSE2 is there, sixteen positions at a
 * time: those whose first, second and last bytes match are compared.
 */
static inline int contains_from_end(const char *hay, size_t len,
		const char *needle, size_t n)
{
	size_t at = len;

	if (n < 2 || len < n)
		return 0;
#ifdef __SSE2__
	{
		const __m128i first = _mm_set1_epi8(needle[0]);
		const __m128i second = _mm_set1_epi8(needle[1]);
		const __m128i last = _mm_set1_epi8(needle[n - 1]);

		/* Positions [at - 16, at), each with n bytes from it. */
		for (at = len - n + 1; at >= 16; at -= 16) {
			const char *p = hay + at - 16;
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
			__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 1));
			unsigned bits = (unsigned)_mm_movemask_epi8(_mm_and_si128(
				_mm_and_si128(_mm_cmpeq_epi8(a, first),
					      _mm_cmpeq_epi8(b, second)),
				_mm_cmpeq_epi8(c, last)));

			while (bits) {
				unsigned i = 31 - (unsigned)__builtin_clz(bits);

				if (!memcmp(p + i, needle, n))
					return 1;
				bits &= ~(1u << i);
			}
		}
		at += n - 1;
	}
#endif
	/* What is left: needles starting before at - n + 1. */
	for (size_t i = at - n + 1; i-- > 0;)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			return 1;
	return 0;
}

#endif
