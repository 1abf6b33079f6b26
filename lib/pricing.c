#include "pricing.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"
#include "jsonscan.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

/* Largest rate accepted: $1,000,000 per million tokens. */
#define RATE_MAX (1000000LL * NANO_PER_USD)
#define MS_PER_DAY_P 86400000LL

/*
 * The last few resolutions: an import or a report prices thousands of
 * entries of a handful of models, each resolved once a day.
 */
#define MEMO_SIZE 16

struct price_memo {
	struct memo_item {
		char provider[32], model[128];
		int32_t day;
		int found, used;
		struct price_match m;
	} items[MEMO_SIZE];
	unsigned next;
};

/* The configuration's names of the rates (pricing.models.N.<name>). */
static const char *const rate_names[PR__COUNT] = {
	"input", "output", "cache_read", "cache_write", "cache_write_1h",
};

const char *price_source_name(enum price_source s)
{
	static const char *const names[] = { "config", "built-in", "fetched",
		"fallback" };

	return names[s];
}

static struct price *add_price(struct price_table *t)
{
	struct price *p;

	if (t->nr == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 64;
		t->items = xrealloc(t->items, t->alloc * sizeof(*t->items));
	}
	p = &t->items[t->nr++];
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < PR__COUNT; i++)
		p->rate[i] = p->above[i] = -1;
	p->since = INT32_MIN;
	return p;
}

static int32_t day_of_date(const char *s)
{
	int32_t day;

	return time_parse_day(s, &day) ? INT32_MIN : day;
}

static int parse_rate(const char *text, int64_t *out)
{
	if (!text || !*text) {
		*out = -1;
		return 0;
	}
	/* USD per million tokens into nano-USD per million tokens. */
	return decimal_parse(text, strlen(text), 9, RATE_MAX, out) || *out < 0 ?
		-1 : 0;
}

/* ---- the built-in table ---- */

static void load_builtin(struct price_table *t)
{
	for (const struct builtin_price *b = builtin_prices; b->model; b++) {
		struct price *p = add_price(t);
		struct strbuf id = STRBUF_INIT;

		strbuf_addf(&id, "%s/%s@%s", b->provider, b->model, b->since);
		p->id = mempool_strdup(&t->pool, id.buf);
		strbuf_release(&id);
		p->provider = b->provider;
		p->model = b->model;
		p->match = b->match;
		p->since = day_of_date(b->since);
		p->source = PS_BUILTIN;
		for (int i = 0; i < PR__COUNT; i++) {
			if (parse_rate(b->rate[i], &p->rate[i]))
				BUG("bad built-in price for %s", b->model);
			if (b->above && parse_rate(b->above->rate[i],
					&p->above[i]))
				BUG("bad built-in tier price for %s", b->model);
		}
		p->has_tier = b->above != NULL;
		p->tier_tokens = b->above ? b->above->tokens : 0;
	}
}

/* ---- pricing.models in the configuration ---- */

static int load_config(struct price_table *t, const struct config *cfg,
		struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	int ret = 0;

	for (int i = 0; !ret; i++) {
		const char *model;
		struct price *p;

		strbuf_reset(&key);
		strbuf_addf(&key, "pricing.models.%d.model", i);
		if (!(model = config_get(cfg, key.buf)))
			break;
		p = add_price(t);
		p->model = model;
		p->source = PS_CONFIG;
		strbuf_reset(&key);
		strbuf_addf(&key, "pricing.models.%d.provider", i);
		p->provider = config_get(cfg, key.buf);
		strbuf_reset(&key);
		strbuf_addf(&key, "config:%s", model);
		p->id = mempool_strdup(&t->pool, key.buf);
		for (int r = 0; r < PR__COUNT; r++) {
			strbuf_reset(&key);
			strbuf_addf(&key, "pricing.models.%d.%s", i,
					rate_names[r]);
			p->rate[r] = config_find(cfg, key.buf) ?
				config_get_money(cfg, key.buf, -1) : -1;
		}
		if (p->rate[PR_INPUT] < 0 || p->rate[PR_OUTPUT] < 0)
			ret = fail(err, T_ECONFIG, "pricing.models.%d (%s): "
					"input and output prices are required",
					i, model);
	}
	strbuf_release(&key);
	return ret;
}

