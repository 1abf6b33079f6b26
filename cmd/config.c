/*
 * tally config: the effective configuration and where each value came from.
 */
#include "tally.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/trust.h"
#include "../lib/banned.h"

static const char *const config_usage[] = {
	"tally config [-l | --list] [--show-origin] [--json]",
	"tally config get <key>",
	"tally config trust [<dir>]",
	"tally config untrust [<dir>]",
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

	if (!config_key_known(key)) {
		struct strbuf hint = STRBUF_INIT;

		config_suggest(&hint, key);
		usage_error(config_usage, opts, "unknown configuration key "
				"'%s'%s", key, hint.buf);
	}
	v = config_get(c, key);
	if (!v)
		return EXIT_FAIL;
	printf("%s\n", v);
	return 0;
}

/*
 * The workspace configuration file that trust and untrust are about:
 * <dir>/.tally.yaml, or the file itself when a file is named; by default
 * the current workspace's. The real path is what trust is keyed to.
 */
static int trust_target(const char *arg, const struct tally_ctx *ctx,
		struct strbuf *path, struct strbuf *err)
{
	struct strbuf file = STRBUF_INIT;
	char real[PATH_MAX];
	struct stat st;
	int ret = 0;

	if (!arg && !ctx->workspace.len)
		return fail(err, T_EUSAGE, "not inside a workspace; name its "
				"directory");
	if (!arg)
		path_join(&file, ctx->workspace.buf, ".tally.yaml");
	else if (!stat(arg, &st) && S_ISDIR(st.st_mode))
		path_join(&file, arg, ".tally.yaml");
	else
		strbuf_addstr(&file, arg);
	if (!realpath(file.buf, real))
		ret = fail_errno(err, T_EUSAGE, "cannot use '%s'", file.buf);
	else
		strbuf_addstr(path, real);
	strbuf_release(&file);
	return ret;
}

/* Lists the settings of text that need trust, for the user to see. */
static void trusted_settings(const char *path, const struct strbuf *text,
		struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	struct config scratch;

	config_init(&scratch);
	if (config_load_untrusted_string(&scratch, path, text->buf, text->len,
			&err))
		strbuf_addf(out, "  (it does not parse: %s)\n", err.buf);
	for (size_t i = 0; i < scratch.untrusted.nr; i++)
		strbuf_addf(out, "  %s\n", scratch.untrusted.keys[i]);
	if (!scratch.untrusted.nr && !err.len)
		strbuf_addstr(out, "  (no setting of it needs trust today)\n");
	config_release(&scratch);
	strbuf_release(&err);
}

static int trust(const char *arg, const struct tally_ctx *ctx)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf why = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	int ret = trust_target(arg, ctx, &path, &err);

	if (!ret) {
		ret = trust_read_workspace_file(path.buf, &text, &why, &err);
		if (ret == 1)
			ret = fail(&err, T_EUSAGE, "'%s' does not exist",
					path.buf);
		else if (ret == 2)
			ret = fail(&err, T_ECONFIG, "cannot trust '%s': %s",
					path.buf, why.buf);
	}
	if (!ret)
		ret = trust_add(path.buf, text.buf, text.len, &err);
	if (!ret) {
		strbuf_addf(&out, "trusted '%s' as it is now; these settings "
				"of it apply:\n", path.buf);
		trusted_settings(path.buf, &text, &out);
		flush_out(&out);
	}
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&why);
	strbuf_release(&out);
	return report(ret, &err);
}

static int untrust(const char *arg, const struct tally_ctx *ctx)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	int was = 0, ret = trust_target(arg, ctx, &path, &err);

	if (!ret)
		ret = trust_remove(path.buf, &was, &err);
	if (!ret && was)
		printf("'%s' is no longer trusted\n", path.buf);
	else if (!ret)
		ret = fail(&err, T_EFAIL, "'%s' was not trusted", path.buf);
	strbuf_release(&path);
	return report(ret, &err);
}

static int trust_command(int argc, const char **argv, int options,
		const struct option *opts, const struct tally_ctx *ctx)
{
	if (argc > 3)
		usage_error(config_usage, opts, "'%s' takes at most one "
				"directory", argv[1]);
	if (options)
		usage_error(config_usage, opts, "'%s' takes no options",
				argv[1]);
	if (!strcmp(argv[1], "trust"))
		return trust(argc == 3 ? argv[2] : NULL, ctx);
	return untrust(argc == 3 ? argv[2] : NULL, ctx);
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
	if (argc > 1 && (!strcmp(argv[1], "trust") ||
			!strcmp(argv[1], "untrust")))
		return trust_command(argc, argv, list || show_origin || json,
				opts, ctx);
	trust_notice(ctx);
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
