/*
 * tally pricing check: the models of the ledger that have no price, and
 * how much usage each carries, so that a missing price is found before
 * the totals it leaves out matter.
 */
#include "tally.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/jsonw.h"
#include "../lib/pricing.h"
#include "../lib/report.h"
#include "../lib/table.h"
#include "../lib/banned.h"

struct unpriced_model {
	char *provider, *model;
	int64_t requests, input, output, latest;
	int64_t audio;		/* of the requests, those with audio tokens */
};

struct check {
	struct unpriced_model *v;
	size_t n, alloc;
};

static struct unpriced_model *model_of(struct check *c, const char *provider,
		const char *model)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].provider, provider) &&
		    !strcmp(c->v[i].model, model))
			return &c->v[i];
	ALLOC_GROW(c->v, c->n + 1, c->alloc);
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	c->v[c->n].provider = xstrdup(provider);
	c->v[c->n].model = xstrdup(model);
	return &c->v[c->n++];
}

static int note_entry(const struct entry *e, void *data)
{
	struct unpriced_model *m;
	int64_t nano;

	if (!entry_is_usage(e) ||
	    entry_cost(e, COST_MODE_AUTO, &nano) != COST_UNPRICED)
		return 0;
	m = model_of(data, e->provider_id ? e->provider_id : "",
			e->model_id ? e->model_id : "");
	m->requests++;
	m->input += entry_get_int(e, EF_BILLED_INPUT_TOKENS);
	m->output += entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	if (entry_get_int(e, EF_AUDIO_TOKENS) > 0)
		m->audio++;
	if (entry_time(e) > m->latest)
		m->latest = entry_time(e);
	return 0;
}

/*
 * Why the model's usage went unpriced: audio tokens stay unpriced even
 * when a table knows the model (they cost several times text tokens and
 * no table here has their rates), so when every such request carries
 * them that is the reason to give, not the table's.
 */
static const char *why_unpriced(const struct unpriced_model *m,
		const struct price_match *pm)
{
	if (m->audio == m->requests)
		return "its requests carry audio tokens, which tally does not "
			"price apart from text";
	return pm->why;
}

static void print_json(const struct check *c, const struct price_table *pt)
{
	struct strbuf out = STRBUF_INIT;
	struct price_match pm;
	struct jsonw w;

	jw_init(&w, &out, JW_PRETTY);
	jw_array_begin(&w);
	for (size_t i = 0; i < c->n; i++) {
		const struct unpriced_model *m = &c->v[i];
		int found = pricing_resolve(pt, *m->provider ? m->provider :
				NULL, m->model, m->latest, &pm);

		jw_object_begin(&w);
		jw_kv_string(&w, "providerId", m->provider);
		jw_kv_string(&w, "modelId", m->model);
		jw_kv_int(&w, "requests", m->requests);
		jw_kv_int(&w, "inputTokens", m->input);
		jw_kv_int(&w, "outputTokens", m->output);
		jw_kv_int(&w, "audioRequests", m->audio);
		if (found)
			jw_kv_string(&w, "pricedNowBy", pm.price->id);
		else
			jw_kv_null(&w, "pricedNowBy");
		jw_kv_string(&w, "why", why_unpriced(m, &pm));
		jw_object_end(&w);
	}
	jw_array_end(&w);
	flush_out(&out);
	strbuf_release(&out);
}

static void print_table(const struct check *c, const struct price_table *pt)
{
	struct strbuf out = STRBUF_INIT, sb = STRBUF_INIT;
	struct price_match pm;
	struct table t;
	int64_t audio = 0;

	table_init(&t, "llrrrl");
	table_head(&t, "PROVIDER", "MODEL", "REQUESTS", "INPUT", "OUTPUT",
			"PRICE NOW", NULL);
	for (size_t i = 0; i < c->n; i++) {
		const struct unpriced_model *m = &c->v[i];

		table_cell_str(&t, *m->provider ? m->provider : "-");
		table_cell_str(&t, *m->model ? m->model : "-");
		strbuf_reset(&sb);
		fmt_count(&sb, m->requests);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		fmt_count(&sb, m->input);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		fmt_count(&sb, m->output);
		table_cell_str(&t, sb.buf);
		audio += m->audio;
		table_cell_str(&t, pricing_resolve(pt, *m->provider ?
				m->provider : NULL, m->model, m->latest, &pm) ?
				pm.price->id : "none");
	}
	table_render(&t, &out, want_colour(STDOUT_FILENO));
	strbuf_addstr(&out, "Usage recorded without a price; where PRICE NOW "
			"names one, the table knows the model now, and new "
			"records of it are priced.\n");
	for (size_t i = 0; audio && i < c->n; i++)
		if (c->v[i].audio)
			strbuf_addf(&out, "%s: audio tokens in %" PRId64
				" request(s) of %" PRId64 "; tally has no "
				"audio prices, so such requests stay "
				"unpriced.\n",
				c->v[i].model, c->v[i].audio,
				c->v[i].requests);
	flush_out(&out);
	table_release(&t);
	strbuf_release(&out);
	strbuf_release(&sb);
}

int pricing_check(const struct tally_ctx *ctx, int json)
{
	struct report_spec spec = REPORT_SPEC_INIT;
	const char *ledger = ctx->scope.ledger_path;
	struct strbuf err = STRBUF_INIT;
	struct check c = { 0 };
	struct price_table pt;
	int ret = pricing_load(&pt, &ctx->cfg, &err);

	if (!ret)
		ret = report_foreach(&ledger, 1, &spec, note_entry, &c, &err);
	if (!ret && json)
		print_json(&c, &pt);
	else if (!ret && c.n)
		print_table(&c, &pt);
	else if (!ret)
		printf("every model in the ledger has a price\n");
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].provider);
		free(c.v[i].model);
	}
	free(c.v);
	if (!ret)
		pricing_release(&pt);
	return ret ? report(ret, &err) : c.n ? EXIT_FAIL : 0;
}
