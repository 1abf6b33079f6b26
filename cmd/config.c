/*
 * tally config: the effective configuration and where each value came from.
 */
#include "tally.h"

#include <stdio.h>
#include <string.h>

#include "../lib/jsonw.h"
#include "../lib/banned.h"

static const char *const config_usage[] = {
	"tally config [-l | --list] [--show-origin] [--json]",
	"tally config get <key>",
	NULL,
};

static void list_text(const struct config *c, int show_origin,
		struct strbuf *out)
{
	for (size_t i = 0; i < c->nr; i++) {
		const struct config_item *it = &c->items[i];

		if (show_origin)
			strbuf_addf(out, "%s\t", it->origin);
		strbuf_addf(out, "%s=%s\n", it->key, it->value);
	}
}

static void list_json(const struct config *c, struct strbuf *out)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_array_begin(&w);
	for (size_t i = 0; i < c->nr; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "key", c->items[i].key);
		jw_kv_string(&w, "value", c->items[i].value);
		jw_kv_string(&w, "origin", c->items[i].origin);
		jw_object_end(&w);
	}
	jw_array_end(&w);
}

static int get_one(const struct config *c, const char *key,
		const struct option *opts)
{
	const char *v;

	if (!config_key_known(key))
		usage_error(config_usage, opts, "unknown configuration key '%s'",
				key);
	v = config_get(c, key);
	if (!v)
		return EXIT_FAIL;
	printf("%s\n", v);
	return 0;
}

int cmd_config(int argc, const char **argv, struct tally_ctx *ctx)
{
	int list = 0, show_origin = 0, json = 0;
	struct option opts[] = {
		OPT_BOOL('l', "list", &list, "list every effective setting"),
		OPT_BOOL(0, "show-origin", &show_origin,
				"show where each value came from"),
		OPT_BOOL(0, "json", &json, "print the list as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT;

	argc = parse_options_or_exit(argc, argv, opts, config_usage, 0);
	if (argc > 1 && !strcmp(argv[1], "get")) {
		if (argc != 3)
			usage_error(config_usage, opts,
					"'get' takes exactly one key");
		if (list || show_origin || json)
			usage_error(config_usage, opts, "'get' takes no options");
		return get_one(&ctx->cfg, argv[2], opts);
	}
	if (argc > 1)
		usage_error(config_usage, opts, "unknown argument '%s'", argv[1]);
	if (json)
		list_json(&ctx->cfg, &out);
	else
		list_text(&ctx->cfg, show_origin, &out);
	flush_out(&out);
	strbuf_release(&out);
	return 0;
}