/* ---- the fetched table ---- */

void pricing_cache_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		path_join(out, xdg, "tally/prices.tsv");
	else {
		path_join(out, home && *home ? home : "/", ".cache");
		strbuf_addstr(out, "/tally/prices.tsv");
	}
}

static char *next_field(char **p)
{
	char *s = *p, *tab;

	if (!s)
		return NULL;
	tab = strchr(s, '\t');
	if (tab) {
		*tab = '\0';
		*p = tab + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static int parse_int_field(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s)
		return -1;
	if (!strcmp(s, "-")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > RATE_MAX)
		return -1;
	*out = v;
	return 0;
}

/*
 * One row: key, provider, then input..cache_write_1h, then the tier, then
 * (format 2) the input tokens the tier starts above.
 */
static int parse_fetched_row(struct price_table *t, char *line, int format)
{
	char *p = line, *key = next_field(&p), *provider = next_field(&p);
	struct price *pr;
	int64_t v[2 * PR__COUNT + 1];
	struct strbuf id = STRBUF_INIT;

	if (!key || !*key || !provider)
		return -1;
	v[2 * PR__COUNT] = PRICE_TIER_TOKENS;
	for (int i = 0; i < 2 * PR__COUNT + (format >= 2); i++)
		if (parse_int_field(next_field(&p), &v[i]))
			return -1;
	if (v[PR_INPUT] < 0 || v[PR_OUTPUT] < 0)
		return -1;
	pr = add_price(t);
	pr->model = mempool_strdup(&t->pool, key);
	pr->provider = *provider ? mempool_strdup(&t->pool, provider) : NULL;
	pr->source = PS_FETCHED;
	pr->since = (int32_t)(t->fetched_at / MS_PER_DAY_P);
	strbuf_addf(&id, "fetched:%s@", key);
	{
		int64_t y;
		int m, d;

		civil_from_days(pr->since, &y, &m, &d);
		strbuf_addf(&id, "%04lld-%02d-%02d", (long long)y, m, d);
	}
	pr->id = mempool_strdup(&t->pool, id.buf);
	strbuf_release(&id);
	for (int i = 0; i < PR__COUNT; i++) {
		pr->rate[i] = v[i];
		pr->above[i] = v[PR__COUNT + i];
		if (v[PR__COUNT + i] >= 0)
			pr->has_tier = 1;
	}
	pr->tier_tokens = v[2 * PR__COUNT] > 0 ? v[2 * PR__COUNT] :
		PRICE_TIER_TOKENS;
	return 0;
}

static void load_fetched(struct price_table *t)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	char *line, *next;
	int lineno = 0, format = 1;

	pricing_cache_path(&path);
	if (strbuf_read_file(&text, path.buf) < 0) {
		if (errno != ENOENT)
			warning("cannot read %s: %s; fetched prices left out",
					path.buf, strerror(errno));
		strbuf_release(&path);
		return;
	}
	t->fetched_path = mempool_strdup(&t->pool, path.buf);
	for (line = text.buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			char *f = strstr(line, "\tfetched="), *from;

			if ((strncmp(line, "# tally prices 1\t", 17) &&
			     strncmp(line, "# tally prices 2\t", 17)) || !f) {
				warning("%s is not a tally price table; "
						"left out", path.buf);
				break;
			}
			format = line[15] - '0';
			t->fetched_at = strtoll(f + 9, NULL, 10);
			if ((from = strstr(line, "\tfrom=")))
				t->fetched_from = mempool_strdup(&t->pool,
						from + 6);
			continue;
		}
		if (*line && parse_fetched_row(t, line, format))
			warning("%s:%d: not a price row; left out", path.buf,
					lineno);
	}
	strbuf_release(&text);
	strbuf_release(&path);
}

int pricing_load(struct price_table *t, const struct config *cfg,
		struct strbuf *err)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->memo = xcalloc(1, sizeof(*t->memo));
	if (cfg && load_config(t, cfg, err))
		return T_ECONFIG;
	load_builtin(t);
	load_fetched(t);
	return 0;
}

void pricing_release(struct price_table *t)
{
	free(t->items);
	free(t->memo);
	mempool_release(&t->pool);
	memset(t, 0, sizeof(*t));
}

