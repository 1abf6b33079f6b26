/*
 * The HTML report: one self-contained page, inline CSS and SVG, no
 * scripts, nothing fetched, so it can be mailed, archived or opened
 * offline.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "forecast.h"
#include "money.h"
#include "subscription.h"
#include "table.h"
#include "timeutil.h"
#include "version.h"
#include "banned.h"

/* The latest five-hour blocks the report lists. */
#define HTML_BLOCKS 20

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"margin:0;background:#f5f6f8;color:#1c2230}"
	"main{max-width:1060px;margin:0 auto;padding:28px 24px 40px}"
	"h1{font-size:22px;margin:0}h2{font-size:15px;margin:0 0 12px}"
	".sub{color:#667085;margin:4px 0 20px}"
	".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}"
	".card,section{background:#fff;border-radius:10px;"
	"box-shadow:0 1px 2px rgba(16,24,40,.08)}"
	".card{padding:14px 16px}"
	".label{color:#667085;font-size:12px;text-transform:uppercase;"
	"letter-spacing:.05em}"
	".value{font-size:24px;font-weight:650;margin-top:4px}"
	".note{color:#667085;font-size:12px;margin-top:2px}"
	"section{padding:16px 18px;margin-top:16px}"
	".two{display:grid;grid-template-columns:1fr 1fr;gap:16px}"
	".two section{margin-top:0}"
	"table{width:100%;border-collapse:collapse}"
	"th{color:#667085;font-weight:500;font-size:12px;text-align:left}"
	"th,td{padding:6px 8px;border-bottom:1px solid #eef0f4}"
	".num{text-align:right;font-variant-numeric:tabular-nums}"
	".bar{background:#e7ecf7;height:7px;border-radius:4px;min-width:60px}"
	".bar i{display:block;height:7px;border-radius:4px;background:#4f6fd6}"
	".warning i{background:#e5a50a}.exceeded i{background:#d6453d}"
	".state{font-weight:600}.state.exceeded{color:#d6453d}"
	".state.warning{color:#b07d00}.state.under{color:#2f8f4e}"
	".unpriced{color:#b07d00}"
	"footer{color:#98a2b3;font-size:12px;margin-top:20px}"
	"svg text{font:11px system-ui,sans-serif;fill:#667085}"
	".legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;"
	"color:#667085;margin-top:6px}.legend i{display:inline-block;"
	"width:10px;height:10px;border-radius:2px;margin-right:5px}"
	".grid{stroke:#e4e7ec;stroke-width:1}"
	/* The reader's dark scheme, when their system asks for one. */
	":root{color-scheme:light dark}"
	"@media (prefers-color-scheme:dark){"
	"body{background:#111418;color:#e4e7ec}"
	".card,section{background:#1c2128;box-shadow:none}"
	".sub,.label,.note,th{color:#98a2b3}"
	"th,td{border-bottom-color:#2a313b}.bar{background:#2a3342}"
	".state.warning,.unpriced{color:#e5a50a}"
	"footer{color:#667085}svg text{fill:#98a2b3}.grid{stroke:#2a313b}}";

static void esc(struct strbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		default: strbuf_addch(out, *s);
		}
	}
}

/* A cost as text: for an SVG <title>, where markup is not allowed. */
static void cost_text(struct strbuf *out, const struct counters *c,
		enum cost_mode mode)
{
	static const struct cost_words words = { "unpriced", "no usage",
		" +%lld unpriced" };

	counters_cost_text(out, c, mode, &words);
}

static void cost_of(struct strbuf *out, const struct counters *c,
		enum cost_mode mode)
{
	static const struct cost_words words = {
		"<span class=\"unpriced\">unpriced</span>", "&ndash;",
		" <span class=\"unpriced\">+%lld unpriced</span>" };

	counters_cost_text(out, c, mode, &words);
}

static int64_t tokens(const struct counters *c)
{
	return c->v[RC_INPUT] + c->v[RC_OUTPUT];
}

