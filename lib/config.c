#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "error.h"
#include "fsutil.h"
#include "money.h"
#include "pricing.h"
#include "string-list.h"
#include "timeutil.h"
#include "trust.h"
#include "banned.h"

enum config_type { CT_BOOL, CT_INT, CT_MONEY, CT_STRING, CT_ENUM, CT_ZONE,
	CT_INT_OR_MAX, CT_MONEY_OR_MAX };

struct key_desc {
	const char *pattern; /* '*' matches one segment, '#' a list index */
	enum config_type type;
	const char *def;
	const char *choices; /* for CT_ENUM: "a|b|c" */
	int64_t min, max;    /* for CT_INT */
};

#define INT_KEY(k, d, lo, hi) { k, CT_INT, d, NULL, lo, hi }

/* Keep in the order `tally config --list` shows the defaults. */
static const struct key_desc schema[] = {
	{ "enabled", CT_BOOL, "true", NULL, 0, 0 },
	{ "persist_scope", CT_ENUM, "workspace", "workspace|profile", 0, 0 },
	INT_KEY("retention_days", "30", 0, 36500),
	INT_KEY("max_entries", "10000", 0, INT64_MAX),
	INT_KEY("monthly_token_budget", "0", 0, INT64_MAX),
	{ "monthly_cost_budget_usd", CT_MONEY, "0", NULL, 0, 0 },
	{ "block_token_limit", CT_INT_OR_MAX, NULL, NULL, 1, INT64_MAX },
	{ "block_cost_limit_usd", CT_MONEY_OR_MAX, NULL, NULL, 0, 0 },
	INT_KEY("alert_threshold_percent", "80", 1, 100),
	{ "cost_mode", CT_ENUM, "auto", "auto|provider|estimate", 0, 0 },
	{ "timezone", CT_ZONE, "local", NULL, 0, 0 },
	{ "fsync", CT_BOOL, "true", NULL, 0, 0 },
	{ "auto_compact", CT_BOOL, "true", NULL, 0, 0 },
	INT_KEY("lock_timeout_ms", "10000", 0, 3600000),
	INT_KEY("http_timeout_ms", "60000", 100, 3600000),
	INT_KEY("http_max_retries", "4", 0, 20),
	INT_KEY("sync_interval_seconds", "600", 1, 604800),
	INT_KEY("max_sync_window_days", "31", 1, 3660),
	{ "fail_on_missing_provider_usage", CT_BOOL, "true", NULL, 0, 0 },
	{ "device_name", CT_STRING, NULL, NULL, 0, 0 },
	{ "remotes.#", CT_STRING, NULL, NULL, 0, 0 },
	{ "sync_remotes", CT_BOOL, "false", NULL, 0, 0 },
	{ "hooks.budget_alert", CT_STRING, NULL, NULL, 0, 0 },
	{ "providers.*.sync", CT_BOOL, NULL, NULL, 0, 0 },
	{ "providers.*.base_url", CT_STRING, NULL, NULL, 0, 0 },
	{ "providers.*.api_key_command", CT_STRING, NULL, NULL, 0, 0 },
	INT_KEY("providers.*.concurrency", NULL, 1, 64),
	{ "budgets.#.name", CT_STRING, NULL, NULL, 0, 0 },
	{ "budgets.#.period", CT_ENUM, NULL, "session|day|week|month", 0, 0 },
	INT_KEY("budgets.#.tokens", NULL, 0, INT64_MAX),
	{ "budgets.#.usd", CT_MONEY, NULL, NULL, 0, 0 },
	{ "budgets.#.provider", CT_STRING, NULL, NULL, 0, 0 },
	{ "budgets.#.model", CT_STRING, NULL, NULL, 0, 0 },
	{ "budgets.#.tag", CT_STRING, NULL, NULL, 0, 0 },
	INT_KEY("budgets.#.warn_percent", NULL, 1, 100),
	{ "budgets.#.scope", CT_ENUM, NULL, "all|profile|workspace", 0, 0 },
	{ "budgets.#.include_remotes", CT_BOOL, NULL, NULL, 0, 0 },
	{ "subscriptions.#.name", CT_STRING, NULL, NULL, 0, 0 },
	{ "subscriptions.#.monthly_usd", CT_MONEY, NULL, NULL, 0, 0 },
	{ "subscriptions.#.provider", CT_STRING, NULL, NULL, 0, 0 },
	{ "subscriptions.#.agents.#", CT_STRING, NULL, NULL, 0, 0 },
	{ "subscriptions.#.since", CT_STRING, NULL, NULL, 0, 0 },
	{ "pricing.update_url", CT_STRING, PRICING_DEFAULT_URL, NULL, 0, 0 },
	{ "pricing.models.#.model", CT_STRING, NULL, NULL, 0, 0 },
	{ "pricing.models.#.provider", CT_STRING, NULL, NULL, 0, 0 },
	{ "pricing.models.#.input", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.models.#.output", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.models.#.cache_read", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.models.#.cache_write", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.models.#.cache_write_1h", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.fallback.*.input", CT_MONEY, NULL, NULL, 0, 0 },
	{ "pricing.fallback.*.output", CT_MONEY, NULL, NULL, 0, 0 },
};
#define NSCHEMA (sizeof(schema) / sizeof(schema[0]))

/*
 * Settings that run commands, send credentials or change money: from a
 * workspace's .tally.yaml they apply only once the user trusted it
 * (trust.h). A key needs trust when its first segments match a pattern,
 * so a new hook or price setting is covered without touching this list.
 */
static const char *const trust_patterns[] = {
	"hooks",
	"pricing",
	"subscriptions",
	"device_name",
	"remotes",
	"sync_remotes",
	"providers.*.base_url",
	"providers.*.api_key_command",
	NULL,
};

/* ---- keys and patterns ---- */

static int is_index(const char *s, size_t n)
{
	if (!n || n > 6)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Matches the first `segments` segments of pattern against key; returns
 * 1 when each matches and key has exactly that many segments (or, with
 * prefix set, at least that many).
 */
static int match_segments_at(const char *pattern, const char *key,
		int segments, int prefix)
{
	const char *p = pattern, *k = key;

	for (int i = 0; i < segments; i++) {
		size_t pn = strcspn(p, "."), kn = strcspn(k, ".");

		if (!kn || !pn)
			return 0;
		if (!(pn == 1 && *p == '*') &&
		    !(pn == 1 && *p == '#' && is_index(k, kn)) &&
		    !(pn == kn && !strncmp(p, k, pn)))
			return 0;
		p += pn;
		k += kn;
		if (i + 1 < segments) {
			if (*p != '.' || *k != '.')
				return 0;
			p++;
			k++;
		}
	}
	return *k == '\0' || (prefix && *k == '.');
}

static int match_segments(const char *pattern, const char *key, int segments)
{
	return match_segments_at(pattern, key, segments, 0);
}

static int count_segments(const char *s)
{
	int n = 1;

	for (; *s; s++)
		n += *s == '.';
	return n;
}

static const struct key_desc *find_desc(const char *key)
{
	for (size_t i = 0; i < NSCHEMA; i++)
		if (count_segments(schema[i].pattern) == count_segments(key) &&
		    match_segments(schema[i].pattern, key, count_segments(key)))
			return &schema[i];
	return NULL;
}

enum config_kind config_key_kind(const char *key)
{
	const struct key_desc *d = find_desc(key);

	if (!d)
		return CK_STRING;
	switch (d->type) {
	case CT_BOOL:
		return CK_BOOL;
	case CT_INT:
		return CK_INT;
	case CT_MONEY:
		return CK_NUMBER;
	default:
		return CK_STRING;
	}
}

int config_key_known(const char *key)
{
	return find_desc(key) != NULL;
}

int config_key_needs_trust(const char *key)
{
	for (const char *const *p = trust_patterns; *p; p++) {
		int n = count_segments(*p);

		if (count_segments(key) >= n &&
		    match_segments_at(*p, key, n, 1))
			return 1;
	}
	return 0;
}

enum key_kind { KEY_UNKNOWN, KEY_SCALAR, KEY_MAP, KEY_LIST };

/* What a key (or key prefix) is, according to the schema. */
static enum key_kind key_kind(const char *key)
{
	int n = count_segments(key);

	if (find_desc(key))
		return KEY_SCALAR;
	for (size_t i = 0; i < NSCHEMA; i++) {
		const char *p = schema[i].pattern;
		const char *next;

		if (count_segments(p) <= n || !match_segments(p, key, n))
			continue;
		next = p;
		for (int s = 0; s < n; s++)
			next = strchr(next, '.') + 1;
		return *next == '#' ? KEY_LIST : KEY_MAP;
	}
	return KEY_UNKNOWN;
}

/* ---- items ---- */

static struct config_item *find_item(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->items[i].key, key))
			return &c->items[i];
	return NULL;
}