/* ---- matching ---- */

static int glob_list_matches(const char *globs, const char *name)
{
	char pat[128];

	while (globs && *globs) {
		size_t n = strcspn(globs, " ");

		if (n && n < sizeof(pat)) {
			memcpy(pat, globs, n);
			pat[n] = '\0';
			if (!fnmatch(pat, name, 0))
				return 1;
		}
		globs += n;
		while (*globs == ' ')
			globs++;
	}
	return 0;
}

static int price_matches(const struct price *p, const char *name)
{
	if (p->source == PS_CONFIG || strpbrk(p->model, "*?["))
		return !fnmatch(p->model, name, 0);
	return !strcmp(p->model, name) || glob_list_matches(p->match, name);
}

/* Whether row p prices name for provider (a configured row may name one). */
static int row_applies(const struct price *p, const char *provider,
		const char *name)
{
	if (p->source == PS_CONFIG && p->provider && provider &&
	    strcmp(p->provider, provider))
		return 0;
	return price_matches(p, name);
}

/* "-20250514", "-2025-04-14" or "-latest" at the end: its length, or 0. */
static size_t version_suffix(const char *s)
{
	size_t n = strlen(s), i;

	if (n > 7 && !strcmp(s + n - 7, "-latest"))
		return 7;
	if (n > 9 && s[n - 9] == '-') {
		for (i = n - 8; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == n && s[n - 8] == '2')
			return 9;
	}
	if (n > 11 && s[n - 11] == '-' && s[n - 6] == '-' && s[n - 3] == '-' &&
	    s[n - 10] == '2')
		return 11;
	return 0;
}

/*
 * The best row for one spelling of the name: among the matches of the
 * sources asked together, the latest since on or before day; a fetched
 * row dated later is used only when nothing else matches.
 */
static const struct price *best_row(const struct price_table *t,
		const char *provider, const char *name, int32_t day,
		int config_only)
{
	const struct price *best = NULL, *late = NULL;

	for (size_t i = 0; i < t->nr; i++) {
		const struct price *p = &t->items[i];

		if ((p->source == PS_CONFIG) != config_only ||
		    !row_applies(p, provider, name))
			continue;
		if (p->since > day) {
			if (p->source == PS_FETCHED)
				late = p;
			continue;
		}
		if (!best || p->since > best->since ||
		    (p->since == best->since && provider && p->provider &&
		     !strcmp(p->provider, provider)))
			best = p;
	}
	return best ? best : late;
}

struct spelling {
	char name[256];
	const char *how;
};

#define SPELLINGS_MAX 8

/*
 * A cloud's id of a vendor's model, reduced to the vendor's name: Amazon
 * Bedrock's "us.anthropic.claude-sonnet-4-20250514-v1:0" (a region, the
 * vendor, a "-v1:0" version) and Google Vertex's "claude-sonnet-4@20250514"
 * are "claude-sonnet-4-20250514". Returns 0 when name is no such id.
 */
static int cloud_name(const char *name, char *out, size_t size)
{
	static const char *const regions[] = { "us.", "eu.", "apac.", "jp.",
		"au.", "ca.", "us-gov.", "global.", NULL };
	static const char *const vendors[] = { "anthropic.", "meta.",
		"amazon.", "mistral.", "deepseek.", "openai.", NULL };
	const char *p = name, *at;
	size_t n;

	for (const char *const *r = regions; *r; r++)
		if (!strncmp(p, *r, strlen(*r))) {
			p += strlen(*r);
			break;
		}
	for (const char *const *v = vendors; *v; v++)
		if (!strncmp(p, *v, strlen(*v))) {
			p += strlen(*v);
			break;
		}
	n = strlen(p);
	if ((at = strchr(p, '@'))) {
		/* Vertex: "<model>@<YYYYMMDD>" is the dated model. */
		n = (size_t)(at - p);
		if (strspn(at + 1, "0123456789") == 8 && !at[9]) {
			snprintf(out, size, "%.*s-%s", (int)n, p, at + 1);
			return 1;
		}
	} else {
		/* Bedrock: a "-v<N>" or "-v<N>:<M>" version at the end. */
		const char *v = strrchr(p, '-');

		if (v && v[1] == 'v' && isdigit((unsigned char)v[2]) &&
		    strspn(v + 2, "0123456789:") == strlen(v + 2))
			n = (size_t)(v - p);
	}
	if (p == name && n == strlen(name))
		return 0;
	snprintf(out, size, "%.*s", (int)n, p);
	return 1;
}