static void card(struct strbuf *out, const char *label, const char *id,
		const char *value, const char *note)
{
	strbuf_addf(out, "<div class=\"card\"><div class=\"label\">%s</div>"
			"<div class=\"value\" id=\"%s\">%s</div>"
			"<div class=\"note\">%s</div></div>", label, id, value,
			note);
}

/* Where the cost comes from; only the parts that exist. */
static void cost_note(struct strbuf *n, const struct counters *t,
		int64_t unpriced)
{
	const char *sep = "";

	if (t->v[RC_N_BILLED]) {
		strbuf_addstr(n, "billed ");
		money_format_human(n, t->v[RC_BILLED]);
		sep = " &middot; ";
	}
	if (t->v[RC_EST_UNBILLED]) {
		strbuf_addf(n, "%sestimated ~", sep);
		money_format_human(n, t->v[RC_EST_UNBILLED]);
		sep = " &middot; ";
	}
	if (unpriced) {
		strbuf_addstr(n, sep);
		strbuf_add_counted(n, (uint64_t)unpriced, "request unpriced",
				"requests unpriced");
		sep = " &middot; ";
	}
	if (!*sep)
		strbuf_addstr(n, "no usage");
}

static void cards(struct strbuf *out, const struct export_data *d,
		const struct counters *t, const struct counters *all)
{
	struct strbuf v = STRBUF_INIT, n = STRBUF_INIT;
	int64_t unpriced;

	strbuf_addstr(out, "<div class=\"cards\">");
	fmt_count(&v, t->v[RC_REQUESTS]);
	strbuf_addf(&n, "%lld failed", (long long)t->v[RC_N_FAILED]);
	card(out, "Requests", "total-requests", v.buf, n.buf);
	strbuf_reset(&v);
	strbuf_reset(&n);
	fmt_count(&v, tokens(t));
	strbuf_addstr(&n, "input ");
	fmt_count(&n, t->v[RC_INPUT]);
	strbuf_addstr(&n, " &middot; output ");
	fmt_count(&n, t->v[RC_OUTPUT]);
	card(out, "Tokens", "total-tokens", v.buf, n.buf);
	strbuf_reset(&v);
	strbuf_reset(&n);
	cost_of(&v, t, d->mode);
	counters_cost(t, d->mode, &unpriced);
	cost_note(&n, t, unpriced);
	card(out, "Cost", "total-cost", v.buf, n.buf);
	strbuf_reset(&v);
	strbuf_reset(&n);
	strbuf_addf(&v, "%lld", (long long)all->v[RC_N_PENDING]);
	strbuf_addf(&n, "pending &middot; %lld failed",
			(long long)all->v[RC_N_SYNC_FAILED]);
	card(out, "Awaiting sync", "pending-sync", v.buf, n.buf);
	strbuf_addstr(out, "</div>");
	strbuf_release(&v);
	strbuf_release(&n);
}

/* ---- the daily charts ---- */

#define CHART_W 1000
#define CHART_H 180
#define CHART_AXIS 56      /* room for the y-axis labels */
#define CHART_TOP 16
#define CHART_BOTTOM 24

/*
 * Bars are stacked by model: the STACK_NAMED models with the most usage
 * in the window each have a colour, the rest share the last, grey.
 */
#define STACK_NAMED 5
#define STACK_PARTS (STACK_NAMED + 1)

static const char *const stack_colour[STACK_PARTS] = { "#4f6fd6", "#2f9e8f",
	"#e07b39", "#9b59b6", "#c9a227", "#98a2b3" };

struct stack {
	const char *name[STACK_PARTS];
	size_t n;                   /* parts in use */
};

struct day_slot {
	char key[16];
	const struct counters *c;   /* NULL: no usage that day */
	struct counters sum;        /* a week's or month's, c points here */
	int64_t part[2][STACK_PARTS];   /* tokens, then priced cost */
};

/* Windows longer than these are drawn by week, then by month. */
#define WEEKS_AFTER_DAYS 92
#define MONTHS_AFTER_DAYS 731

