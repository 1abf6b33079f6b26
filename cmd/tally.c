/*
 * tally: main(), global options and the command table.
 */
#include "tally.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/fsutil.h"
#include "../lib/table.h"
#include "../providers/provider.h"
#include "version.h"
#include "../lib/banned.h"

/* Keep alphabetized. */
const struct cmd_struct commands[] = {
	{ "budget", cmd_budget, NEED_SCOPE,
		"budgets: how much is used, with alerts and a check" },
	{ "clear", cmd_clear, NEED_SCOPE,
		"remove a scope's data for good" },
	{ "compact", cmd_compact, NEED_SCOPE,
		"fold superseded rows and apply retention, keeping rollups" },
	/* config loads it itself: 'config edit' must mend a broken file. */
	{ "config", cmd_config, 0,
		"show and change the configuration and where it came from" },
	{ "exec", cmd_exec, NEED_SCOPE,
		"run a command, recording every LLM request it makes" },
	{ "export", cmd_export, NEED_SCOPE,
		"CSV, JSON, Prometheus and HTML, or a push to a Pushgateway" },
	{ "help", cmd_help, 0, "show the manual of tally or of a command" },
	{ "import", cmd_import, NEED_SCOPE,
		"import coding agents' own logs into the ledger" },
	{ "log", cmd_log, NEED_SCOPE, "list, search and follow recorded usage" },
	{ "migrate", cmd_migrate, NEED_SCOPE,
		"upgrade ledger rows to the current schema" },
	{ "pricing", cmd_pricing, NEED_SCOPE,
		"model prices: which applies and why; updating them" },
	{ "proxy", cmd_proxy, NEED_SCOPE,
		"a local recording proxy for SDKs and agents" },
	{ "publish", cmd_publish, NEED_SCOPE,
		"write this device's new rows to a shared folder" },
	{ "pull", cmd_pull, NEED_SCOPE,
		"read the other devices' rows from a shared folder" },
	{ "quota", cmd_quota, NEED_SCOPE,
		"the providers' remaining quota, with its age" },
	{ "record", cmd_record, NEED_SCOPE, "record one request's usage" },
	{ "remotes", cmd_remotes, NEED_SCOPE,
		"the other devices pulled: their rows and age; forget one" },
	{ "status", cmd_status, NEED_SCOPE,
		"one line for shell prompts and status bars" },
	{ "summary", cmd_summary, NEED_SCOPE,
		"totals, shares and budgets over a window of time" },
	{ "sync", cmd_sync, NEED_SCOPE,
		"verify usage against the providers' usage and billing APIs" },
	{ "top", cmd_top, NEED_SCOPE,
		"a live view: totals, the block, rates, budgets, requests" },
	{ "version", cmd_version, 0, "print tally's version" },
	{ NULL, NULL, 0, NULL },
};

static const char *const tally_usage[] = {
	"tally [-C <dir>] [-c <key>=<value>] [--config <file>] "
		"[--workspace <dir> | --profile] [--no-pager] "
		"[--color <when>] <command> [<args>]",
	"tally (--version | --list-cmds | -h | --help)",
	NULL,
};