const struct config_item *config_find(const struct config *c, const char *key)
{
	return find_item(c, key);
}

static void set_item(struct config *c, const char *key, const char *value,
		const char *origin)
{
	struct config_item *it = find_item(c, key);

	if (!it) {
		ALLOC_GROW(c->items, c->nr + 1, c->alloc);
		it = &c->items[c->nr++];
		it->key = xstrdup(key);
	} else {
		free(it->value);
		free(it->origin);
	}
	it->value = xstrdup(value);
	it->origin = xstrdup(origin);
}

static void remove_prefix(struct config *c, const char *prefix)
{
	size_t n = strlen(prefix), out = 0;

	for (size_t i = 0; i < c->nr; i++) {
		struct config_item *it = &c->items[i];

		if (!strncmp(it->key, prefix, n) && it->key[n] == '.') {
			free(it->key);
			free(it->value);
			free(it->origin);
			continue;
		}
		c->items[out++] = *it;
	}
	c->nr = out;
}

void config_add_default(struct config *c, const char *key, const char *value)
{
	if (!find_item(c, key))
		set_item(c, key, value, "default");
}

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NSCHEMA; i++)
		if (schema[i].def)
			set_item(c, schema[i].pattern, schema[i].def, "default");
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		free(c->items[i].key);
		free(c->items[i].value);
		free(c->items[i].origin);
	}
	free(c->items);
	for (size_t i = 0; i < c->untrusted.nr; i++)
		free(c->untrusted.keys[i]);
	free(c->untrusted.keys);
	free(c->untrusted.path);
	free(c->refused.path);
	free(c->refused.why);
	free(c->workspace_file);
	memset(c, 0, sizeof(*c));
}