/* One slot per day of the window, whether or not it saw usage. */
static struct day_slot *day_slots(const struct export_data *d,
		const struct report *days, size_t *n)
{
	size_t nr = (size_t)(d->last_day - d->first_day + 1), g = 0;
	struct day_slot *slots = xcalloc(nr, sizeof(*slots));
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&sb);
		day_key(&sb, d->first_day + (int32_t)i);
		memcpy(slots[i].key, sb.buf, sb.len < 15 ? sb.len : 15);
		while (g < days->ngroups &&
		       strcmp(days->groups[g].key[0], slots[i].key) < 0)
			g++;
		if (g < days->ngroups &&
		    !strcmp(days->groups[g].key[0], slots[i].key))
			slots[i].c = &days->groups[g].c;
	}
	strbuf_release(&sb);
	*n = nr;
	return slots;
}

/* The models that get a colour: the largest, as the report sorts them. */
static void stack_models(struct stack *st, const struct report *by_model)
{
	size_t named = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < by_model->ngroups; i++) {
		if (!by_model->groups[i].c.v[RC_REQUESTS])
			continue;
		if (named == STACK_NAMED) {
			st->name[STACK_NAMED] = "other models";
			st->n = STACK_PARTS;
			return;
		}
		st->name[named++] = *by_model->groups[i].key[0] ?
			by_model->groups[i].key[0] : "(none)";
	}
	st->n = named;
}

static size_t stack_part(const struct stack *st, const char *model)
{
	for (size_t p = 0; p < st->n && p < STACK_NAMED; p++)
		if (!strcmp(st->name[p], *model ? model : "(none)"))
			return p;
	return STACK_NAMED;
}

/* Each day's tokens and cost by model, from a report by day and model. */
static void fill_parts(struct day_slot *slots, size_t n,
		const struct export_data *d, const struct report *r,
		const struct stack *st)
{
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct counters *c = &r->groups[i].c;
		size_t p = stack_part(st, r->groups[i].key[1]);
		int64_t unpriced;
		int32_t day;

		if (time_parse_day(r->groups[i].key[0], &day) ||
		    day < d->first_day || (size_t)(day - d->first_day) >= n)
			continue;
		slots[day - d->first_day].part[0][p] += tokens(c);
		slots[day - d->first_day].part[1][p] +=
			counters_cost(c, d->mode, &unpriced);
	}
}

static int64_t day_tokens(const struct counters *c, enum cost_mode mode)
{
	(void)mode;
	return tokens(c);
}

static int64_t day_cost(const struct counters *c, enum cost_mode mode)
{
	int64_t unpriced;

	return counters_cost(c, mode, &unpriced);
}

struct chart_kind {
	const char *title, *id, *unit;
	int64_t (*value)(const struct counters *c, enum cost_mode mode);
	int money;
};

static void chart_amount(struct strbuf *out, const struct chart_kind *k,
		int64_t v)
{
	if (k->money)
		money_format_human(out, v);
	else
		fmt_count(out, v);
}

/*
 * A slot's bar: its parts stacked from the bottom, each with its model
 * and amount, in a group titled with the slot's total.
 */
static void chart_bar(struct strbuf *out, const struct chart_kind *k,
		const struct day_slot *sl, double x, double w, int64_t max,
		const struct export_data *d, const struct stack *st)
{
	int64_t v = sl->c ? k->value(sl->c, d->mode) : 0, unpriced = 0;
	double scale = (double)(CHART_H - CHART_TOP - CHART_BOTTOM) /
		(double)max, y = CHART_H - CHART_BOTTOM;

	if (sl->c && k->money)
		counters_cost(sl->c, d->mode, &unpriced);
	strbuf_addstr(out, "<g class=\"bar\"><title>");
	esc(out, sl->key);
	strbuf_addstr(out, ": ");
	if (k->money)
		cost_text(out, sl->c ? sl->c : &(struct counters){ { 0 } },
				d->mode);
	else
		chart_amount(out, k, v);
	strbuf_addf(out, "%s</title>", k->money ? "" : " tokens");
	for (size_t p = 0; p < st->n; p++) {
		int64_t pv = sl->part[k->money][p];
		double h = (double)pv * scale;

		if (pv <= 0)
			continue;
		y -= h;
		strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\"><title>", x, y,
				w, h, stack_colour[p]);
		esc(out, sl->key);
		strbuf_addstr(out, " ");
		esc(out, st->name[p]);
		strbuf_addstr(out, ": ");
		chart_amount(out, k, pv);
		strbuf_addf(out, "%s</title></rect>", k->money ? "" :
				" tokens");
	}
	strbuf_addstr(out, "</g>");
	/* Usage without a price is marked, never drawn as a $0 day. */
	if (unpriced)
		strbuf_addf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				"height=\"3\" fill=\"#e5a50a\"><title>%lld "
				"unpriced</title></rect>", x,
				CHART_H - CHART_BOTTOM + 1, w,
				(long long)unpriced);
}