static void copy_name(char *dst, const char *src, size_t len)
{
	if (len > 255)
		len = 255;
	memmove(dst, src, len);
	dst[len] = '\0';
}

/* The names to try, in order: as given, without prefix, without suffix. */
static size_t spellings(const char *model, struct spelling *out)
{
	size_t n = 0, len, cut;
	const char *slash = strrchr(model, '/');

	snprintf(out[n].name, sizeof(out[n].name), "%s", model);
	for (char *c = out[n].name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	out[n++].how = "by its name";
	if (slash && slash[1]) {
		const char *tail = out[0].name + (slash + 1 - model);

		copy_name(out[n].name, tail, strlen(tail));
		out[n++].how = "without its provider prefix";
	}
	if (cloud_name(out[n - 1].name, out[n].name, sizeof(out[n].name)))
		out[n++].how = "as the model of a cloud's id";
	len = n;
	for (size_t i = 0; i < len; i++) {
		if (!(cut = version_suffix(out[i].name)))
			continue;
		copy_name(out[n].name, out[i].name, strlen(out[i].name) - cut);
		out[n++].how = i ? "without its prefix and version suffix" :
			"without its version suffix";
	}
	return n;
}

static int fallback(const struct price_table *t, const char *provider,
		struct price_match *m)
{
	struct strbuf key = STRBUF_INIT;
	struct price *p = &m->fallback;
	int64_t in, out;

	if (!t->cfg || !provider)
		return 0;
	strbuf_addf(&key, "pricing.fallback.%s.input", provider);
	in = config_find(t->cfg, key.buf) ?
		config_get_money(t->cfg, key.buf, -1) : -1;
	strbuf_reset(&key);
	strbuf_addf(&key, "pricing.fallback.%s.output", provider);
	out = config_find(t->cfg, key.buf) ?
		config_get_money(t->cfg, key.buf, -1) : -1;
	strbuf_release(&key);
	if (in < 0 || out < 0 || in > RATE_MAX / 1000 || out > RATE_MAX / 1000)
		return 0;
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < PR__COUNT; i++)
		p->rate[i] = p->above[i] = -1;
	/* Per 1k tokens in the configuration, per million here. */
	p->rate[PR_INPUT] = in * 1000;
	p->rate[PR_OUTPUT] = out * 1000;
	p->source = PS_FALLBACK;
	p->provider = provider;
	p->model = "*";
	snprintf(m->fallback_id, sizeof(m->fallback_id), "fallback:%.80s",
			provider);
	p->id = m->fallback_id;
	m->price = p;
	snprintf(m->why, sizeof(m->why), "no price for the model; the "
			"fallback of provider %.40s (pricing.fallback.%.40s)",
			provider, provider);
	return 1;
}

static struct memo_item *memo_find(const struct price_table *t,
		const char *provider, const char *model, int32_t day)
{
	for (int i = 0; t->memo && i < MEMO_SIZE; i++) {
		struct memo_item *it = &t->memo->items[i];

		if (it->used && it->day == day && !strcmp(it->model, model) &&
		    !strcmp(it->provider, provider ? provider : ""))
			return it;
	}
	return NULL;
}

static void memo_copy(struct price_match *dst, const struct price_match *src)
{
	*dst = *src;
	if (src->price == &src->fallback) {
		dst->price = &dst->fallback;
		dst->fallback.id = dst->fallback_id;
	}
}

static int memo_store(const struct price_table *t, const char *provider,
		const char *model, int32_t day, int found,
		const struct price_match *m)
{
	struct memo_item *it;

	if (!t->memo || strlen(model) >= sizeof(it->model) ||
	    (provider && strlen(provider) >= sizeof(it->provider)))
		return found;
	it = &t->memo->items[t->memo->next++ % MEMO_SIZE];
	snprintf(it->provider, sizeof(it->provider), "%s",
			provider ? provider : "");
	snprintf(it->model, sizeof(it->model), "%s", model);
	it->day = day;
	it->found = found;
	it->used = 1;
	memo_copy(&it->m, m);
	return found;
}