static int is_set_by_user(const struct config *c, const char *key)
{
	const struct config_item *it = config_find(c, key);

	return it && strcmp(it->origin, "default");
}

int config_from_workspace(const struct config *c, const char *key)
{
	const struct config_item *it = config_find(c, key);
	size_t n;

	if (!it || !c->workspace_file || strncmp(it->origin, "file:", 5))
		return 0;
	n = strlen(c->workspace_file);
	return !strncmp(it->origin + 5, c->workspace_file, n) &&
	       it->origin[5 + n] == ':';
}

/* How many items the list key holds: one past its largest index. */
static size_t list_length(const struct config *c, const char *key)
{
	size_t n = strlen(key), len = 0;

	for (size_t i = 0; i < c->nr; i++) {
		const char *k = c->items[i].key;
		char *end;
		unsigned long idx;

		if (strncmp(k, key, n) || k[n] != '.')
			continue;
		idx = strtoul(k + n + 1, &end, 10);
		if (end != k + n + 1 && idx + 1 > len)
			len = idx + 1;
	}
	return len;
}

/*
 * Remembers a setting an untrusted file held, once; a list's items are
 * remembered as the list ("pricing.models", not each of its keys).
 */
static void note_untrusted(struct config *c, const char *key)
{
	struct config_untrusted *u = &c->untrusted;
	size_t n = 0;

	while (key[n]) {
		size_t seg = strcspn(key + n, ".");

		if (n && is_index(key + n, seg)) {
			n--;
			break;
		}
		n += seg + (key[n + seg] == '.');
	}
	for (size_t i = 0; i < u->nr; i++)
		if (strlen(u->keys[i]) == n && !strncmp(u->keys[i], key, n))
			return;
	ALLOC_GROW(u->keys, u->nr + 1, u->alloc);
	u->keys[u->nr++] = xstrndup(key, n);
}

/* ---- values ---- */

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };

	for (int i = 0; yes[i]; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static int parse_int(const char *v, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || !isdigit((unsigned char)v[*v == '-']))
		return -1;
	*out = n;
	return 0;
}