const struct cmd_struct *find_command(const char *name)
{
	for (const struct cmd_struct *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const char *nearest_command(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (const struct cmd_struct *c = commands; c->name; c++) {
		size_t d = edit_distance(name, c->name);

		if (!strncmp(c->name, name, strlen(name)) && strlen(name) >= 2)
			d = 1;
		if (d < best_d) {
			best = c->name;
			best_d = d;
		}
	}
	return best;
}

static void overview(struct strbuf *out)
{
	strbuf_addf(out, "usage: %s\n   or: %s\n\n", tally_usage[0],
			tally_usage[1]);
	strbuf_addstr(out, "Commands:\n");
	for (const struct cmd_struct *c = commands; c->name; c++)
		strbuf_addf(out, "   %-10s %s\n", c->name, c->summary);
	strbuf_addstr(out, "\n'tally help <command>' shows a command's manual; "
			"'tally <command> -h' its options.\n");
}

void print_overview(FILE *f)
{
	struct strbuf out = STRBUF_INIT;

	overview(&out);
	fputs(out.buf, f);
	strbuf_release(&out);
}

int cmd_version(int argc, const char **argv, struct tally_ctx *ctx)
{
	static const char *const usage[] = { "tally version", NULL };
	struct option opts[] = { OPT_END() };

	(void)ctx;
	argc = parse_options_or_exit(argc, argv, opts, usage, 0);
	if (argc > 1)
		usage_error(usage, opts, "too many arguments");
	printf("tally %s\n", TALLY_VERSION);
	return 0;
}

/* ---- set-up requested by the command's flags ---- */

static void add_provider_defaults(struct config *c)
{
	struct strbuf key = STRBUF_INIT;

	for (const struct provider *const *p = provider_table; *p; p++) {
		strbuf_reset(&key);
		strbuf_addf(&key, "providers.%s.sync", (*p)->id);
		config_add_default(c, key.buf, "true");
		if (!(*p)->base_url)
			continue;
		strbuf_reset(&key);
		strbuf_addf(&key, "providers.%s.base_url", (*p)->id);
		config_add_default(c, key.buf, (*p)->base_url);
	}
	strbuf_release(&key);
}

static int load_config(struct tally_ctx *ctx, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	const char *env = getenv("TALLY_CONFIG");
	int ret;

	config_init(&ctx->cfg);
	add_provider_defaults(&ctx->cfg);
	config_user_path(&path);
	ret = path.len ? config_load_file(&ctx->cfg, path.buf, 0, err) : 0;
	if (!ret && ctx->workspace.len) {
		strbuf_reset(&path);
		path_join(&path, ctx->workspace.buf, ".tally.yaml");
		ret = config_load_workspace(&ctx->cfg, path.buf, err);
	}
	if (!ret && env && *env)
		ret = config_load_file(&ctx->cfg, env, 1, err);
	if (!ret && ctx->config_file)
		ret = config_load_file(&ctx->cfg, ctx->config_file, 1, err);
	for (size_t i = 0; !ret && i < ctx->config_params.nr; i++)
		ret = config_set_param(&ctx->cfg, ctx->config_params.items[i],
				err);
	if (!ret)
		ret = config_finish(&ctx->cfg, err);
	strbuf_release(&path);
	return ret;
}

static int setup_scope(struct tally_ctx *ctx, struct strbuf *err)
{
	struct strbuf root = STRBUF_INIT;
	int use_workspace, ret;

	ret = data_root(&root, err);
	if (ret)
		return ret;
	use_workspace = ctx->workspace.len && !ctx->force_profile &&
			strcmp(ctx->cfg.persist_scope, "profile");
	scope_init(&ctx->scope, root.buf,
			use_workspace ? ctx->workspace.buf : NULL);
	strbuf_release(&root);
	return 0;
}

/* Appends s for a shell command line, quoted when it needs to be. */
static void shell_quote(struct strbuf *out, const char *s)
{
	if (*s && !s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@,")]) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '\'');
}

void trust_notice(const struct tally_ctx *ctx)
{
	const struct config *c = &ctx->cfg;
	struct strbuf keys = STRBUF_INIT, cmd = STRBUF_INIT;

	if (c->refused.path)
		warning("not reading '%s': %s", c->refused.path,
				c->refused.why);
	if (!c->untrusted.path)
		return;
	for (size_t i = 0; i < c->untrusted.nr; i++)
		strbuf_addf(&keys, "%s%s", i ? ", " : "", c->untrusted.keys[i]);
	strbuf_addstr(&cmd, "tally config trust ");
	shell_quote(&cmd, ctx->workspace.buf);
	warning("'%s' is not trusted, so its %s %s ignored (settings that "
			"run commands, send keys or set prices); '%s' trusts it",
			c->untrusted.path, keys.buf,
			c->untrusted.nr > 1 ? "are" : "is", cmd.buf);
	strbuf_release(&keys);
	strbuf_release(&cmd);
}

static int setup(struct tally_ctx *ctx, int flags)
{
	struct strbuf err = STRBUF_INIT;
	int ret = 0;

	if (flags & NEED_SCOPE)
		flags |= NEED_CONFIG;
	if (flags & NEED_CONFIG) {
		ret = workspace_find(ctx->workspace_opt, &ctx->workspace, &err);
		if (!ret)
			ret = load_config(ctx, &err);
	}
	if (!ret && (flags & NEED_SCOPE))
		ret = setup_scope(ctx, &err);
	if (ret)
		exit(report(ret, &err));
	if ((flags & NEED_CONFIG) && !(flags & OWN_TRUST_NOTICE))
		trust_notice(ctx);
	strbuf_release(&err);
	return 0;
}

void setup_config(struct tally_ctx *ctx)
{
	setup(ctx, NEED_CONFIG | OWN_TRUST_NOTICE);
}

/* ---- stdout ---- */

static int check_stdout(void)
{
	struct stat st;

	/* A closed stdout is the caller's choice, not a write error. */
	if (fstat(STDOUT_FILENO, &st))
		return 0;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return 0;
	if (errno == EPIPE)
		return 0;
	error("write error on standard output: %s", strerror(errno));
	return EXIT_FAIL;
}

/* ---- main ---- */

static int run_command(const struct cmd_struct *cmd, int argc,
		const char **argv, struct tally_ctx *ctx)
{
	int status;

	setup(ctx, cmd->flags);
	completion_ctx = ctx;
	status = cmd->fn(argc, argv, ctx);
	if (check_stdout() && !status)
		status = EXIT_FAIL;
	config_release(&ctx->cfg);
	scope_release(&ctx->scope);
	strbuf_release(&ctx->workspace);
	string_list_release(&ctx->config_params);
	return status;
}

static int list_cmds(void)
{
	for (const struct cmd_struct *c = commands; c->name; c++)
		printf("%s\n", c->name);
	return 0;
}

int print_command_usage(const char *name)
{
	const struct cmd_struct *cmd = find_command(name);
	const char *argv[] = { name, "-h", NULL };
	struct tally_ctx ctx;

	if (!cmd)
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	/* Every command prints its usage for -h and exits. */
	return cmd->fn(2, argv, &ctx);
}

static void unknown_command(const char *name)
{
	const char *near = nearest_command(name);

	if (near)
		die(EXIT_USAGE, "'%s' is not a tally command; did you mean "
				"'%s'?", name, near);
	die(EXIT_USAGE, "'%s' is not a tally command; see 'tally --help'",
			name);
}

int main(int argc, const char **argv)
{
	struct tally_ctx ctx;
	const char *chdir_to = NULL, *colour = NULL;
	int version = 0, cmds = 0;
	struct option opts[] = {
		OPT_STRING('C', NULL, &chdir_to, "dir",
				"run as if started in <dir>"),
		OPT_LIST('c', NULL, &ctx.config_params, "key>=<value",
				"set a configuration value"),
		OPT_STRING(0, "config", &ctx.config_file, "file",
				"read this configuration file last"),
		OPT_STRING(0, "workspace", &ctx.workspace_opt, "dir",
				"use the workspace at <dir>"),
		OPT_BOOL(0, "profile", &ctx.force_profile,
				"use the profile scope, not the workspace"),
		OPT_BOOL(0, "no-pager", &no_pager,
				"do not page long output"),
		OPT_STRING_VALUES(0, "color", &colour, "when",
				"auto (default), always or never",
				"auto|always|never"),
		OPT_BOOL(0, "version", &version, "print the version"),
		OPT_BOOL(0, "list-cmds", &cmds, "list the commands"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT;
	const struct cmd_struct *cmd;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	strbuf_init(&ctx.workspace, 0);
	/*
	 * Past a file size limit, a write fails with EFBIG instead of
	 * killing tally mid-row: the row is then taken back whole.
	 */
	signal(SIGXFSZ, SIG_IGN);
	ret = parse_options(argc, argv, opts, PARSE_OPT_STOP_AT_NON_OPTION,
			&err);
	if (ret == PARSE_OPT_HELP) {
		print_overview(stdout);
		return 0;
	}
	if (ret == PARSE_OPT_COMPLETE_VALUES) {
		complete_values(&err, parse_options_find(opts, argv[1]));
		fputs(err.buf, stdout);
		strbuf_release(&err);
		return 0;
	}
	if (ret == PARSE_OPT_COMPLETE || ret == PARSE_OPT_COMPLETE_DESCRIBED) {
		parse_options_completion(&err, opts,
				ret == PARSE_OPT_COMPLETE_DESCRIBED);
		fputs(err.buf, stdout);
		strbuf_release(&err);
		return 0;
	}
	if (ret < 0)
		usage_error(tally_usage, opts, "%s", err.buf);
	argc = ret - 1;
	argv++;
	if (colour && !strcmp(colour, "always"))
		colour_set_mode(COLOUR_ALWAYS);
	else if (colour && !strcmp(colour, "never"))
		colour_set_mode(COLOUR_NEVER);
	else if (colour && strcmp(colour, "auto"))
		usage_error(tally_usage, opts, "--color expects auto, always "
				"or never, not '%s'", colour);
	if (version)
		return cmd_version(1, (const char *[]){ "version", NULL }, &ctx);
	if (cmds)
		return list_cmds();
	if (chdir_to && chdir(chdir_to))
		die(EXIT_USAGE, "cannot change to '%s': %s", chdir_to,
				strerror(errno));
	if (!argc) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		unknown_command(argv[0]);
	return run_command(cmd, argc, argv, &ctx);
}
