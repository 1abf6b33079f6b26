/* Unit tests for lib/config: YAML layers, types, origins. */
#include "tap.h"

#include "lib/config.h"
#include "lib/config-edit.h"
#include "lib/error.h"

/* set (value) or unset (value NULL) key in text; the text after. */
static void edit(const char *text, const char *key, const char *value,
		const char *want, const char *what)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int found, r;

	strbuf_addstr(&sb, text);
	r = value ? config_edit_set(&sb, key, value, &err) :
		config_edit_unset(&sb, key, &found, &err);
	if (r)
		is_str(err.buf, want, "%s", what);
	else
		is_str(sb.buf, want, "%s", what);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void edits(void)
{
	const char *nested = "providers:\n  anthropic:\n    sync: false\n"
		"# end\n";
	const char *added = "providers:\n  anthropic:\n    sync: false\n"
		"  openai:\n    base_url: https://x.example/v1\n# end\n";

	edit("", "retention_days", "7", "retention_days: 7\n",
			"set into an empty file");
	edit("# mine\nretention_days: 30  # a month\nfsync: true\n",
			"retention_days", "7",
			"# mine\nretention_days: 7  # a month\nfsync: true\n",
			"set keeps comments, order and the value's comment");
	edit("fsync: true", "timezone", "Europe/Berlin",
			"fsync: true\ntimezone: Europe/Berlin\n",
			"set after a last line without a newline");
	edit(nested, "providers.openai.base_url", "https://x.example/v1",
			added, "set adds a mapping inside its parent's block");
	edit(added, "providers.openai.base_url", NULL, nested,
			"unset removes the line and the mapping it empties");
	edit("hooks:\n  budget_alert: x\n", "hooks.budget_alert",
			"notify-send \"tally\" $N: #1", "hooks:\n  budget_alert: "
			"\"notify-send \\\"tally\\\" $N: #1\"\n",
			"a value YAML would misread is double-quoted");
	edit("fsync: true\n", "fsync", "false", "fsync: false\n",
			"set replaces a value");
	edit("budgets:\n  - name: a\n", "budgets.0.name", "b",
			"'budgets.0.name' is in a list: edit lists with 'tally "
			"config edit'", "a list is refused");
	edit("providers: {openai: {sync: false}}\n",
			"providers.openai.sync", "true", "'providers' holds a "
			"value, not the mapping 'providers.openai.sync' needs; "
			"edit it with 'tally config edit'",
			"a flow mapping is refused");
	edit("providers:\n  openai:\n    sync: false\n", "providers",
			"x", "'providers' is a mapping, not a value",
			"a mapping is not overwritten by a value");
	edit("fsync: true\n", "timezone", NULL, "fsync: true\n",
			"unset of an absent key changes nothing");
}

static int load(struct config *c, const char *name, const char *yaml,
		struct strbuf *err)
{
	strbuf_reset(err);
	return config_load_string(c, name, yaml, strlen(yaml), err);
}

static void fails(const char *yaml, const char *want)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	config_init(&c);
	ok(load(&c, "f.yaml", yaml, &err) == T_ECONFIG && strstr(err.buf, want),
			"refused: %s", want);
	if (!strstr(err.buf, want))
		printf("#   err: %s\n", err.buf);
	config_release(&c);
	strbuf_release(&err);
}

int main(void)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	config_init(&c);
	is_str(config_get(&c, "fsync"), "true", "fsync defaults to true");
	is_str(config_find(&c, "fsync")->origin, "default", "with origin default");
	is_str(config_get(&c, "retention_days"), "30", "retention_days is 30");
	ok(!load(&c, "a.yaml", "fsync: no\nretention_days: 7\n"
			"providers:\n  openai:\n    base_url: http://127.0.0.1:1\n",
			&err), "loads a file");
	is_str(config_get(&c, "fsync"), "false", "booleans are canonical");
	is_str(config_find(&c, "retention_days")->origin, "file:a.yaml:2",
			"origins name file and line");
	is_str(config_get(&c, "providers.openai.base_url"), "http://127.0.0.1:1",
			"nested keys flatten with dots");
	ok(!load(&c, "b.yaml", "retention_days: 9\n", &err), "a second layer");
	is_str(config_get(&c, "retention_days"), "9", "later layers win");
	is_str(config_get(&c, "fsync"), "false", "and keep what they do not set");

	ok(!load(&c, "l.yaml", "budgets:\n  - name: a\n    period: day\n"
			"  - name: b\n    usd: 12.5\n", &err), "a list of budgets");
	is_str(config_get(&c, "budgets.1.usd"), "12.5", "list items are indexed");
	ok(!load(&c, "m.yaml", "budgets:\n  - name: c\n", &err),
			"a later list");
	ok(!config_get(&c, "budgets.1.name") &&
			!strcmp(config_get(&c, "budgets.0.name"), "c"),
			"replaces the earlier list");

	ok(!config_set_param(&c, "cost_mode=estimate", &err) &&
			!strcmp(config_find(&c, "cost_mode")->origin, "command line"),
			"-c sets a key from the command line");
	strbuf_reset(&err);
	ok(config_set_param(&c, "nope=1", &err) == T_ECONFIG,
			"-c refuses unknown keys");
	strbuf_reset(&err);
	ok(config_set_param(&c, "fsync", &err) == T_EUSAGE,
			"-c needs key=value");
	ok(!load(&c, "e.yaml", "", &err), "an empty file is fine");
	ok(!load(&c, "n.yaml", "timezone: ~\n", &err) &&
			!strcmp(config_get(&c, "timezone"), "local"),
			"null leaves the value alone");
	ok(!load(&c, "u.yaml", "mystery: 1\n", &err) &&
			!config_get(&c, "mystery"), "unknown keys are ignored");
	config_release(&c);

	fails("fsync: maybe\n", "f.yaml:1:8: 'fsync' expects true or false, "
			"not 'maybe'");
	fails("retention_days: -1\n", "'retention_days' expects a whole number "
			"from 0 to 36500");
	fails("persist_scope: both\n", "one of workspace|profile");
	fails("monthly_cost_budget_usd: lots\n", "an amount in USD");
	fails("timezone: Mars/Olympus\n", "an IANA time zone");
	fails("fsync:\n  nested: 1\n", "'fsync' expects a single value, not a "
			"mapping");
	fails("providers: 5\n", "'providers' expects a mapping");
	fails("budgets:\n  name: x\n", "'budgets' expects a list");
	fails("a: &x 1\nb: *x\n", "aliases are not supported");
	fails("fsync: 'open\n", "invalid YAML");
	fails("- 1\n- 2\n", "(top level)");
	fails("x: 1\n---\ny: 2\n", "more than one YAML document");
	edits();
	strbuf_release(&err);
	return tap_done();
}