static int in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		size_t len = strcspn(p, "|");

		if (len == n && !strncmp(p, v, n))
			return 1;
		p += len + (p[len] == '|');
	}
	return 0;
}

/*
 * Checks value against d and writes its canonical text to out. Returns 0,
 * or -1 with a description of what was expected in out.
 */
static int canonical_value(const struct key_desc *d, const char *value,
		struct strbuf *out)
{
	int64_t n;
	int b;

	if ((d->type == CT_INT_OR_MAX || d->type == CT_MONEY_OR_MAX) &&
	    !strcmp(value, "max")) {
		strbuf_addstr(out, value);
		return 0;
	}
	switch (d->type) {
	case CT_BOOL:
		if ((b = parse_bool(value)) < 0)
			goto bad;
		strbuf_addstr(out, b ? "true" : "false");
		return 0;
	case CT_INT:
	case CT_INT_OR_MAX:
		if (parse_int(value, &n) || n < d->min || n > d->max)
			goto bad;
		strbuf_addf(out, "%lld", (long long)n);
		return 0;
	case CT_MONEY:
	case CT_MONEY_OR_MAX:
		if (money_parse(value, strlen(value), &n) || n < 0)
			goto bad;
		money_format(out, n);
		return 0;
	case CT_ENUM:
		if (!in_choices(d->choices, value))
			goto bad;
		break;
	case CT_ZONE:
		if (strcmp(value, "local") && !timeutil_zone_exists(value))
			goto bad;
		break;
	case CT_STRING:
		break;
	}
	strbuf_addstr(out, value);
	return 0;
bad:
	switch (d->type) {
	case CT_BOOL:
		strbuf_addstr(out, "true or false");
		break;
	case CT_INT:
		if (d->max == INT64_MAX)
			strbuf_addf(out, "a whole number of at least %lld",
					(long long)d->min);
		else
			strbuf_addf(out, "a whole number from %lld to %lld",
					(long long)d->min, (long long)d->max);
		break;
	case CT_MONEY:
		strbuf_addstr(out, "an amount in USD such as 12.50");
		break;
	case CT_INT_OR_MAX:
		strbuf_addstr(out, "a number of tokens, or max (the largest "
				"past block)");
		break;
	case CT_MONEY_OR_MAX:
		strbuf_addstr(out, "an amount in USD such as 12.50, or max "
				"(the largest past block)");
		break;
	case CT_ENUM:
		strbuf_addf(out, "one of %s", d->choices);
		break;
	case CT_ZONE:
		strbuf_addstr(out, "an IANA time zone such as Europe/Berlin, "
				"or local");
		break;
	default:
		break;
	}
	return -1;
}

/*
 * Validates and stores one scalar; where says "file:line:col". A setting
 * that needs trust, from an untrusted file, is noted and left out.
 */
/* The fixed key (no pattern) nearest key, within two edits, or NULL. */
static const char *nearest_key(const char *key)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++) {
		size_t d;

		if (strpbrk(schema[i].pattern, "*#"))
			continue;
		d = edit_distance(key, schema[i].pattern);
		if (d < best_d) {
			best = schema[i].pattern;
			best_d = d;
		}
	}
	return best;
}

void config_suggest(struct strbuf *out, const char *key)
{
	const char *near = nearest_key(key);

	if (near)
		strbuf_addf(out, "; did you mean '%s'?", near);
}

static int store(struct config *c, const char *key, const char *value,
		const char *where, const char *origin, int untrusted,
		struct strbuf *err)
{
	const struct key_desc *d = find_desc(key);
	struct strbuf canon = STRBUF_INIT;
	int ret = 0;

	if (untrusted && config_key_needs_trust(key)) {
		note_untrusted(c, key);
		return 0;
	}
	if (!d) {
		struct strbuf hint = STRBUF_INIT;

		config_suggest(&hint, key);
		warning("%s: unknown configuration key '%s' (ignored)%s", where,
				key, hint.buf);
		strbuf_release(&hint);
		return 0;
	}
	if (canonical_value(d, value, &canon))
		ret = fail(err, T_ECONFIG, "%s: '%s' expects %s, not '%s'",
				where, key, canon.buf, value);
	else
		set_item(c, key, canon.buf, origin);
	strbuf_release(&canon);
	return ret;
}