/*
 * The top of the y-axis: the smallest 1, 2 or 5 times a power of ten
 * (of a cent, for money) at or above max, so that the ticks read round.
 */
static int64_t axis_top(int64_t max, int money)
{
	int64_t unit = money ? 10000000 : 1;   /* a cent, in nano-USD */

	for (;;) {
		static const int steps[] = { 1, 2, 5 };

		for (int i = 0; i < 3; i++)
			if (steps[i] * unit >= max)
				return steps[i] * unit;
		if (unit > INT64_MAX / 100)
			return max;
		unit *= 10;
	}
}

/* The y-axis: a gridline and a label at each quarter of the top. */
static void axis(struct strbuf *out, const struct chart_kind *k,
		int64_t top)
{
	for (int i = 0; i <= 4; i++) {
		double y = CHART_H - CHART_BOTTOM -
			(double)(CHART_H - CHART_TOP - CHART_BOTTOM) * i / 4;

		strbuf_addf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
				"y2=\"%.1f\" class=\"grid\"/>", CHART_AXIS,
				CHART_W, y, y);
		strbuf_addf(out, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" "
				"text-anchor=\"end\">", CHART_AXIS - 4, y + 4);
		if (!i)
			strbuf_addch(out, '0');
		else if (k->money)
			money_format_human(out, top / 4 * i);
		else
			fmt_count_short(out, top / 4 * i);
		strbuf_addstr(out, "</text>");
	}
}

/*
 * A day's label: the month and day, with the year on the first label
 * and on the first of another year (prev: the label before, or NULL).
 */
static void day_label(struct strbuf *out, const struct day_slot *day,
		const struct day_slot *prev)
{
	if (!prev || strncmp(day->key, prev->key, 4))
		strbuf_addstr(out, day->key);
	else
		strbuf_addstr(out, day->key + 5);
}

/* Which colour is which model, under a chart with more than one. */
static void legend(struct strbuf *out, const struct stack *st)
{
	if (st->n < 2)
		return;
	strbuf_addstr(out, "<div class=\"legend\">");
	for (size_t p = 0; p < st->n; p++) {
		strbuf_addf(out, "<span><i style=\"background:%s\"></i>",
				stack_colour[p]);
		esc(out, st->name[p]);
		strbuf_addstr(out, "</span>");
	}
	strbuf_addstr(out, "</div>");
}

static void chart(struct strbuf *out, const struct chart_kind *k,
		const struct day_slot *slots, size_t n,
		const struct export_data *d, const struct stack *st)
{
	size_t step = n > 10 ? n / 6 : 1;
	int64_t max = 1, top;
	double slot = (double)(CHART_W - CHART_AXIS) / (double)n;
	const struct day_slot *labelled = NULL;

	for (size_t i = 0; i < n; i++)
		if (slots[i].c && k->value(slots[i].c, d->mode) > max)
			max = k->value(slots[i].c, d->mode);
	top = axis_top(max, k->money);
	strbuf_addf(out, "<section><h2>%s</h2><svg id=\"%s\" viewBox=\"0 0 "
			"%d %d\" width=\"100%%\" role=\"img\" aria-label=\"%s\">",
			k->title, k->id, CHART_W, CHART_H, k->title);
	axis(out, k, top);
	for (size_t i = 0; i < n; i++) {
		chart_bar(out, k, &slots[i], CHART_AXIS + i * slot +
				slot * 0.15, slot * 0.7, top, d, st);
		if (i % step && i != n - 1)
			continue;
		strbuf_addf(out, "<text class=\"day\" x=\"%.1f\" y=\"%d\" "
				"text-anchor=\"middle\">", CHART_AXIS +
				i * slot + slot / 2, CHART_H - 6);
		day_label(out, &slots[i], labelled);
		labelled = &slots[i];
		strbuf_addstr(out, "</text>");
	}
	strbuf_addstr(out, "<text x=\"2\" y=\"11\">max ");
	chart_amount(out, k, max);
	strbuf_addf(out, " %s</text></svg>", k->unit);
	legend(out, st);
	strbuf_addstr(out, "</section>");
}

