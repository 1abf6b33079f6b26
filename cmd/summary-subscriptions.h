#ifndef TALLY_CMD_SUMMARY_SUBSCRIPTIONS_H
#define TALLY_CMD_SUMMARY_SUBSCRIPTIONS_H

#include "reporting.h"

#include "../lib/jsonw.h"
#include "../lib/subscription.h"

/*
 * The configured subscriptions (lib/subscription.h) with the usage each
 * covered in the calendar months a window touches, counted over every
 * workspace and the profile: a plan pays for all of them.
 */
struct subscription_view {
	struct subscription *subs;
	size_t n;
	struct report by_month;     /* subscription_report_spec() groups */
	char current[8];            /* this month: its figures so far */
	int32_t from, to;           /* the window's months, as days */
};

/*
 * Loads the subscriptions and, when there are any, the usage of the
 * months the window's [since, until) touches (since -1: every month;
 * until -1: up to now). 0, T_ECONFIG or T_ELEDGER.
 */
int subscription_view_build(struct subscription_view *v,
		struct reporting *rp, const struct report_spec *window,
		struct strbuf *err);
void subscription_view_release(struct subscription_view *v);

/* For the configuration's subscriptions: an agent's source, or NULL. */
const char *subscription_agent_source(const char *name);

/* The table of summary, after the totals; nothing when none is set. */
void subscription_view_human(struct strbuf *out,
		const struct subscription_view *v, enum cost_mode mode,
		int colour);
/* "subscriptions": [...] in the open object w; nothing when none. */
void subscription_view_json(struct jsonw *w,
		const struct subscription_view *v, enum cost_mode mode);

#endif