static int resolve(const struct price_table *t, const char *provider,
		const char *model, int32_t day, struct price_match *m);

int pricing_resolve(const struct price_table *t, const char *provider,
		const char *model, int64_t at, struct price_match *m)
{
	int32_t day = (int32_t)((at >= 0 ? at : 0) / MS_PER_DAY_P);
	struct memo_item *hit;

	if (model && (hit = memo_find(t, provider, model, day))) {
		memo_copy(m, &hit->m);
		return hit->found;
	}
	return memo_store(t, provider, model ? model : "", day,
			resolve(t, provider, model, day, m), m);
}

static const char *source_text(enum price_source s)
{
	return s == PS_CONFIG ? "pricing.models in the configuration" :
		s == PS_FETCHED ? "the fetched price table" :
		"the built-in price table";
}

/* The row of a name with the earliest since, in any source. */
static const struct price *earliest_row(const struct price_table *t,
		const char *provider, const char *name)
{
	const struct price *first = NULL;

	for (size_t i = 0; i < t->nr; i++) {
		const struct price *p = &t->items[i];

		if (row_applies(p, provider, name) &&
		    (!first || p->since < first->since))
			first = p;
	}
	return first;
}

/*
 * A model the tables know, asked about for a day before its first price:
 * say so, rather than that nobody knows it.
 */
static int too_early(const struct price_table *t, const char *provider,
		const struct spelling *names, size_t n, struct price_match *m)
{
	for (size_t i = 0; i < n; i++) {
		const struct price *p = earliest_row(t, provider, names[i].name);
		int64_t y;
		int mo, d;

		if (!p)
			continue;
		civil_from_days(p->since, &y, &mo, &d);
		snprintf(m->why, sizeof(m->why), "'%.80s' has no price before "
				"%04lld-%02d-%02d, the first in %s",
				names[i].name, (long long)y, mo, d,
				source_text(p->source));
		return 1;
	}
	return 0;
}

static int resolve(const struct price_table *t, const char *provider,
		const char *model, int32_t day, struct price_match *m)
{
	struct spelling names[SPELLINGS_MAX];
	size_t n;

	memset(m, 0, sizeof(*m));
	if (!model || !*model) {
		snprintf(m->why, sizeof(m->why), "no model name");
		return 0;
	}
	n = spellings(model, names);
	for (int config = 1; config >= 0; config--) {
		for (size_t i = 0; i < n; i++) {
			const struct price *p = best_row(t, provider,
					names[i].name, day, config);

			if (!p)
				continue;
			m->price = p;
			snprintf(m->why, sizeof(m->why), "%s '%.80s' matched %s",
					names[i].how, names[i].name,
					source_text(p->source));
			return 1;
		}
	}
	if (fallback(t, provider, m))
		return 1;
	if (!too_early(t, provider, names, n, m))
		snprintf(m->why, sizeof(m->why), "no price table knows "
				"'%.80s'%s", model, provider ? "" :
				" and no provider was given");
	return 0;
}

/* ---- cost ---- */

static int64_t rate_or(const struct price *p, int tier, enum price_rate r,
		int64_t def)
{
	int64_t v = tier && p->above[r] >= 0 ? p->above[r] : p->rate[r];

	return v >= 0 ? v : def;
}