/*
 * Days summed into weeks (7 days from the window's first) or calendar
 * months: a bar per day of a long window would be a smear. A slot is
 * keyed by its first day.
 */
static size_t group_slots(struct day_slot *slots, size_t n, int months)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		int same = out && (months ?
			!strncmp(slots[out - 1].key, slots[i].key, 7) :
			i % 7 != 0);
		struct day_slot *to = &slots[out - (same ? 1 : 0)];

		if (!same) {
			struct day_slot day = slots[i];

			to = &slots[out++];
			memcpy(to->key, day.key, sizeof(to->key));
			memset(&to->sum, 0, sizeof(to->sum));
			to->c = NULL;
			if (day.c)
				counters_add(&to->sum, day.c, 1);
			to->c = day.c ? &to->sum : NULL;
			memcpy(to->part, day.part, sizeof(to->part));
			continue;
		}
		for (size_t k = 0; k < 2; k++)
			for (size_t p = 0; p < STACK_PARTS; p++)
				to->part[k][p] += slots[i].part[k][p];
		if (slots[i].c) {
			counters_add(&to->sum, slots[i].c, 1);
			to->c = &to->sum;
		}
	}
	return out;
}

static void charts(struct strbuf *out, const struct html_reports *r,
		const struct export_data *d)
{
	static const struct chart_kind kinds[3][2] = {
		{ { "Tokens per day", "daily-tokens", "tokens/day",
		    day_tokens, 0 },
		  { "Cost per day", "daily-cost", "/day (amber: usage "
		    "without a price)", day_cost, 1 } },
		{ { "Tokens per week", "daily-tokens", "tokens/week",
		    day_tokens, 0 },
		  { "Cost per week", "daily-cost", "/week (amber: usage "
		    "without a price)", day_cost, 1 } },
		{ { "Tokens per month", "daily-tokens", "tokens/month",
		    day_tokens, 0 },
		  { "Cost per month", "daily-cost", "/month (amber: usage "
		    "without a price)", day_cost, 1 } },
	};
	size_t n;
	struct day_slot *slots = day_slots(d, r->days, &n);
	int by = n > MONTHS_AFTER_DAYS ? 2 : n > WEEKS_AFTER_DAYS ? 1 : 0;
	struct stack st;

	stack_models(&st, r->by_model);
	fill_parts(slots, n, d, r->days_by_model, &st);
	if (by)
		n = group_slots(slots, n, by == 2);
	for (size_t i = 0; i < 2; i++)
		chart(out, &kinds[by][i], slots, n, d, &st);
	free(slots);
}

/* ---- tables ---- */

static void share_table(struct strbuf *out, const char *title,
		const char *head, const char *id, const struct report *r,
		const struct counters *t, const struct export_data *d)
{
	strbuf_addf(out, "<section><h2>%s</h2><table id=\"%s\"><tr><th>%s</th>"
			"<th class=\"num\">Requests</th><th class=\"num\">Tokens"
			"</th><th>Share</th><th class=\"num\">Cost</th></tr>",
			title, id, head);
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct counters *c = &r->groups[i].c;
		int64_t share = tokens(t) ? tokens(c) * 1000 / tokens(t) : 0;

		if (!c->v[RC_REQUESTS])
			continue;
		strbuf_addstr(out, "<tr><td>");
		esc(out, *r->groups[i].key[0] ? r->groups[i].key[0] :
				"(none)");
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, c->v[RC_REQUESTS]);
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, tokens(c));
		strbuf_addf(out, "</td><td><div class=\"bar\" title=\"%lld.%lld%%\">"
				"<i style=\"width:%lld.%lld%%\"></i></div></td>"
				"<td class=\"num\">", (long long)(share / 10),
				(long long)(share % 10), (long long)(share / 10),
				(long long)(share % 10));
		cost_of(out, c, d->mode);
		strbuf_addstr(out, "</td></tr>");
	}
	strbuf_addstr(out, "</table></section>");
}