/* ---- YAML ---- */

#define YAML_MAX_DEPTH 16
#define YAML_MAX_ITEMS 10000

struct yaml_ctx {
	yaml_parser_t parser;
	struct config *c;
	const char *name;
	struct strbuf *err;
	size_t items;
	int depth;
	int untrusted;  /* leave out the settings that need trust */
};

static void where(struct yaml_ctx *y, const yaml_mark_t *m, struct strbuf *out)
{
	strbuf_addf(out, "%s:%zu:%zu", y->name, m->line + 1, m->column + 1);
}

static int next_event(struct yaml_ctx *y, yaml_event_t *ev)
{
	if (yaml_parser_parse(&y->parser, ev))
		return 0;
	return fail(y->err, T_ECONFIG, "%s:%zu:%zu: invalid YAML: %s", y->name,
			y->parser.problem_mark.line + 1,
			y->parser.problem_mark.column + 1,
			y->parser.problem ? y->parser.problem : "syntax error");
}

static int is_null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int type_error(struct yaml_ctx *y, const yaml_event_t *ev,
		const char *key, const char *expected, const char *got)
{
	struct strbuf w = STRBUF_INIT;

	where(y, &ev->start_mark, &w);
	fail(y->err, T_ECONFIG, "%s: '%s' expects %s, not %s", w.buf, key,
			expected, got);
	strbuf_release(&w);
	return T_ECONFIG;
}

static int parse_node(struct yaml_ctx *y, yaml_event_t *ev, const char *key);

static int on_scalar(struct yaml_ctx *y, yaml_event_t *ev, const char *key)
{
	struct strbuf w = STRBUF_INIT, origin = STRBUF_INIT;
	enum key_kind kind = key_kind(key);
	int ret;

	if (is_null_scalar(ev))
		return 0;
	if (kind == KEY_MAP || kind == KEY_LIST)
		return type_error(y, ev, key, kind == KEY_MAP ? "a mapping" :
				"a list", "a single value");
	if (++y->items > YAML_MAX_ITEMS)
		return fail(y->err, T_ECONFIG, "%s: too many settings", y->name);
	where(y, &ev->start_mark, &w);
	strbuf_addf(&origin, "file:%s:%zu", y->name, ev->start_mark.line + 1);
	ret = store(y->c, key, (const char *)ev->data.scalar.value, w.buf,
			origin.buf, y->untrusted, y->err);
	strbuf_release(&w);
	strbuf_release(&origin);
	return ret;
}

static void child_key(struct strbuf *sb, const char *key, const char *child)
{
	strbuf_reset(sb);
	if (*key)
		strbuf_addf(sb, "%s.", key);
	strbuf_addstr(sb, child);
}

static int on_mapping(struct yaml_ctx *y, yaml_event_t *start, const char *key)
{
	struct strbuf child = STRBUF_INIT;
	enum key_kind kind = *key ? key_kind(key) : KEY_MAP;
	yaml_event_t ev;
	int ret = 0;

	if (kind == KEY_SCALAR || kind == KEY_LIST)
		return type_error(y, start, key, kind == KEY_LIST ? "a list" :
				"a single value", "a mapping");
	for (;;) {
		if ((ret = next_event(y, &ev)))
			break;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			ret = type_error(y, &ev, key, "plain keys",
					"a complex key");
			yaml_event_delete(&ev);
			break;
		}
		child_key(&child, key, (const char *)ev.data.scalar.value);
		yaml_event_delete(&ev);
		if ((ret = next_event(y, &ev)))
			break;
		ret = parse_node(y, &ev, child.buf);
		yaml_event_delete(&ev);
		if (ret)
			break;
	}
	strbuf_release(&child);
	return ret;
}