int pricing_cost(const struct price *p, const struct entry *e, int64_t *nano)
{
	int64_t in = entry_get_int(e, EF_BILLED_INPUT_TOKENS);
	int64_t out = entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	int64_t cr = entry_get_int(e, EF_CACHE_READ_TOKENS);
	int64_t cw = entry_get_int(e, EF_CACHE_WRITE_TOKENS);
	int64_t cw1h = entry_get_int(e, EF_CACHE_WRITE_1H_TOKENS);
	int tier = p->has_tier && in > p->tier_tokens;
	int64_t r_in = rate_or(p, tier, PR_INPUT, -1);
	int64_t r_out = rate_or(p, tier, PR_OUTPUT, -1);
	int anthropic = p->provider && !strcmp(p->provider, "anthropic");
	__int128 sum;

	if (r_in < 0 || r_out < 0)
		return -1;
	if (cw1h > cw)
		cw1h = cw;
	if (cr + cw > in)
		return -1;
	/*
	 * A cache price the table lacks: Anthropic's published multipliers
	 * where they apply, else the plain input price (no discount assumed).
	 */
	sum = (__int128)(in - cr - cw) * r_in +
	      (__int128)cr * rate_or(p, tier, PR_CACHE_READ,
			      anthropic ? r_in / 10 : r_in) +
	      (__int128)(cw - cw1h) * rate_or(p, tier, PR_CACHE_WRITE,
			      anthropic ? r_in * 5 / 4 : r_in) +
	      (__int128)cw1h * rate_or(p, tier, PR_CACHE_WRITE_1H,
			      anthropic ? r_in * 2 : rate_or(p, tier,
				      PR_CACHE_WRITE, r_in)) +
	      (__int128)out * r_out;
	sum = (sum + 500000) / 1000000;
	if (sum > MONEY_MAX_NANO)
		return -1;
	*nano = (int64_t)sum;
	return 0;
}

/*
 * Server-side web search, billed per search on top of the tokens: $10
 * per 1,000 at Anthropic (usage.server_tool_use.web_search_requests,
 * since the tool came out on 2025-05-07) and at OpenAI (each
 * web_search_call of a response). -1 where tally knows no such fee.
 */
int64_t pricing_web_search_fee(const char *provider, int64_t when)
{
	if (!provider)
		return -1;
	if (!strcmp(provider, "anthropic"))
		return when >= 1746576000000LL ? 10000000 : -1;
	if (!strcmp(provider, "openai"))
		return 10000000;
	return -1;
}

int pricing_estimate_entry(const struct price_table *t, struct entry *e)
{
	struct price_match m;
	int64_t cost, searches = entry_get_int(e, EF_WEB_SEARCHES), fees = 0;

	if (entry_has(e, EF_ESTIMATED_COST_USD) ||
	    (!entry_has(e, EF_BILLED_INPUT_TOKENS) &&
	     !entry_has(e, EF_BILLED_OUTPUT_TOKENS)))
		return 0;
	/*
	 * Audio tokens cost several times text tokens and the table has no
	 * audio rates: priced as text they would be 4 to 16 times too cheap,
	 * so such a request stays unpriced instead.
	 */
	if (entry_get_int(e, EF_AUDIO_TOKENS) > 0)
		return 0;
	if (!pricing_resolve(t, e->provider_id, e->model_id, entry_time(e), &m))
		return 0;
	if (pricing_cost(m.price, e, &cost))
		return 0;
	if (searches > 0) {
		int64_t fee = pricing_web_search_fee(e->provider_id,
				entry_time(e));

		/* A fee tally cannot price leaves the whole request unpriced. */
		if (fee < 0 || searches > MONEY_MAX_NANO / fee ||
		    cost > MONEY_MAX_NANO - searches * fee)
			return 0;
		fees = searches * fee;
		entry_set_int(e, EF_TOOL_FEES_USD, fees);
	}
	entry_set_int(e, EF_ESTIMATED_COST_USD, cost + fees);
	entry_set_str(e, EF_PRICE_ID, m.price->id);
	return 1;
}

/* ---- LiteLLM's model_prices_and_context_window.json ---- */

struct litellm_row {
	struct js_span provider, mode;
	int64_t rate[PR__COUNT], above[PR__COUNT];
	int64_t tier_tokens;
};

static const struct {
	const char *key;
	enum price_rate rate;
	int above;
} litellm_fields[] = {
	{ "input_cost_per_token", PR_INPUT, 0 },
	{ "output_cost_per_token", PR_OUTPUT, 0 },
	{ "cache_read_input_token_cost", PR_CACHE_READ, 0 },
	{ "cache_creation_input_token_cost", PR_CACHE_WRITE, 0 },
	{ "cache_creation_input_token_cost_above_1hr", PR_CACHE_WRITE_1H, 0 },
	/* With a tier, "<key>_above_<N>k_tokens" (200k, 272k...). */
	{ "input_cost_per_token", PR_INPUT, 1 },
	{ "output_cost_per_token", PR_OUTPUT, 1 },
	{ "cache_read_input_token_cost", PR_CACHE_READ, 1 },
	{ "cache_creation_input_token_cost", PR_CACHE_WRITE, 1 },
};