static void budgets(struct strbuf *out, const struct export_data *d)
{
	struct strbuf used = STRBUF_INIT;

	if (!d->nbudgets)
		return;
	strbuf_addstr(out, "<section><h2>Budgets</h2><table id=\"budgets\">"
			"<tr><th>Budget</th><th>Period</th><th>Scope</th>"
			"<th class=\"num\">"
			"Used</th><th class=\"num\">Limit</th><th class=\"num"
			"\">%</th><th></th><th>State</th></tr>");
	for (size_t i = 0; i < d->nbudgets; i++) {
		const struct budget_status *st = &d->budgets[i];
		const char *state = budget_state_name(st->state);
		int64_t w = st->percent > 100 ? 100 : st->percent;

		strbuf_reset(&used);
		budget_format_amount(&used, st->b, st->used_tokens,
				st->used_usd);
		strbuf_addstr(out, "<tr><td>");
		esc(out, st->b->name);
		strbuf_addf(out, "</td><td>%s %s</td><td>%s</td><td class="
				"\"num\">%s", budget_period_name(st->b->period),
				st->period, budget_scope_name(st->b->scope),
				used.buf);
		if (st->b->usd && st->unpriced)
			strbuf_addf(out, " <span class=\"unpriced\">+%lld "
					"unpriced</span>", (long long)st->unpriced);
		strbuf_reset(&used);
		budget_format_amount(&used, st->b, st->b->tokens, st->b->usd);
		strbuf_addf(out, "</td><td class=\"num\">%s</td><td class="
				"\"num\">%lld%%</td><td><div class=\"bar %s\"><i "
				"style=\"width:%lld%%\"></i></div></td><td class="
				"\"state %s\">%s</td></tr>", used.buf,
				(long long)st->percent, state, (long long)w,
				state, state);
	}
	strbuf_addstr(out, "</table></section>");
	strbuf_release(&used);
}

static void recent_entries(struct strbuf *out, const struct entry *recent,
		size_t n, const struct export_data *d)
{
	strbuf_addstr(out, "<section><h2>Recent entries</h2><table id=\"recent\">"
			"<tr><th>Time</th><th>Provider</th><th>Model</th>"
			"<th class=\"num\">Input</th><th class=\"num\">Output</th>"
			"<th class=\"num\">Cost</th><th>Status</th></tr>");
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &recent[i];
		struct counters c;

		counters_of_entry(e, &c);
		strbuf_addstr(out, "<tr><td>");
		time_format_local(out, entry_time(e));
		strbuf_addstr(out, "</td><td>");
		esc(out, e->provider_id);
		strbuf_addstr(out, "</td><td>");
		esc(out, e->model_id);
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, entry_get_int(e, EF_BILLED_INPUT_TOKENS));
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, entry_get_int(e, EF_BILLED_OUTPUT_TOKENS));
		strbuf_addstr(out, "</td><td class=\"num\">");
		cost_of(out, &c, d->mode);
		strbuf_addstr(out, "</td><td>");
		esc(out, e->status);
		strbuf_addstr(out, "</td></tr>");
	}
	strbuf_addstr(out, "</table></section>");
}

/* "+12%", "-3%", "new" when there was nothing before. */
static void change(struct strbuf *out, int64_t before, int64_t now)
{
	if (before <= 0)
		strbuf_addstr(out, now > 0 ? "new" : "0%");
	else
		strbuf_addf(out, "%+.0f%%", ((double)now - (double)before) *
				100.0 / (double)before);
}

