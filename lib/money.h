#ifndef TALLY_MONEY_H
#define TALLY_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * Money is held as integer nano-USD (1e-9 USD) so that sums over any number
 * of rows are exact. JSON carries decimals; they are converted here, and
 * only here, in both directions.
 */
#define NANO_PER_USD 1000000000LL

/* The largest amount a single value may hold: 100 million USD. */
#define MONEY_MAX_NANO (100000000LL * NANO_PER_USD)

/*
 * Parses a JSON-style decimal number ("0.0114", "1e-7", "-2.5E+3") of len
 * bytes into nano-USD, rounding half away from zero past the ninth
 * decimal. Returns 0, -1 when the text is not a number, -2 when its
 * magnitude exceeds MONEY_MAX_NANO.
 */
int money_parse(const char *s, size_t len, int64_t *out);

/*
 * The same for any scale: the number times 10^scale, rounded half away
 * from zero; -2 when its magnitude exceeds max. money_parse() is scale 9.
 */
int decimal_parse(const char *s, size_t len, int scale, int64_t max,
		int64_t *out);

/* Appends the exact decimal with no trailing zeros: "0.0114", "12", "-0.5". */
void money_format(struct strbuf *sb, int64_t nano);

/*
 * Appends an amount for people: "$1,234.56" at a dollar or more, four
 * decimals under a dollar ("$0.0114"), and "<$0.0001" for tiny amounts.
 */
void money_format_human(struct strbuf *sb, int64_t nano);

#endif