/*
 * Whether key is field f: the key itself, or for a tier field the key
 * followed by "_above_<N>k_tokens" (*tokens is then N thousand).
 */
static int litellm_key_is(const struct js_span *key, size_t f,
		int64_t *tokens)
{
	const char *name = litellm_fields[f].key, *p, *end;
	size_t n = strlen(name);
	int64_t k = 0;

	if (!litellm_fields[f].above)
		return js_key_is(key, name);
	if (key->escaped || key->len <= n + 7 || memcmp(key->p, name, n) ||
	    memcmp(key->p + n, "_above_", 7))
		return 0;
	p = key->p + n + 7;
	end = key->p + key->len;
	while (p < end && *p >= '0' && *p <= '9' && k < 100000000)
		k = k * 10 + (*p++ - '0');
	if (!k || end - p != 8 || memcmp(p, "k_tokens", 8))
		return 0;
	*tokens = k * 1000;
	return 1;
}

/* One model's object; 1 when it is a priced chat model, 0 when not. */
static int litellm_model(struct jscan *s, struct litellm_row *row)
{
	struct js_span key, num;
	int r;

	memset(row, 0, sizeof(*row));
	for (int i = 0; i < PR__COUNT; i++)
		row->rate[i] = row->above[i] = -1;
	row->tier_tokens = 0;
	if ((r = js_object_or_skip(s)) <= 0)
		return r;
	while ((r = js_member(s, &key)) > 0) {
		size_t f, nf = sizeof(litellm_fields) / sizeof(litellm_fields[0]);
		int64_t v, tokens = 0;

		if (js_key_is(&key, "litellm_provider") &&
		    js_peek(s) == JS_STRING) {
			if (js_string(s, &row->provider) < 0)
				return -1;
			continue;
		}
		if (js_key_is(&key, "mode") && js_peek(s) == JS_STRING) {
			if (js_string(s, &row->mode) < 0)
				return -1;
			continue;
		}
		for (f = 0; f < nf; f++)
			if (litellm_key_is(&key, f, &tokens))
				break;
		if (f == nf || js_peek(s) != JS_NUMBER) {
			if (js_skip(s) < 0)
				return -1;
			continue;
		}
		if (js_number(s, &num) < 0)
			return -1;
		/* USD per token into nano-USD per million tokens. */
		if (decimal_parse(num.p, num.len, 15, RATE_MAX, &v) || v < 0)
			continue;
		/* Of several tiers, the first one above the base price. */
		if (litellm_fields[f].above && (!row->tier_tokens ||
				tokens < row->tier_tokens)) {
			for (int i = 0; i < PR__COUNT; i++)
				row->above[i] = -1;
			row->tier_tokens = tokens;
		}
		if (litellm_fields[f].above) {
			if (tokens == row->tier_tokens)
				row->above[litellm_fields[f].rate] = v;
		} else
			row->rate[litellm_fields[f].rate] = v;
	}
	if (r < 0)
		return -1;
	if (row->rate[PR_INPUT] < 0 || row->rate[PR_OUTPUT] < 0)
		return 0;
	return !row->mode.len || (row->mode.len == 4 &&
			!memcmp(row->mode.p, "chat", 4)) ||
		(row->mode.len == 10 && !memcmp(row->mode.p, "completion", 10));
}

static void tsv_int(struct strbuf *out, int64_t v)
{
	if (v < 0)
		strbuf_addstr(out, "\t-");
	else
		strbuf_addf(out, "\t%lld", (long long)v);
}

