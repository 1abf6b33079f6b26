#ifndef TALLY_SUBSCRIPTION_H
#define TALLY_SUBSCRIPTION_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "report.h"
#include "string-list.h"

/*
 * Subscriptions: plans paid by the month (Claude Max, ChatGPT Plus, a
 * coding agent's seat) that cover some usage, configured as
 *
 *	subscriptions:
 *	  - name: Claude Max
 *	    monthly_usd: 100
 *	    provider: anthropic
 *	    agents: [claude-code]
 *	    since: 2026-03-14
 *
 * The usage a plan covers is its provider's (any, when it names none)
 * that came from its agents (imported from their logs; any source when
 * it names none), from the month it was taken (since; every month when
 * it does not say). Reports set what that usage would have cost at API
 * prices against what the plan costs, month by month: whether the plan
 * pays for itself.
 */

struct subscription {
	const char *name;            /* points into the configuration */
	int64_t monthly_usd;         /* nano-USD, above 0 */
	const char *provider;        /* NULL: any */
	struct string_list agents;   /* their names, as configured */
	struct string_list sources;  /* the agents' sources; empty: any */
	char since_month[8];         /* "2026-03", or "" */
};

/*
 * Reads subscriptions.N from c; agent_source maps an agent's name to the
 * source its imports carry (NULL for an agent tally does not know).
 * The subscriptions point into c, which must outlive them. 0, or
 * T_ECONFIG with a message naming the key.
 */
int subscriptions_load(const struct config *c,
		const char *(*agent_source)(const char *name),
		struct subscription **out, size_t *n, struct strbuf *err);
void subscriptions_release(struct subscription *s, size_t n);

/* Whether the plan covers usage of this provider and source. */
int subscription_covers(const struct subscription *s, const char *provider,
		const char *source);

/* The report subscription_months() reads: what it groups by. */
void subscription_report_spec(struct report_spec *spec);

/* One calendar month of a plan. */
struct subscription_month {
	char month[8];           /* "2026-11" */
	struct counters c;       /* the usage the plan covered */
};

/*
 * The months of r (a report made with subscription_report_spec()) and
 * every month of the local days [from, to) (none when from is
 * INT32_MIN), each with the usage s covered in it (zero counters for
 * none), oldest first: the plan was paid in a month without usage too.
 * Months before the plan's since are left out. Returns how many; *out
 * is the caller's to free.
 */
size_t subscription_months(const struct subscription *s,
		const struct report *r, int32_t from, int32_t to,
		struct subscription_month **out);

/* The API price of the month's usage over the plan's price, or -1. */
double subscription_value_ratio(const struct subscription *s,
		const struct subscription_month *m, enum cost_mode mode);

/*
 * The ratio for people: "4.12x", "<0.01x", "at least 1.20x" when some of
 * the usage has no price, "unpriced" when none has.
 */
void subscription_value_text(struct strbuf *sb, const struct subscription *s,
		const struct subscription_month *m, enum cost_mode mode);

#endif
