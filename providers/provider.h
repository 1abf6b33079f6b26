#ifndef TALLY_PROVIDER_H
#define TALLY_PROVIDER_H

#include <json-c/json.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"

struct sync_run;

/*
 * One adapter per provider behind one interface, registered in one table
 * (providers/registry.c). Adding a provider is one new file and one line
 * there. Adapters never touch the ledger: they fill entries and lib/
 * writes them.
 */

enum sync_kind {
	SYNC_NONE,        /* no usage API: entries are unsupported_provider */
	SYNC_PER_REQUEST, /* usage looked up by the provider's request id */
	SYNC_RECONCILE,   /* usage billed per time bucket, reconciled */
};

/*
 * A reader of one request's record (OpenRouter's generation) into an
 * entry. The sync code calls them; they are listed in the table so the
 * tests and the fuzz targets reach every one, as they reach the page
 * readers of a provider's reports (struct report_source).
 */
struct report_source;

struct report_reader {
	const char *name;
	int (*record)(struct json_object *root, struct entry *e,
			struct strbuf *err);
};

struct provider {
	const char *id;
	const char *name;
	/*
	 * The base URL as the provider's own SDK writes it (OpenAI
	 * https://api.openai.com/v1, OpenRouter https://openrouter.ai/api/v1,
	 * Anthropic https://api.anthropic.com), so users paste the value they
	 * already use; request paths are appended to it. request_roots are
	 * the first segments of those paths, which a configured base URL must
	 * not end with (the path would hold them twice).
	 */
	const char *base_url;
	const char *request_roots[4];
	enum sync_kind sync_kind;
	const char *key_env;   /* the environment variable with the API key */

	/*
	 * How sure the adapter is that a response body is in its format:
	 * 0 (not mine) to 100 (certain). NULL when it reads no responses.
	 */
	int (*detect_response)(struct json_object *root);

	/*
	 * Fills e from a response body: provider request id, model, the
	 * token counts in tally's convention (DESIGN section 2), billed cost
	 * when the provider reports it, and times the body carries. Returns
	 * 0, or T_EPROVIDER when the body has no usable usage.
	 */
	int (*parse_response)(struct json_object *root, struct entry *e,
			struct strbuf *err);

	/*
	 * Asks the provider about the entries of run (see sync.h) and
	 * answers with rows. Returns 0, T_EPROVIDER or T_EAUTH. NULL when
	 * the provider has no usage API, or syncs by reports instead.
	 */
	int (*sync)(struct sync_run *run, struct strbuf *err);
	/* An organization's usage and cost reports to reconcile with. */
	const struct report_source *reports;

	/* Asks for the current quota and answers with a quota row. */
	int (*quota)(struct sync_run *run, struct strbuf *err);

	/* What sync and quota read, NULL-terminated by name (may be NULL). */
	const struct report_reader *report_readers;
};

extern const struct provider provider_openai;
extern const struct provider provider_anthropic;
extern const struct provider provider_gemini;
extern const struct provider provider_openrouter;
extern const struct provider provider_azure;
extern const struct provider provider_deepseek;
extern const struct provider provider_groq;
extern const struct provider provider_mistral;
extern const struct provider provider_xai;

/* NULL-terminated, in a stable order. */
extern const struct provider *const provider_table[];

const struct provider *provider_by_id(const char *id);

/*
 * The provider whose service a base URL points to, by its host
 * (api.openai.com, openrouter.ai, <resource>.openai.azure.com...), or
 * NULL for a host tally does not know (a local server, a gateway).
 */
const struct provider *provider_from_base_url(const char *url);

/* The adapter most sure about root, or NULL when none recognises it. */
const struct provider *provider_detect(struct json_object *root);
/* The same, also giving the winning score (0 when nothing matched). */
const struct provider *provider_detect_scored(struct json_object *root,
		int *score);

/*
 * Fails with the provider's own message when root is an error body
 * ({"error": ...} or {"type": "error", ...}) of any provider; 0 otherwise.
 */
int provider_error_body(struct json_object *root, struct strbuf *err);

/*
 * Checks a configured base URL of p (without trailing slashes): on the
 * provider's own host its path must be the SDK's; on any host it must not
 * end with a segment that every request path starts with, nor repeat the
 * SDK's path. Returns 0, or T_ECONFIG with what was expected in err.
 */
int provider_check_base_url(const struct provider *p, const char *url,
		struct strbuf *err);

/* Whether entries of this provider id start as pending_sync. */
int provider_can_sync(const char *id);

/*
 * Runs p's sync: its own, or the reconciliation of its reports. 0,
 * T_EPROVIDER or T_EAUTH; 1 when p has no usage API.
 */
int provider_sync(const struct provider *p, struct sync_run *run,
		struct strbuf *err);

#endif