/* A map of LiteLLM provider names onto tally's provider ids. */
static void provider_id(struct strbuf *out, const struct js_span *p)
{
	static const char *const map[][2] = {
		{ "gemini", "gemini" }, { "vertex_ai-language-models", "gemini" },
		{ "text-completion-openai", "openai" }, { "xai", "xai" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (p->len == strlen(map[i][0]) &&
		    !memcmp(p->p, map[i][0], p->len)) {
			strbuf_addstr(out, map[i][1]);
			return;
		}
	for (size_t i = 0; i < p->len; i++)
		if (p->p[i] != '\t' && p->p[i] != '\n')
			strbuf_addch(out, p->p[i]);
}

int pricing_from_litellm(const char *json, size_t len, const char *from,
		int64_t now, struct strbuf *out, struct strbuf *err)
{
	struct mempool pool = MEMPOOL_INIT;
	struct jscan s;
	struct js_span key;
	struct litellm_row row;
	int r, n = 0;

	js_init(&s, json, len);
	if (js_object_begin(&s) < 0) {
		strbuf_addf(err, "not a LiteLLM price table: %s", s.error);
		return -1;
	}
	strbuf_addf(out, "# tally prices 2\tfetched=%lld\tfrom=",
			(long long)now);
	for (const char *c = from; *c; c++)
		if (*c != '\t' && *c != '\n')
			strbuf_addch(out, *c);
	strbuf_addch(out, '\n');
	while ((r = js_member(&s, &key)) > 0) {
		char *name;
		int ok;

		if (js_key_is(&key, "sample_spec")) {
			if (js_skip(&s) < 0) {
				r = -1;
				break;
			}
			continue;
		}
		if ((ok = litellm_model(&s, &row)) < 0) {
			r = -1;
			break;
		}
		name = js_unescape(&key, &pool);
		if (!ok || !name || strpbrk(name, "\t\n") || !*name)
			continue;
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		strbuf_addf(out, "%s\t", name);
		provider_id(out, &row.provider);
		for (int i = 0; i < PR__COUNT; i++)
			tsv_int(out, row.rate[i]);
		for (int i = 0; i < PR__COUNT; i++)
			tsv_int(out, row.above[i]);
		tsv_int(out, row.tier_tokens ? row.tier_tokens :
				PRICE_TIER_TOKENS);
		strbuf_addch(out, '\n');
		n++;
		mempool_reset(&pool);
	}
	mempool_release(&pool);
	if (r < 0 || !js_at_end(&s)) {
		strbuf_addf(err, "not a LiteLLM price table: %s",
				r < 0 && s.error ? s.error : "trailing text");
		return -1;
	}
	if (!n) {
		strbuf_addstr(err, "the table holds no priced chat model");
		return -1;
	}
	return n;
}

/* ---- comparing fetched tables ---- */

struct tsv_line {
	const char *name, *rest;
	size_t n, rlen;
};

/* The rows of a fetched table (comments left out), sorted by name. */
static size_t tsv_rows(const char *tsv, struct tsv_line **out)
{
	size_t nr = 0, alloc = 0;

	*out = NULL;
	for (const char *p = tsv; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t n = strcspn(p, "\t\n");

		if (*p != '#' && n < len) {
			ALLOC_GROW(*out, nr + 1, alloc);
			(*out)[nr++] = (struct tsv_line){ p, p + n, n, len - n };
		}
		p = nl ? nl + 1 : NULL;
	}
	return nr;
}

static int cmp_span(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

static int by_name(const void *a, const void *b)
{
	const struct tsv_line *x = a, *y = b;

	return cmp_span(x->name, x->n, y->name, y->n);
}

void pricing_diff(const char *old_tsv, const char *new_tsv,
		struct price_diff *d)
{
	struct tsv_line *o, *n;
	size_t no = tsv_rows(old_tsv, &o), nn = tsv_rows(new_tsv, &n);
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	if (no)
		qsort(o, no, sizeof(*o), by_name);
	if (nn)
		qsort(n, nn, sizeof(*n), by_name);
	while (i < no || j < nn) {
		int c = i == no ? 1 : j == nn ? -1 :
			cmp_span(o[i].name, o[i].n, n[j].name, n[j].n);

		if (c < 0) {
			d->removed++;
			i++;
		} else if (c > 0) {
			d->added++;
			j++;
		} else if (cmp_span(o[i].rest, o[i].rlen, n[j].rest,
				n[j].rlen)) {
			if (d->changed < PRICE_DIFF_NAMES)
				d->changed_names[d->changed] =
					xstrndup(n[j].name, n[j].n);
			d->changed++;
			i++, j++;
		} else {
			d->kept++;
			i++, j++;
		}
	}
	free(o);
	free(n);
}

void price_diff_release(struct price_diff *d)
{
	for (size_t i = 0; i < PRICE_DIFF_NAMES; i++)
		free(d->changed_names[i]);
	memset(d, 0, sizeof(*d));
}
