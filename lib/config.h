#ifndef TALLY_CONFIG_H
#define TALLY_CONFIG_H

#include <stdint.h>

#include "strbuf.h"

/*
 * Configuration: YAML files flattened into dotted keys ("fsync",
 * "providers.openai.base_url", "budgets.0.name"), each checked against one
 * schema table and remembered with its origin.
 *
 * Layers, later wins: defaults; ${XDG_CONFIG_HOME:-~/.config}/tally/
 * config.yaml; <workspace>/.tally.yaml; $TALLY_CONFIG; --config <file>;
 * -c <key>=<value>. Within a layer a list replaces the earlier list as a
 * whole, but for the budgets of a workspace file, which join the user's
 * (a budget is about the money of the scope it counts); other keys
 * override one by one.
 *
 * Unknown keys warn with file:line. A value of the wrong type fails with
 * file:line:column and T_ECONFIG.
 *
 * The workspace layer is read through config_load_workspace(), which
 * applies the rules of trust.h: a file another user owns or others may
 * write is not read (c->refused says so), and the settings that need
 * trust (config_key_needs_trust()) are left out of an untrusted file
 * (c->untrusted lists them). cmd/ tells the user about both.
 */

struct config_item {
	char *key;
	char *value;   /* canonical text: true/false, decimal numbers */
	char *origin;  /* "default", "file:<path>:<line>", "command line" */
};

/* The settings an untrusted workspace file held and that were left out. */
struct config_untrusted {
	char *path;   /* the file, or NULL when nothing was left out */
	char **keys;
	size_t nr, alloc;
};

/* A workspace file that was not read at all, and why. */
struct config_refused {
	char *path;   /* NULL when none was refused */
	char *why;
};

struct config {
	struct config_item *items;
	size_t nr, alloc;
	struct config_untrusted untrusted;
	struct config_refused refused;
	char *workspace_file;  /* the workspace layer read, or NULL */
	int in_workspace;      /* while it is being read */

	/* Typed copies of the scalar settings, filled by config_finish(). */
	int enabled;
	int fsync;
	int fail_on_missing_provider_usage;
	int64_t retention_days;
	int64_t max_entries;   /* 0 unless retention_days is set too */
	int64_t monthly_token_budget;
	int64_t monthly_cost_budget_usd; /* nano-USD */
	int64_t alert_threshold_percent;
	int64_t sync_interval_seconds;
	int64_t max_sync_window_days;
	int64_t lock_timeout_ms;
	const char *persist_scope;
	const char *cost_mode;
	const char *timezone;
	const char *hook_budget_alert;
};

/* Starts with every default. */
void config_init(struct config *c);
void config_release(struct config *c);

/* Adds a default for a key of a pattern (for per-provider defaults). */
void config_add_default(struct config *c, const char *key, const char *value);

/*
 * Loads a YAML file as one layer. A missing file is fine unless required.
 * Returns 0 or T_ECONFIG.
 */
int config_load_file(struct config *c, const char *path, int required,
		struct strbuf *err);

/* Loads YAML text (for tests and -c values). */
int config_load_string(struct config *c, const char *name, const char *text,
		size_t len, struct strbuf *err);

/* Loads YAML text as an untrusted workspace file's. */
int config_load_untrusted_string(struct config *c, const char *name,
		const char *text, size_t len, struct strbuf *err);

/*
 * Loads a workspace's .tally.yaml (missing is fine) under the trust
 * rules above. Returns 0 or T_ECONFIG.
 */
int config_load_workspace(struct config *c, const char *path,
		struct strbuf *err);

/* Whether a setting applies from a workspace file only once trusted. */
int config_key_needs_trust(const char *key);

/* Sets one key from "key=value" text (the value is YAML scalar syntax). */
int config_set_param(struct config *c, const char *param, struct strbuf *err);

/* Fills the typed fields and applies the time zone. 0 or T_ECONFIG. */
int config_finish(struct config *c, struct strbuf *err);

/* Appends "; did you mean '<key>'?" for a known key near key, if any. */
void config_suggest(struct strbuf *out, const char *key);

/* Whether key was set by the workspace file (c->workspace_file). */
int config_from_workspace(const struct config *c, const char *key);

/* The item for key, or NULL. */
const struct config_item *config_find(const struct config *c, const char *key);
const char *config_get(const struct config *c, const char *key);
int config_get_bool(const struct config *c, const char *key, int def);
int64_t config_get_int(const struct config *c, const char *key, int64_t def);
int64_t config_get_money(const struct config *c, const char *key, int64_t def);

/*
 * A field of a list's i-th item: config_get() of "<list>.<i>.<field>"
 * ("budgets.0.name"), key being scratch space; and whether the item
 * sets any of fields (NULL-terminated), which ends a walk of the list.
 */
const char *config_list_get(const struct config *c, struct strbuf *key,
		const char *list, size_t i, const char *field);
int config_list_has(const struct config *c, struct strbuf *key,
		const char *list, size_t i, const char *const *fields);

/* Whether the key is in the schema (for `tally config get`). */
int config_key_known(const char *key);

/* What JSON type a key's value is: for `tally config --json`. */
enum config_kind { CK_STRING, CK_BOOL, CK_INT, CK_NUMBER };
enum config_kind config_key_kind(const char *key);

/* The user's configuration file path (may not exist). */
void config_user_path(struct strbuf *out);

#endif
