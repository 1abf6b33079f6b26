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
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/config-edit.h"
#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/trust.h"
#include "../lib/banned.h"

static const char *const config_usage[] = {
	"tally config [-l | --list] [--show-origin] [--json]",
	"tally config get <key>",
	"tally config set <key> <value>",
	"tally config unset <key>",
	"tally config path",
	"tally config edit",
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
		const struct config_item *it = &c->items[i];

		jw_object_begin(&w);
		jw_kv_string(&w, "key", it->key);
		/* Values as what they are: true, 30, 2.5, not strings. */
		switch (config_key_kind(it->key)) {
		case CK_BOOL:
			jw_kv_bool(&w, "value", config_get_bool(c, it->key, 0));
			break;
		case CK_INT:
			jw_kv_int(&w, "value", config_get_int(c, it->key, 0));
			break;
		case CK_NUMBER:
			jw_kv_money(&w, "value",
					config_get_money(c, it->key, 0));
			break;
		case CK_STRING:
			jw_kv_string(&w, "value", it->value);
			break;
		}
		jw_kv_string(&w, "origin", it->origin);
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

/* ---- writing the user's file ---- */

static void unknown_key(const char *key, const struct option *opts)
{
	struct strbuf hint = STRBUF_INIT;

	config_suggest(&hint, key);
	usage_error(config_usage, opts, "unknown configuration key '%s'%s",
			key, hint.buf);
}

/*
 * The edited text must read back as a valid configuration before it
 * replaces the file: a mistyped value never lands in it.
 */
static int check_text(const char *path, const struct strbuf *text,
		struct strbuf *err)
{
	struct config scratch;
	int ret;

	config_init(&scratch);
	ret = config_load_string(&scratch, path, text->buf, text->len, err);
	if (!ret)
		ret = config_finish(&scratch, err);
	config_release(&scratch);
	return ret;
}

static int write_user_file(const char *path, const struct strbuf *text,
		struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int ret = 0;

	if (slash) {
		strbuf_add(&dir, path, (size_t)(slash - path));
		if (mkdir_p(dir.buf))
			ret = fail_errno(err, T_EFAIL, "cannot create '%s'",
					dir.buf);
	}
	if (!ret && write_file_atomic(path, text->buf, text->len))
		ret = fail_errno(err, T_EFAIL, "cannot write '%s'", path);
	strbuf_release(&dir);
	return ret;
}

static int set_or_unset(int argc, const char **argv, int options,
		const struct option *opts)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	int set = !strcmp(argv[1], "set"), found = 1, ret;

	if (argc != (set ? 4 : 3))
		usage_error(config_usage, opts, set ? "'set' takes a key and "
				"a value" : "'unset' takes one key");
	if (options)
		usage_error(config_usage, opts, "'%s' takes no options",
				argv[1]);
	if (!config_key_known(argv[2]))
		unknown_key(argv[2], opts);
	config_user_path(&path);
	if (!path.len)
		return report(fail(&err, T_ECONFIG, "no home directory for "
				"the configuration file"), &err);
	ret = strbuf_read_file(&text, path.buf) && errno != ENOENT ?
		fail_errno(&err, T_ECONFIG, "cannot read '%s'", path.buf) : 0;
	if (!ret)
		ret = set ? config_edit_set(&text, argv[2], argv[3], &err) :
			config_edit_unset(&text, argv[2], &found, &err);
	if (!ret && found)
		ret = check_text(path.buf, &text, &err);
	if (!ret && found)
		ret = write_user_file(path.buf, &text, &err);
	if (!ret && !found)
		ret = fail(&err, T_EFAIL, "'%s' is not set in '%s'", argv[2],
				path.buf);
	strbuf_release(&path);
	strbuf_release(&text);
	return report(ret, &err);
}

/* Runs "editor path" through the shell, as git does; its exit status. */
static int run_editor(const char *cmd, const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Opens the user's file in $VISUAL, $EDITOR or vi, then checks it. */
static int edit_file(int argc, int options, const struct option *opts)
{
	struct strbuf path = STRBUF_INIT, cmd = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf why = STRBUF_INIT;
	const char *editor = getenv("VISUAL");
	int ret = 0, status;

	if (argc != 2 || options)
		usage_error(config_usage, opts, "'edit' takes nothing more");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	config_user_path(&path);
	if (access(path.buf, F_OK))
		ret = write_user_file(path.buf, &text, &err);
	strbuf_addf(&cmd, "%s \"$1\"", editor);
	if (!ret) {
		fflush(stdout);
		status = run_editor(cmd.buf, path.buf);
		if (status)
			ret = fail(&err, T_EFAIL, "the editor '%s' failed",
					editor);
	}
	if (!ret && !strbuf_read_file(&text, path.buf) &&
	    (ret = check_text(path.buf, &text, &why)))
		fail(&err, ret, "'%s' is saved, but tally will not read it: "
				"%s", path.buf, why.buf);
	strbuf_release(&why);
	strbuf_release(&path);
	strbuf_release(&cmd);
	strbuf_release(&text);
	return report(ret, &err);
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
	/* The user's file is edited even when it does not parse. */
	if (argc > 1 && (!strcmp(argv[1], "set") ||
			!strcmp(argv[1], "unset")))
		return set_or_unset(argc, argv, list || show_origin || json,
				opts);
	if (argc > 1 && !strcmp(argv[1], "edit"))
		return edit_file(argc, list || show_origin || json, opts);
	if (argc > 1 && !strcmp(argv[1], "path")) {
		struct strbuf path = STRBUF_INIT;

		if (argc != 2 || list || show_origin || json)
			usage_error(config_usage, opts, "'path' takes nothing "
					"more");
		config_user_path(&path);
		printf("%s\n", path.buf);
		strbuf_release(&path);
		return 0;
	}
	setup_config(ctx);
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