static void outlook_row(struct strbuf *out, const char *what,
		int64_t tokens_, const char *cost, const char *note)
{
	strbuf_addf(out, "<tr><td>%s</td><td class=\"num\">", what);
	fmt_count(out, tokens_);
	strbuf_addf(out, "</td><td class=\"num\">%s</td><td>%s</td></tr>",
			cost, note);
}

/*
 * This month so far, where it ends at the pace so far, and the same
 * days of the month before: whatever the report's window.
 */
static void month_outlook(struct strbuf *out, const struct html_reports *r,
		const struct export_data *d)
{
	const struct forecast *fc = r->month_fc;
	struct strbuf cost = STRBUF_INIT, note = STRBUF_INIT;
	int64_t now_cost, prev_cost;

	if (!r->month || !fc || (!r->month->v[RC_REQUESTS] &&
	    !fc->prev.v[RC_REQUESTS]))
		return;
	strbuf_addstr(out, "<section><h2>This month</h2><table id=\"month\">"
			"<tr><th></th><th class=\"num\">Tokens</th><th class="
			"\"num\">Cost</th><th></th></tr>");
	cost_of(&cost, r->month, d->mode);
	outlook_row(out, "So far", counters_tokens(r->month), cost.buf, "");
	if (fc->has_projection) {
		strbuf_reset(&cost);
		if (fc->proj_cost < 0) {
			strbuf_addstr(&cost, "<span class=\"unpriced\">"
					"unpriced</span>");
		} else {
			strbuf_addstr(&cost, "~");
			money_format_human(&cost, fc->proj_cost);
		}
		strbuf_addf(&note, "at the pace so far (%.0f%% of the month "
				"gone)", fc->elapsed * 100);
		outlook_row(out, "Projected at its end", fc->proj_tokens,
				cost.buf, note.buf);
	}
	if (fc->has_compare) {
		now_cost = counters_priced_cost(r->month, d->mode);
		prev_cost = counters_priced_cost(&fc->prev, d->mode);
		strbuf_reset(&cost);
		strbuf_reset(&note);
		cost_of(&cost, &fc->prev, d->mode);
		if (!fc->prev.v[RC_REQUESTS]) {
			strbuf_addstr(&note, "no usage then");
		} else {
			strbuf_addstr(&note, "this month: tokens ");
			change(&note, counters_tokens(&fc->prev),
					counters_tokens(r->month));
			strbuf_addstr(&note, ", cost ");
			if (now_cost >= 0 && prev_cost >= 0)
				change(&note, prev_cost, now_cost);
			else
				strbuf_addstr(&note, "unpriced");
		}
		outlook_row(out, "Same days of the month before",
				counters_tokens(&fc->prev), cost.buf, note.buf);
	}
	strbuf_addstr(out, "</table></section>");
	strbuf_release(&cost);
	strbuf_release(&note);
}

/* Each plan's months: its usage at API prices against its price. */
static void subscriptions(struct strbuf *out, const struct html_reports *r,
		const struct export_data *d)
{
	struct strbuf current = STRBUF_INIT, value = STRBUF_INIT;

	if (!r->nsubs)
		return;
	month_key(&current, local_day(d->now));
	strbuf_addstr(out, "<section><h2>Subscriptions</h2><table id=\""
			"subscriptions\"><tr><th>Plan</th><th>Month</th><th "
			"class=\"num\">Requests</th><th class=\"num\">Tokens"
			"</th><th class=\"num\">API price</th><th class=\""
			"num\">Plan price</th><th class=\"num\">Value</th>"
			"</tr>");
	for (size_t i = 0; i < r->nsubs; i++) {
		const struct subscription *s = &r->subs[i];
		struct subscription_month *m;
		size_t n = subscription_months(s, r->subs_by_month,
				r->subs_from, r->subs_to, &m);

		for (size_t j = 0; j < n; j++) {
			strbuf_addstr(out, "<tr><td>");
			esc(out, s->name);
			strbuf_addf(out, "</td><td>%s</td><td class=\"num\">",
					m[j].month);
			fmt_count(out, m[j].c.v[RC_REQUESTS]);
			strbuf_addstr(out, "</td><td class=\"num\">");
			fmt_count(out, counters_tokens(&m[j].c));
			strbuf_addstr(out, "</td><td class=\"num\">");
			cost_of(out, &m[j].c, d->mode);
			strbuf_addstr(out, "</td><td class=\"num\">");
			money_format_human(out, s->monthly_usd);
			strbuf_addstr(out, "</td><td class=\"num\">");
			strbuf_reset(&value);
			subscription_value_text(&value, s, &m[j], d->mode);
			esc(out, value.buf);   /* "<0.01x" */
			if (!strcmp(m[j].month, current.buf))
				strbuf_addstr(out, " so far");
			strbuf_addstr(out, "</td></tr>");
		}
		free(m);
	}
	strbuf_addstr(out, "</table></section>");
	strbuf_release(&current);
	strbuf_release(&value);
}