static int on_sequence(struct yaml_ctx *y, yaml_event_t *start,
		const char *key)
{
	struct strbuf child = STRBUF_INIT;
	enum key_kind kind = key_kind(key);
	yaml_event_t ev;
	size_t first = 0;
	int ret = 0;

	if (kind != KEY_LIST && kind != KEY_UNKNOWN)
		return type_error(y, start, key, kind == KEY_MAP ?
				"a mapping" : "a single value", "a list");
	/*
	 * A list in a later layer replaces the earlier list; an untrusted
	 * file's price list neither replaces nor joins the user's. The
	 * budgets of a workspace file join the user's budgets.
	 */
	if (y->c->in_workspace && !strcmp(key, "budgets"))
		first = list_length(y->c, key);
	else if (!(y->untrusted && config_key_needs_trust(key)))
		remove_prefix(y->c, key);
	for (size_t i = first;; i++) {
		if ((ret = next_event(y, &ev)))
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		strbuf_reset(&child);
		strbuf_addf(&child, "%s.%zu", key, i);
		ret = parse_node(y, &ev, child.buf);
		yaml_event_delete(&ev);
		if (ret)
			break;
	}
	strbuf_release(&child);
	return ret;
}

static int parse_node(struct yaml_ctx *y, yaml_event_t *ev, const char *key)
{
	int ret;

	if (y->depth >= YAML_MAX_DEPTH)
		return type_error(y, ev, key, "less nesting", "this");
	y->depth++;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		ret = on_scalar(y, ev, key);
		break;
	case YAML_MAPPING_START_EVENT:
		ret = on_mapping(y, ev, key);
		break;
	case YAML_SEQUENCE_START_EVENT:
		ret = on_sequence(y, ev, key);
		break;
	case YAML_ALIAS_EVENT:
		ret = type_error(y, ev, *key ? key : "(top level)",
				"a plain value", "an alias (anchors and "
				"aliases are not supported)");
		break;
	default:
		ret = type_error(y, ev, key, "a value", "this");
	}
	y->depth--;
	return ret;
}

static int parse_stream(struct yaml_ctx *y)
{
	yaml_event_t ev;
	int ret, docs = 0;

	for (;;) {
		if ((ret = next_event(y, &ev)))
			return ret;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (docs++) {
				yaml_event_delete(&ev);
				return fail(y->err, T_ECONFIG, "%s: more than "
						"one YAML document", y->name);
			}
			break;
		case YAML_MAPPING_START_EVENT:
			ret = on_mapping(y, &ev, "");
			break;
		case YAML_SCALAR_EVENT:
			if (is_null_scalar(&ev))
				break;
			/* fall through */
		default:
			ret = type_error(y, &ev, "(top level)", "a mapping",
					"this");
		}
		yaml_event_delete(&ev);
		if (ret)
			return ret;
	}
}

static int load_text(struct config *c, const char *name, const char *text,
		size_t len, int untrusted, struct strbuf *err)
{
	struct yaml_ctx y = {
		.c = c, .name = name, .err = err, .untrusted = untrusted,
	};
	int ret;

	/* libyaml reports success as 1. */
	if (!yaml_parser_initialize(&y.parser))
		return fail(err, T_ECONFIG, "%s: cannot start the YAML parser",
				name);
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text,
			len);
	ret = parse_stream(&y);
	yaml_parser_delete(&y.parser);
	return ret;
}

int config_load_string(struct config *c, const char *name, const char *text,
		size_t len, struct strbuf *err)
{
	return load_text(c, name, text, len, 0, err);
}

int config_load_untrusted_string(struct config *c, const char *name,
		const char *text, size_t len, struct strbuf *err)
{
	size_t before = c->untrusted.nr;
	int ret = load_text(c, name, text, len, 1, err);

	if (c->untrusted.nr > before && !c->untrusted.path)
		c->untrusted.path = xstrdup(name);
	return ret;
}

int config_load_workspace(struct config *c, const char *path,
		struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int ret = trust_read_workspace_file(path, &text, &why, err);

	if (ret == 1) {
		ret = 0;
	} else if (ret == 2) {
		free(c->refused.path);
		free(c->refused.why);
		c->refused.path = xstrdup(path);
		c->refused.why = strbuf_detach(&why, NULL);
		ret = 0;
	} else if (!ret) {
		free(c->workspace_file);
		c->workspace_file = xstrdup(path);
		c->in_workspace = 1;
		if (trust_is_trusted(path, text.buf, text.len))
			ret = config_load_string(c, path, text.buf, text.len,
					err);
		else
			ret = config_load_untrusted_string(c, path, text.buf,
					text.len, err);
		c->in_workspace = 0;
	}
	strbuf_release(&text);
	strbuf_release(&why);
	return ret;
}

