#include "money.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

/* Digits of the significand, most significant first, and a power of ten. */
struct decimal {
	char digits[40];
	int ndigits;
	int exp10;
	int negative;
};

static int read_exponent(const char *s, const char *end, int *out)
{
	int sign = 1, v = 0;

	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v < 100000)
			v = v * 10 + (*s - '0');
	}
	*out = sign * v;
	return 0;
}

static void push_digit(struct decimal *d, char c, int fractional)
{
	if (!d->ndigits && c == '0') {
		if (fractional)
			d->exp10--;
		return;
	}
	if (d->ndigits < (int)sizeof(d->digits)) {
		d->digits[d->ndigits++] = c;
		if (fractional)
			d->exp10--;
	} else if (!fractional) {
		d->exp10++;
	}
}

static int read_decimal(const char *s, size_t len, struct decimal *d)
{
	const char *end = s + len, *p = s;
	int seen = 0, exp = 0;

	memset(d, 0, sizeof(*d));
	if (p < end && *p == '-') {
		d->negative = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++, seen = 1)
		push_digit(d, *p, 0);
	if (!seen)
		return -1;
	if (p < end && *p == '.') {
		int frac = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++, frac = 1)
			push_digit(d, *p, 1);
		if (!frac)
			return -1;
		seen = 1;
	}
	if (!seen)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (read_exponent(p + 1, end, &exp))
			return -1;
		p = end;
	}
	if (p != end)
		return -1;
	d->exp10 += exp;
	return 0;
}

int decimal_parse(const char *s, size_t len, int scale, int64_t max,
		int64_t *out)
{
	struct decimal d;
	uint64_t v = 0;
	int shift, keep, i;

	if (read_decimal(s, len, &d))
		return -1;
	if (!d.ndigits) {
		*out = 0;
		return 0;
	}
	shift = d.exp10 + scale;
	keep = d.ndigits + (shift < 0 ? shift : 0);
	if (keep + (shift > 0 ? shift : 0) > 18)
		return -2;
	for (i = 0; i < keep; i++)
		v = v * 10 + (uint64_t)(d.digits[i] - '0');
	for (i = 0; i < shift; i++)
		v *= 10;
	if (keep >= 0 && keep < d.ndigits && d.digits[keep] >= '5')
		v++;
	if (v > (uint64_t)max)
		return -2;
	*out = d.negative ? -(int64_t)v : (int64_t)v;
	return 0;
}

int money_parse(const char *s, size_t len, int64_t *out)
{
	return decimal_parse(s, len, 9, MONEY_MAX_NANO, out);
}

void money_format(struct strbuf *sb, int64_t nano)
{
	uint64_t v = nano < 0 ? -(uint64_t)nano : (uint64_t)nano;
	uint64_t whole = v / NANO_PER_USD, frac = v % NANO_PER_USD;
	char digits[10];
	int n = 9;

	if (nano < 0)
		strbuf_addch(sb, '-');
	strbuf_adduint(sb, whole);
	if (!frac)
		return;
	for (int i = 8; i >= 0; i--, frac /= 10)
		digits[i] = (char)('0' + frac % 10);
	while (n > 0 && digits[n - 1] == '0')
		n--;
	strbuf_addch(sb, '.');
	strbuf_add(sb, digits, (size_t)n);
}

static void add_grouped(struct strbuf *sb, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, tmp[i]);
	}
}

void money_format_human(struct strbuf *sb, int64_t nano)
{
	uint64_t v = nano < 0 ? -(uint64_t)nano : (uint64_t)nano;
	const char *sign = nano < 0 ? "-" : "";

	if (v && v < 100000) {
		strbuf_addf(sb, "%s<$0.0001", sign);
	} else if (v < (uint64_t)NANO_PER_USD) {
		/* Four decimals, rounded half up. */
		uint64_t units = (v + 50000) / 100000;

		if (units >= 10000) {
			strbuf_addf(sb, "%s$1.00", sign);
			return;
		}
		strbuf_addf(sb, "%s$0.%04llu", sign, (unsigned long long)units);
	} else {
		uint64_t cents = (v + 5000000) / 10000000;

		strbuf_addf(sb, "%s$", sign);
		add_grouped(sb, cents / 100);
		strbuf_addf(sb, ".%02llu", (unsigned long long)(cents % 100));
	}
}
