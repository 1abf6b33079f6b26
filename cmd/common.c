/*
 * Helpers shared by the commands: option parsing that exits, and output.
 */
#include "tally.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "../lib/compact.h"
#include "../providers/provider.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* "tally log" of "tally log [<filters>] ...": up to the second space. */
static int command_len(const char *usage)
{
	const char *sp = strchr(usage, ' ');

	if (sp)
		sp = strchr(sp + 1, ' ');
	return sp ? (int)(sp - usage) : (int)strlen(usage);
}

/*
 * A usage error: the one line that says what is wrong, and where the
 * usage is, not a screenful of usage that pushes the error out of sight.
 */
__attribute__((noreturn))
static void usage_exit(const char *const *usage, const char *msg)
{
	error("%s", msg);
	fprintf(stderr, "see '%.*s -h'\n", command_len(usage[0]), usage[0]);
	exit(EXIT_USAGE);
}

void usage_error(const char *const *usage, const struct option *opts,
		const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	(void)opts;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	usage_exit(usage, msg.buf);
}

int parse_options_or_exit(int argc, const char **argv,
		const struct option *opts, const char *const *usage, int flags)
{
	struct strbuf err = STRBUF_INIT, text = STRBUF_INIT;
	int ret = parse_options(argc, argv, opts, flags, &err);

	if (ret == PARSE_OPT_HELP) {
		parse_options_usage(&text, usage, opts);
		fputs(text.buf, stdout);
		exit(EXIT_OK);
	}
	if (ret == PARSE_OPT_COMPLETE_VALUES) {
		complete_values(&text, parse_options_find(opts, argv[1]));
		fputs(text.buf, stdout);
		exit(EXIT_OK);
	}
	if (ret == PARSE_OPT_COMPLETE || ret == PARSE_OPT_COMPLETE_DESCRIBED) {
		parse_options_completion(&text, opts,
				ret == PARSE_OPT_COMPLETE_DESCRIBED);
		parse_options_subcommands(&text, usage);
		fputs(text.buf, stdout);
		exit(EXIT_OK);
	}
	if (ret < 0)
		usage_exit(usage, err.buf);
	if ((flags & PARSE_OPT_NO_ARGS) && ret > 1)
		usage_error(usage, opts, "unexpected argument '%s'", argv[1]);
	strbuf_release(&err);
	return ret;
}

const char *provider_setting(const struct tally_ctx *ctx, const char *id,
		const char *name)
{
	struct strbuf key = STRBUF_INIT;
	const char *v;

	strbuf_addf(&key, "providers.%s.%s", id, name);
	v = config_get(&ctx->cfg, key.buf);
	strbuf_release(&key);
	return v;
}

int provider_key_set_up(const struct tally_ctx *ctx, const struct provider *p)
{
	const char *env = p->key_env ? getenv(p->key_env) : NULL;
	const char *cmd = provider_setting(ctx, p->id, "api_key_command");

	return (env && *env) || (cmd && *cmd);
}

void flush_out(struct strbuf *out)
{
	fwrite(out->buf, 1, out->len, stdout);
	strbuf_reset(out);
}

uint64_t auto_compact_locked(struct ledger *l, const struct tally_ctx *ctx,
		uint64_t rows_known)
{
	struct compact_opts o = { now_ms(), ctx->cfg.retention_days,
		ctx->cfg.max_entries, 0, rows_known };
	struct compact_stats st = { 0 };
	struct strbuf err = STRBUF_INIT;

	if (!config_get_bool(&ctx->cfg, "auto_compact", 1))
		return 0;
	if (ledger_auto_compact_locked(l, &o, &st, &err) < 0)
		warning("automatic compaction failed: %s", err.buf);
	strbuf_release(&err);
	return st.expired;
}

int append_rows(const struct tally_ctx *ctx, const struct strbuf *rows,
		struct strbuf *err)
{
	struct ledger l;
	int ret;

	if (!rows->len)
		return 0;
	ret = scope_prepare(&ctx->scope, err);
	ledger_init(&l, ctx->scope.ledger_path, ctx->scope.lock_path,
			ctx->cfg.fsync, ctx->cfg.lock_timeout_ms);
	if (!ret)
		ret = ledger_append(&l, rows->buf, rows->len, err);
	ledger_release(&l);
	return ret;
}