int config_load_file(struct config *c, const char *path, int required,
		struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret;

	if (strbuf_read_file(&text, path)) {
		strbuf_release(&text);
		if (errno == ENOENT && !required)
			return 0;
		return fail_errno(err, T_ECONFIG, "cannot read configuration "
				"'%s'", path);
	}
	ret = config_load_string(c, path, text.buf, text.len, err);
	strbuf_release(&text);
	return ret;
}

int config_set_param(struct config *c, const char *param, struct strbuf *err)
{
	const char *eq = strchr(param, '=');
	char *key;
	int ret;

	if (!eq || eq == param)
		return fail(err, T_EUSAGE, "-c expects <key>=<value>, not '%s'",
				param);
	key = xstrndup(param, (size_t)(eq - param));
	if (!find_desc(key)) {
		ret = fail(err, T_ECONFIG, "-c: unknown configuration key '%s'",
				key);
		config_suggest(err, key);
	} else {
		ret = store(c, key, eq + 1, "-c", "command line", 0, err);
	}
	free(key);
	return ret;
}

/* ---- typed access ---- */

const char *config_get(const struct config *c, const char *key)
{
	const struct config_item *it = find_item(c, key);

	return it ? it->value : NULL;
}

const char *config_list_get(const struct config *c, struct strbuf *key,
		const char *list, size_t i, const char *field)
{
	strbuf_reset(key);
	strbuf_addf(key, "%s.%zu.%s", list, i, field);
	return config_get(c, key->buf);
}

int config_list_has(const struct config *c, struct strbuf *key,
		const char *list, size_t i, const char *const *fields)
{
	for (const char *const *f = fields; *f; f++)
		if (config_list_get(c, key, list, i, *f))
			return 1;
	return 0;
}

int config_get_bool(const struct config *c, const char *key, int def)
{
	const char *v = config_get(c, key);

	return v ? parse_bool(v) == 1 : def;
}

int64_t config_get_int(const struct config *c, const char *key, int64_t def)
{
	const char *v = config_get(c, key);
	int64_t n;

	return v && !parse_int(v, &n) ? n : def;
}

int64_t config_get_money(const struct config *c, const char *key, int64_t def)
{
	const char *v = config_get(c, key);
	int64_t n;

	return v && !money_parse(v, strlen(v), &n) ? n : def;
}

int config_finish(struct config *c, struct strbuf *err)
{
	c->enabled = config_get_bool(c, "enabled", 1);
	c->fsync = config_get_bool(c, "fsync", 1);
	c->fail_on_missing_provider_usage =
		config_get_bool(c, "fail_on_missing_provider_usage", 1);
	c->retention_days = config_get_int(c, "retention_days", 30);
	c->max_entries = config_get_int(c, "max_entries", 10000);
	/*
	 * Entries younger than retention_days are folded by count only when
	 * the user set both: a heavy user's month of history is not cut to
	 * max_entries behind their back.
	 */
	if (!is_set_by_user(c, "max_entries") ||
	    !is_set_by_user(c, "retention_days"))
		c->max_entries = 0;
	c->monthly_token_budget = config_get_int(c, "monthly_token_budget", 0);
	c->monthly_cost_budget_usd =
		config_get_money(c, "monthly_cost_budget_usd", 0);
	c->alert_threshold_percent =
		config_get_int(c, "alert_threshold_percent", 80);
	c->sync_interval_seconds = config_get_int(c, "sync_interval_seconds",
			600);
	c->max_sync_window_days = config_get_int(c, "max_sync_window_days", 31);
	c->lock_timeout_ms = config_get_int(c, "lock_timeout_ms", 10000);
	c->persist_scope = config_get(c, "persist_scope");
	c->cost_mode = config_get(c, "cost_mode");
	c->timezone = config_get(c, "timezone");
	c->hook_budget_alert = config_get(c, "hooks.budget_alert");
	if (timeutil_set_zone(c->timezone))
		return fail(err, T_ECONFIG, "unknown time zone '%s'",
				c->timezone);
	return 0;
}

void config_user_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		path_join(out, xdg, "tally/config.yaml");
	else if (home && *home)
		path_join(out, home, ".config/tally/config.yaml");
}