/* The latest blocks, newest first: start, requests, tokens, cost. */
static void block_table(struct strbuf *out, const struct report *r,
		const struct export_data *d)
{
	size_t shown = 0;

	if (!r->ngroups)
		return;
	strbuf_addstr(out, "<section><h2>Five-hour blocks</h2><table "
			"id=\"by-block\"><tr><th>Block (UTC start)</th>"
			"<th class=\"num\">Requests</th><th class=\"num\">"
			"Tokens</th><th class=\"num\">Cost</th></tr>");
	for (size_t i = r->ngroups; i-- > 0 && shown < HTML_BLOCKS; shown++) {
		const struct counters *c = &r->groups[i].c;

		strbuf_addstr(out, "<tr><td>");
		esc(out, r->groups[i].key[0]);
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, c->v[RC_REQUESTS]);
		strbuf_addstr(out, "</td><td class=\"num\">");
		fmt_count(out, tokens(c));
		strbuf_addstr(out, "</td><td class=\"num\">");
		cost_of(out, c, d->mode);
		strbuf_addstr(out, "</td></tr>");
	}
	strbuf_addstr(out, "</table></section>");
}

void export_html(struct strbuf *out, const struct export_data *d,
		const struct html_reports *r, const struct entry *recent,
		size_t nrecent)
{
	struct report_spec everything = REPORT_SPEC_INIT;
	struct report all;

	report_init(&all);
	report_from_rollups(d->s, &everything, &all);
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			"<meta charset=\"utf-8\"><meta name=\"viewport\" "
			"content=\"width=device-width\"><title>LLM usage &middot; ");
	esc(out, d->scope_name);
	strbuf_addf(out, "</title><style>%s</style></head><body><main>"
			"<h1>LLM usage</h1><div class=\"sub\">", style);
	esc(out, d->scope_name);
	strbuf_addstr(out, " &middot; ");
	day_key(out, d->first_day);
	strbuf_addstr(out, " to ");
	day_key(out, d->last_day);
	strbuf_addstr(out, " &middot; ");
	strbuf_addstr(out, "generated ");
	time_format_local(out, d->now);
	strbuf_addstr(out, "</div>");
	cards(out, d, &r->total->total, &all.total);
	month_outlook(out, r, d);
	charts(out, r, d);
	strbuf_addstr(out, "<div class=\"two\" style=\"margin-top:16px\">");
	share_table(out, "By provider", "Provider", "by-provider",
			r->by_provider, &r->total->total, d);
	share_table(out, "By model", "Model", "by-model", r->by_model,
			&r->total->total, d);
	strbuf_addstr(out, "</div>");
	/* Projects, where entries have them (imports tag their directory). */
	if (r->by_project->ngroups > 1 || (r->by_project->ngroups == 1 &&
			*r->by_project->groups[0].key[0]))
		share_table(out, "By project", "Project", "by-project",
				r->by_project, &r->total->total, d);
	block_table(out, r->by_block, d);
	subscriptions(out, r, d);
	budgets(out, d);
	recent_entries(out, recent, nrecent, d);
	strbuf_addstr(out, "<footer>tally " TALLY_VERSION " &middot; billed: "
			"reported by the provider; ~: estimated from a price "
			"table; unpriced usage is counted apart, never as "
			"$0.</footer></main></body></html>\n");
	report_release(&all);
}
